package io.journeycep.patterns.spec;

import org.apache.flink.cep.pattern.conditions.IterativeCondition;

import java.util.List;

/**
 * The condition of a step that can take a match's first event when the spec has {@code starts-after}: the event
 * matches the step, and either it is not the match's first event (an earlier step that could have started the match,
 * or this looping step itself, already took one) or a {@code starts-after} event precedes it within the look-back
 * (attached upstream as {@link SpecStep#priorEventIds}, inclusive bounds, ties by arrival).
 *
 * <p>This is how CART_ABANDONED's {@code view → cart_add} works without feeding views to CEP: the episode's first
 * cart add needs a view before it, later ones join without.
 */
public final class StartsAfterLookback extends IterativeCondition<SpecStep> {
    private static final long serialVersionUID = 1L;

    private final EventMatcher matcher;
    private final String[] earlierSteps;

    /**
     * @param earlierSteps the steps whose events, when present in the partial match, mean this event is not the
     *     match's first (the steps before this one that can start a match, and this one when it loops)
     */
    public StartsAfterLookback(EventMatcher matcher, List<String> earlierSteps) {
        this.matcher = matcher;
        this.earlierSteps = earlierSteps.toArray(new String[0]);
    }

    @Override
    public boolean filter(SpecStep step, Context<SpecStep> ctx) throws Exception {
        if (!matcher.matches(step)) {
            return false;
        }
        if (step.hasPrior()) {
            return true;
        }
        for (String name : earlierSteps) {
            if (ctx.getEventsForPattern(name).iterator().hasNext()) {
                return true;
            }
        }
        return false;
    }
}
