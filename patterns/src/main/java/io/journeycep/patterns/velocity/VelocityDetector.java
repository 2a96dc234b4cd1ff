package io.journeycep.patterns.velocity;

import io.journeycep.model.JourneyEvent;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;

/**
 * One velocity rule on one key (for example {@code login-failed-per-user|u-42}): the sliding window plus the
 * crossing state. Plain Java and a Flink POJO; the rule itself is passed in on each call, not held.
 *
 * <p><b>When the rule is evaluated.</b> At each distinct event time {@code t} of the key's contributing events, once
 * every event up to {@code t} is in (in Flink: when the watermark passes {@code t}), in event-time order. The
 * aggregate only rises at event times, so this sees every rise.
 *
 * <p><b>One alert per crossing, with a cool-down.</b> The state is {@code armed} (initially true) and the time of the
 * last alert. At an evaluation at {@code t}:
 * <ol>
 *   <li>if the value an instant before {@code t} ({@link SlidingWindowAggregate#valueBefore}, the lowest value since
 *       the previous evaluation) does not satisfy the comparison, the key is (re-)armed: the aggregate was below the
 *       threshold at some instant;
 *   <li>if the key is armed, the value at {@code t} satisfies the comparison ({@code >=} or {@code >} threshold),
 *       and there was no alert yet or {@code t ≥ last alert + cool-down} (inclusive, like every boundary), an alert
 *       fires and the key is disarmed.
 * </ol>
 * So a burst that stays above the threshold fires once; after it has dropped below, the next rise fires again, but
 * not before the cool-down ({@link VelocityRule#effectiveCooldownMs()}, default: the window) has passed since the
 * last alert. A re-crossing inside the cool-down is not lost: the key stays armed and fires at the first evaluation
 * at or after the cool-down's end at which the aggregate is still at or above the threshold.
 *
 * <p><b>State bound.</b> The window holds what {@link SlidingWindowAggregate} holds; the detector can be dropped
 * entirely ({@link #canBeDropped}) once the window is empty and the cool-down has passed; a fresh detector then
 * behaves exactly as the old one would (an empty window is below every valid threshold, so it would re-arm).
 */
public class VelocityDetector {

    /** At most this many distinct values in a crossing's explanation. */
    public static final int MAX_DISTINCT_VALUES = 20;

    /** The rule version this state was built for. */
    public int ruleVersion;
    public SlidingWindowAggregate window;
    public boolean armed = true;
    /** Whether an alert fired (then {@link #lastAlertTime} holds its event time). */
    public boolean alerted;
    public long lastAlertTime;

    public VelocityDetector() {}

    public static VelocityDetector forRule(VelocityRule rule) {
        VelocityDetector d = new VelocityDetector();
        d.ruleVersion = rule.version;
        d.window = new SlidingWindowAggregate(rule.aggregate, rule.windowMs);
        return d;
    }

    /**
     * Adds an event the rule {@link VelocityRule#matches matches}. Returns {@code true} when it entered the window
     * (then {@code event.timestamp} needs an evaluation), {@code false} when it is late (at or before the settled
     * frontier) or carries no usable value for the rule's field.
     */
    public boolean add(VelocityRule rule, JourneyEvent event) {
        switch (rule.aggregate) {
            case COUNT:
                return window.addCount(event.timestamp, event.eventId);
            case DISTINCT_COUNT:
                return window.addDistinct(event.timestamp, rule.field.textOf(event), event.eventId);
            case SUM:
                return window.addValue(event.timestamp, rule.field.numberOf(event), event.eventId);
            default:
                throw new IllegalStateException(String.valueOf(rule.aggregate));
        }
    }

    /**
     * Evaluates the rule at event time {@code t} (see the class comment), then settles the window through {@code t}.
     * Returns the crossing when an alert fires, else {@code null}. {@code t} must be after every earlier evaluation.
     */
    public VelocityCrossing evaluate(VelocityRule rule, long t) {
        Objects.requireNonNull(rule, "rule");
        BigDecimal threshold = rule.thresholdDecimal();
        BigDecimal before = window.valueBefore(t);
        BigDecimal now = window.valueAt(t);
        if (!rule.comparison.holds(before, threshold)) {
            armed = true;
        }
        VelocityCrossing crossing = null;
        if (armed && rule.comparison.holds(now, threshold) && cooledDown(rule, t)) {
            List<String> values = rule.aggregate == VelocityRule.Aggregate.DISTINCT_COUNT
                    ? window.distinctValuesAt(t, MAX_DISTINCT_VALUES)
                    : List.of();
            crossing = new VelocityCrossing(rule.ruleId, rule.version, now, rule.threshold, rule.comparison,
                    window.windowStart(t), t, t, window.evidenceAt(t), values);
            armed = false;
            alerted = true;
            lastAlertTime = t;
        }
        window.settle(t);
        return crossing;
    }

    private boolean cooledDown(VelocityRule rule, long t) {
        return !alerted || t - lastAlertTime >= rule.effectiveCooldownMs();
    }

    /** Settles the window through {@code through} without evaluating (eviction only). */
    public void settle(long through) {
        window.settle(through);
    }

    /** The time from which the cool-down no longer matters ({@link Long#MIN_VALUE} if no alert fired). */
    public long cooldownEnd(VelocityRule rule) {
        return cooldownEnd(rule.effectiveCooldownMs());
    }

    public long cooldownEnd(long cooldownMs) {
        return alerted ? lastAlertTime + cooldownMs : Long.MIN_VALUE;
    }

    /** Whether this state can be discarded at event time {@code time}: empty window and the cool-down over. */
    public boolean canBeDropped(long time, long cooldownMs) {
        return window.isEmpty() && time >= cooldownEnd(cooldownMs);
    }

    @Override
    public String toString() {
        return "VelocityDetector{v" + ruleVersion + " armed=" + armed + (alerted ? " lastAlert=" + lastAlertTime : "")
                + ' ' + window + '}';
    }
}
