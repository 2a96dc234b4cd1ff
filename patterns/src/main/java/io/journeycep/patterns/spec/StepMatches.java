package io.journeycep.patterns.spec;

import org.apache.flink.cep.pattern.conditions.SimpleCondition;

/** A step's condition: the event has one of the step's types and meets all its {@code where} conditions. */
public final class StepMatches extends SimpleCondition<SpecStep> {
    private static final long serialVersionUID = 1L;

    private final EventMatcher matcher;

    public StepMatches(EventMatcher matcher) {
        this.matcher = matcher;
    }

    @Override
    public boolean filter(SpecStep step) {
        return matcher.matches(step);
    }
}
