package io.journeycep.patterns;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;

import java.util.Objects;

/**
 * What a CEP stage needs of an event: the fields patterns test, plus the arrival order ({@link #seq}, the source
 * position) that breaks ties between equal timestamps. Each stage's step type extends it (a Flink POJO: public
 * fields, no-arg constructor), and {@link ArrivalOrder} orders any of them.
 */
public abstract class PatternStep {
    public String eventId;
    public EventType type;
    public String userKey;
    /** Event time, epoch ms. */
    public long timestamp;
    /** Arrival order of the event (its source position); breaks ties between equal timestamps. */
    public long seq;
    public String itemId;
    public Double price;

    /** Fills {@code step}'s common fields from {@code event} and returns it. */
    public static <S extends PatternStep> S copyOf(JourneyEvent event, S step) {
        step.eventId = event.eventId;
        step.type = event.type;
        step.userKey = event.userKey();
        step.timestamp = event.timestamp;
        step.seq = event.position;
        step.itemId = event.itemId;
        step.price = event.price;
        return step;
    }

    /** Equality of the common fields, for subclasses' {@code equals}. */
    protected boolean sameStep(PatternStep that) {
        return timestamp == that.timestamp
                && seq == that.seq
                && Objects.equals(eventId, that.eventId)
                && type == that.type
                && Objects.equals(userKey, that.userKey)
                && Objects.equals(itemId, that.itemId)
                && Objects.equals(price, that.price);
    }

    @Override
    public int hashCode() {
        return Objects.hash(eventId, type, userKey, timestamp, seq);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + '{' + type + ' ' + eventId + " user=" + userKey + " ts=" + timestamp
                + " seq=" + seq + (price != null ? " price=" + price : "") + '}';
    }
}
