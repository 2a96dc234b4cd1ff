package io.journeycep.patterns.spec;

import io.journeycep.patterns.JourneyPattern;
import io.journeycep.patterns.spec.StepSpec.Contiguity;

import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.WithinType;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A {@link PatternSpec} compiled into a Flink CEP pattern over {@link SpecStep}s: one class for every declared
 * pattern, the built-ins included.
 *
 * <ul>
 *   <li>Steps in order: the first is {@code begin(name, skip)}; each later one is {@code next} / {@code followedBy} /
 *       {@code followedByAny} by its contiguity ({@code notNext} / {@code notFollowedBy} when negated).
 *   <li>{@code times}: {@code times(n)}, {@code times(min, max)}, {@code oneOrMore()}, {@code timesOrMore(min)};
 *       {@code min: 0} adds {@code optional()}; {@code loop: strict} is {@code consecutive()}, {@code any} is
 *       {@code allowCombinations()}; {@code until} is {@code until(...)}.
 *   <li>Conditions are {@link StepMatches}, or {@link StartsAfterLookback} for the steps that can take a match's
 *       first event when the spec has {@code starts-after}.
 *   <li>Windows are inclusive: CEP times a partial match out when {@code t - start >= window}, so it is given
 *       {@code within + 1 ms}; an event exactly {@code within} after the first (or previous) one still counts.
 * </ul>
 *
 * The pattern sees only what {@link #input()} lets through; run it in {@link
 * io.journeycep.patterns.cep.WindowClosingCepOperator} with {@link #windowMillis()}.
 */
public final class CompiledPattern implements JourneyPattern<SpecStep> {
    private final PatternSpec spec;

    private CompiledPattern(PatternSpec spec) {
        this.spec = spec;
    }

    /**
     * Compiles a spec; one with lint errors is refused with them all, and so is one Flink CEP itself rejects.
     *
     * @throws IllegalArgumentException naming the problems
     */
    public static CompiledPattern compile(PatternSpec spec) {
        List<String> errors = PatternLint.check(spec, null).stream()
                .filter(Finding::isError)
                .map(f -> f.field + ": " + f.message)
                .collect(Collectors.toList());
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("pattern '" + spec.id + "': " + String.join("; ", errors));
        }
        CompiledPattern compiled = new CompiledPattern(spec);
        try {
            NFACompiler.compileFactory(compiled.pattern(), false);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("pattern '" + spec.id + "': Flink CEP rejects it: " + e.getMessage(), e);
        }
        return compiled;
    }

    public PatternSpec spec() {
        return spec;
    }

    @Override
    public String name() {
        return spec.id;
    }

    @Override
    public AfterMatchSkipStrategy skipStrategy() {
        switch (spec.skip) {
            case NO_SKIP:
                return AfterMatchSkipStrategy.noSkip();
            case SKIP_TO_NEXT:
                return AfterMatchSkipStrategy.skipToNext();
            case SKIP_TO_FIRST:
                return AfterMatchSkipStrategy.skipToFirst(spec.skipStep);
            case SKIP_TO_LAST:
                return AfterMatchSkipStrategy.skipToLast(spec.skipStep);
            default:
                return AfterMatchSkipStrategy.skipPastLastEvent();
        }
    }

    /** The window given to CEP: {@code within} plus 1 ms, for inclusive boundaries. */
    public long windowMillis() {
        return spec.within.toMillis() + 1;
    }

    /** The filter in front of CEP: only events matching a step, an {@code until} or {@code also-sees} go on. */
    public SpecInput input() {
        return new SpecInput(spec.inputMatchers());
    }

    /** The look-back the stage must attach, or null when the spec has no {@code starts-after}. */
    public PatternSpec.Lookback lookback() {
        return spec.startsAfter;
    }

    /** The names of the positive steps, in order: how a match's events are listed. */
    public List<String> positiveSteps() {
        List<String> out = new ArrayList<>();
        for (StepSpec s : spec.steps) {
            if (!s.negate) {
                out.add(s.name);
            }
        }
        return out;
    }

    @Override
    public Pattern<SpecStep, ?> pattern() {
        List<Integer> canStart = spec.stepsThatCanStart();
        Pattern<SpecStep, SpecStep> p = null;
        for (int i = 0; i < spec.steps.size(); i++) {
            StepSpec s = spec.steps.get(i);
            if (p == null) {
                p = Pattern.begin(s.name, skipStrategy());
            } else if (s.negate) {
                p = s.effectiveContiguity() == Contiguity.STRICT ? p.notNext(s.name) : p.notFollowedBy(s.name);
            } else {
                switch (s.effectiveContiguity()) {
                    case STRICT:
                        p = p.next(s.name);
                        break;
                    case ANY:
                        p = p.followedByAny(s.name);
                        break;
                    default:
                        p = p.followedBy(s.name);
                }
            }
            p = p.where(condition(s, i, canStart));
            if (s.times != null) {
                p = quantify(p, s);
            }
            if (s.optional) {
                p = p.optional();
            }
        }
        return p.within(Duration.ofMillis(windowMillis()), spec.withinType == PatternSpec.WithinType.FIRST_AND_LAST
                ? WithinType.FIRST_AND_LAST : WithinType.PREVIOUS_AND_CURRENT);
    }

    private IterativeCondition<SpecStep> condition(StepSpec s, int index, List<Integer> canStart) {
        if (spec.startsAfter == null || s.negate || !canStart.contains(index)) {
            return new StepMatches(s.match);
        }
        List<String> earlier = new ArrayList<>();
        for (int j : canStart) {
            if (j < index || (j == index && s.looping())) {
                earlier.add(spec.steps.get(j).name);
            }
        }
        return new StartsAfterLookback(s.match, earlier);
    }

    private static Pattern<SpecStep, SpecStep> quantify(Pattern<SpecStep, SpecStep> p, StepSpec s) {
        StepSpec.Times t = s.times;
        int lo = Math.max(t.min, 1);
        if (t.max == null) {
            p = lo == 1 ? p.oneOrMore() : p.timesOrMore(lo);
        } else if (t.max > lo) {
            p = p.times(lo, t.max);
        } else if (lo > 1) {
            p = p.times(lo);
        }
        if (t.min == 0) {
            p = p.optional();
        }
        if (s.looping()) {
            if (t.loop == Contiguity.STRICT) {
                p = p.consecutive();
            } else if (t.loop == Contiguity.ANY) {
                p = p.allowCombinations();
            }
        }
        if (s.until != null) {
            p = p.until(new StepMatches(s.until));
        }
        return p;
    }
}
