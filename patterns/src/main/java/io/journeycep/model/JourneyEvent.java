package io.journeycep.model;

import java.util.Objects;

/**
 * One validated clickstream event in canonical form (DESIGN §2), whatever shape it arrived in.
 *
 * <p>A Flink POJO: public fields, a no-arg constructor, no collections, so it never falls back to Kryo.
 * Optional fields are {@code null} when the source did not carry them.
 */
public class JourneyEvent {
    /** messageId / event_id from the source, or a stable id derived from the source position. */
    public String eventId;
    public EventType type;
    /** The event name as the source sent it (for example {@code Product Added}). */
    public String sourceEventName;
    public String userId;
    public String anonymousId;
    public String sessionId;
    /** Event time, epoch milliseconds UTC. */
    public long timestamp;
    public String itemId;
    public String categoryId;
    public Double price;
    public String currency;
    public Integer quantity;
    public String ip;
    public String deviceId;
    public String cardId;
    /** Where the record came from: {@code kafka:<topic>/<partition>} or {@code file:<name>}. */
    public String source;
    /** Offset (Kafka) or line number (file) of the record within {@link #source}. */
    public long position;

    public JourneyEvent() {}

    /** The key events are grouped by per user: the user id, or the anonymous id when no user id is known. */
    public String userKey() {
        return userId != null ? userId : "anon:" + anonymousId;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof JourneyEvent)) {
            return false;
        }
        JourneyEvent that = (JourneyEvent) o;
        return timestamp == that.timestamp
                && position == that.position
                && Objects.equals(eventId, that.eventId)
                && type == that.type
                && Objects.equals(sourceEventName, that.sourceEventName)
                && Objects.equals(userId, that.userId)
                && Objects.equals(anonymousId, that.anonymousId)
                && Objects.equals(sessionId, that.sessionId)
                && Objects.equals(itemId, that.itemId)
                && Objects.equals(categoryId, that.categoryId)
                && Objects.equals(price, that.price)
                && Objects.equals(currency, that.currency)
                && Objects.equals(quantity, that.quantity)
                && Objects.equals(ip, that.ip)
                && Objects.equals(deviceId, that.deviceId)
                && Objects.equals(cardId, that.cardId)
                && Objects.equals(source, that.source);
    }

    @Override
    public int hashCode() {
        return Objects.hash(eventId, type, userId, anonymousId, timestamp, itemId, source, position);
    }

    @Override
    public String toString() {
        return "JourneyEvent{" + eventId + ' ' + type + " user=" + userKey() + " ts=" + timestamp
                + (itemId != null ? " item=" + itemId : "") + (price != null ? " price=" + price : "") + '}';
    }
}
