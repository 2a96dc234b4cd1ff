package io.journeycep.patterns.spec;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.PatternStep;

import java.util.Arrays;
import java.util.Objects;

/**
 * One event of a user, as a compiled pattern spec's CEP stage sees it: the fields a spec's {@code where} conditions
 * may test ({@link SpecField}), and, when the spec has {@code starts-after}, the user's earlier events of those types
 * within the look-back ({@link #priorEventIds}), attached upstream by the look-back stage.
 *
 * <p>A Flink POJO (public fields, no-arg constructor, arrays rather than collections), so CEP buffers it with Flink's
 * own serializer.
 */
public class SpecStep extends PatternStep {
    public String categoryId;
    public String currency;
    public Integer quantity;
    public String sessionId;
    public String ip;
    public String deviceId;
    public String cardId;
    /** Ids of the user's {@code starts-after} events within the look-back before this one, oldest first (bounded). */
    public String[] priorEventIds = new String[0];
    /** The items of those events, same order. */
    public String[] priorItemIds = new String[0];
    /** The time of the latest such event, or {@code Long.MIN_VALUE} when there is none. */
    public long lastPriorTime = Long.MIN_VALUE;
    /**
     * An erasure marker, not an event ({@link JourneyEvent#isErasure()}): the CEP operator deletes the user's state
     * and timers and the pattern never sees it.
     */
    public boolean erasure;

    public SpecStep() {}

    /** The erasure marker for {@code marker}'s user key. */
    public static SpecStep erasureOf(JourneyEvent marker) {
        SpecStep step = new SpecStep();
        step.erasure = true;
        step.userKey = marker.userKey();
        step.eventId = marker.eventId;
        step.timestamp = marker.timestamp;
        return step;
    }

    /** Whether {@code step} is an erasure marker; a predicate for the CEP operator. */
    public static boolean isErasure(SpecStep step) {
        return step.erasure;
    }

    /** The step for {@code event}, every field a condition may test copied. */
    public static SpecStep of(JourneyEvent event) {
        SpecStep step = copyOf(event, new SpecStep());
        step.categoryId = event.categoryId;
        step.currency = event.currency;
        step.quantity = event.quantity;
        step.sessionId = event.sessionId;
        step.ip = event.ip;
        step.deviceId = event.deviceId;
        step.cardId = event.cardId;
        return step;
    }

    /** Whether a {@code starts-after} event precedes this one within the look-back. */
    public boolean hasPrior() {
        return priorEventIds.length > 0;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SpecStep)) {
            return false;
        }
        SpecStep that = (SpecStep) o;
        return sameStep(that)
                && erasure == that.erasure
                && lastPriorTime == that.lastPriorTime
                && Objects.equals(categoryId, that.categoryId)
                && Objects.equals(currency, that.currency)
                && Objects.equals(quantity, that.quantity)
                && Objects.equals(sessionId, that.sessionId)
                && Objects.equals(ip, that.ip)
                && Objects.equals(deviceId, that.deviceId)
                && Objects.equals(cardId, that.cardId)
                && Arrays.equals(priorEventIds, that.priorEventIds)
                && Arrays.equals(priorItemIds, that.priorItemIds);
    }

    @Override
    public int hashCode() {
        return super.hashCode();
    }

    @Override
    public String toString() {
        return super.toString() + (hasPrior() ? " priors=" + Arrays.toString(priorEventIds) : "");
    }
}
