package io.journeycep.pipeline.stages.velocity;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.velocity.VelocityRule;

import java.util.Objects;

/**
 * One event for one key dimension, keyed {@code DIMENSION|value} (for example {@code DEVICE|d-7}): what the fan-out
 * emits (one record per dimension that at least one rule in force wants for the event's type, so at most four per
 * event) and {@link VelocityEvaluator} consumes, keyed by {@link #key}. It carries no rule: the evaluator decides with
 * its own rule book which rules see the event. It carries the {@link #epoch} of the fan-out's rule book when it routed
 * the event ({@link io.journeycep.patterns.velocity.VelocityRuleBook#epoch()}), so the evaluator can tell a record
 * routed under a rule's current windows from one routed before a change, and one routed after a change it has not
 * received yet (Flink does not order the two inputs). The event is {@link #slim slimmed} to the fields rules can use.
 * A Flink POJO.
 */
public class DimensionEvent {
    /** {@code DIMENSION|value}. */
    public String key;
    /** The fan-out's rule-book epoch when it routed the event. */
    public long epoch;
    public JourneyEvent event;

    public DimensionEvent() {}

    public static DimensionEvent of(VelocityRule.Dimension dimension, long epoch, JourneyEvent event) {
        String value = dimension.valueOf(event);
        if (value == null) {
            throw new IllegalArgumentException(event + " has no " + dimension);
        }
        DimensionEvent r = new DimensionEvent();
        r.key = keyOf(dimension, value);
        r.epoch = epoch;
        r.event = event;
        return r;
    }

    /** {@code DIMENSION|value}. */
    public static String keyOf(VelocityRule.Dimension dimension, String value) {
        return dimension.name() + '|' + value;
    }

    /** The dimension of a key {@code DIMENSION|value}. */
    public static VelocityRule.Dimension dimensionOf(String key) {
        return VelocityRule.Dimension.valueOf(key.substring(0, key.indexOf('|')));
    }

    /** The value of a key {@code DIMENSION|value}: the alert's subject. */
    public static String valueOf(String key) {
        return key.substring(key.indexOf('|') + 1);
    }

    /**
     * A copy with only what velocity rules read: id, type, time, the dimension values (user id or anonymous id, ip,
     * device, card) and the aggregatable fields ({@link io.journeycep.patterns.velocity.VelocityField}: item,
     * category, session, price, quantity). Not the source name, currency, source or position.
     */
    public static JourneyEvent slim(JourneyEvent e) {
        JourneyEvent s = new JourneyEvent();
        s.eventId = e.eventId;
        s.type = e.type;
        s.timestamp = e.timestamp;
        s.userId = e.userId;
        s.anonymousId = e.anonymousId;
        s.ip = e.ip;
        s.deviceId = e.deviceId;
        s.cardId = e.cardId;
        s.itemId = e.itemId;
        s.categoryId = e.categoryId;
        s.sessionId = e.sessionId;
        s.price = e.price;
        s.quantity = e.quantity;
        return s;
    }

    public String key() {
        return key;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof DimensionEvent)) {
            return false;
        }
        DimensionEvent that = (DimensionEvent) o;
        return epoch == that.epoch && Objects.equals(key, that.key) && Objects.equals(event, that.event);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, epoch, event);
    }

    @Override
    public String toString() {
        return "DimensionEvent{" + key + " @" + epoch + ' ' + event + '}';
    }
}
