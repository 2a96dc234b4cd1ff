package io.journeycep.pipeline.stages.velocity;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.velocity.VelocityRule;

import java.util.Objects;

/**
 * One event for one velocity rule, keyed {@code ruleId|dimensionValue}: what the rule fan-out emits (one record per
 * rule in force the event matches) and {@link VelocityEvaluator} consumes, keyed by {@link #key}. It carries the rule
 * version the fan-out routed it under, so the evaluator can apply a change it sees in a record before its own
 * broadcast input delivers it (Flink does not order the two inputs). A Flink POJO.
 */
public class KeyedRuleEvent {
    /** {@code ruleId|dimensionValue}. */
    public String key;
    public VelocityRule rule;
    public JourneyEvent event;

    public KeyedRuleEvent() {}

    /** The record for a rule and an event it {@link VelocityRule#matches matches}. */
    public static KeyedRuleEvent of(VelocityRule rule, JourneyEvent event) {
        if (!rule.matches(event)) {
            throw new IllegalArgumentException(rule.ruleId + " does not match " + event);
        }
        KeyedRuleEvent r = new KeyedRuleEvent();
        r.key = rule.keyOf(event);
        r.rule = rule;
        r.event = event;
        return r;
    }

    public String key() {
        return key;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof KeyedRuleEvent)) {
            return false;
        }
        KeyedRuleEvent that = (KeyedRuleEvent) o;
        return Objects.equals(key, that.key) && Objects.equals(rule, that.rule) && Objects.equals(event, that.event);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, event);
    }

    @Override
    public String toString() {
        return "KeyedRuleEvent{" + key + " v" + (rule == null ? "?" : rule.version) + ' ' + event + '}';
    }
}
