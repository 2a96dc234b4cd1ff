package io.journeycep.model;

import java.util.Objects;

/**
 * One validated clickstream event in canonical form (DESIGN §2), whatever shape it arrived in.
 *
 * <p>A Flink POJO: public fields, a no-arg constructor, no collections (arrays only), so it never falls back to Kryo.
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
    /**
     * Set only for a Segment {@code group} call (README "Segment calls"): the account the user belongs to. A group call
     * is no step of the journey and no activity; only the user's pass keeps it ({@link #groupTraitNames}).
     */
    public String groupId;
    /** A group call's traits (scalar values only, as text), names and values pairwise; {@code null} without any. */
    public String[] groupTraitNames;
    /** The values of {@link #groupTraitNames}, in the same order. */
    public String[] groupTraitValues;
    /**
     * The consent categories the event says the user granted (README "Consent"), or {@code null} when the event carries
     * no consent object (the user's consent stays as it was). Empty: a consent object that grants nothing.
     */
    public String[] consentGranted;
    /**
     * {@code null} for an event. Set, this is not an event but an erasure marker (README "Privacy"): the keyed stages
     * delete what they hold under its {@link #userKey()} and emit nothing about that user; it has no {@link #type} and
     * never counts as an event.
     */
    public Erasure erasure;
    /**
     * {@code null} for an event. Set, this is not an event but a suppression marker (README "Privacy"): the dedupe
     * stage records it under its {@link #userKey()} and forwards it to no other stage.
     */
    public Suppression suppression;
    /**
     * Where the event goes after identity stitching, for the user's pass that runs both the detectors and the journeys
     * on one stream: {@link #ROUTE_ALL} (the default), {@link #ROUTE_DETECTORS} (an anonymous event the stitcher holds
     * for the journeys until a link) or {@link #ROUTE_JOURNEYS} (a held anonymous event
     * released to the journeys, under its user when a link came).
     */
    public byte route;

    /** To the detectors and the journeys. */
    public static final byte ROUTE_ALL = 0;
    /** To the detectors only (patterns, segments, velocity, drift). */
    public static final byte ROUTE_DETECTORS = 1;
    /** To the journeys only. */
    public static final byte ROUTE_JOURNEYS = 2;

    public JourneyEvent() {}

    /** Whether the detectors (patterns, segments, velocity, drift) take it: every event not routed to the journeys only. */
    public boolean forDetectors() {
        return route != ROUTE_JOURNEYS;
    }

    /** Whether the journeys take it: every event not routed to the detectors only. */
    public boolean forJourneys() {
        return route != ROUTE_DETECTORS;
    }

    /**
     * The erasure marker of one key of a request: {@code userId} set for a user's key, else {@code anonymousId} for an
     * anonymous visitor's ({@link UserKeys}). {@code timestamp} is the request time: the stages that wait for the
     * watermark release it once the watermark has passed it.
     */
    public static JourneyEvent erasureMarker(Erasure erasure, String userId, String anonymousId, long timestamp) {
        JourneyEvent m = new JourneyEvent();
        m.erasure = erasure;
        m.userId = userId;
        m.anonymousId = anonymousId;
        m.timestamp = timestamp;
        m.eventId = "erasure:" + erasure.erasureId;
        m.source = "erasure";
        return m;
    }

    /** Whether this is a Segment {@code group} call: it attaches the user to an account and is no journey step. */
    public boolean isGroupCall() {
        return groupId != null;
    }

    /** Whether this is an erasure marker, not an event. */
    public boolean isErasure() {
        return erasure != null;
    }

    /**
     * The suppression marker of one key of a {@code suppress} or {@code unsuppress} request: {@code userId} set for a
     * user's key, else {@code anonymousId} for an anonymous visitor's ({@link UserKeys}). {@code timestamp} is the
     * request's time, from which it holds.
     */
    public static JourneyEvent suppressionMarker(Suppression suppression, String userId, String anonymousId) {
        JourneyEvent m = new JourneyEvent();
        m.suppression = suppression;
        m.userId = userId;
        m.anonymousId = anonymousId;
        m.timestamp = suppression.at;
        m.eventId = (suppression.suppress ? "suppress:" : "unsuppress:") + suppression.requestId;
        m.source = "suppression";
        return m;
    }

    /** Whether this is a suppression marker, not an event. */
    public boolean isSuppression() {
        return suppression != null;
    }

    /**
     * The key events are grouped by per user: the user id's key, or the anonymous id's when no user id is known. Built
     * by {@link UserKeys}, so a user id never gives an anonymous visitor's key (or another user's).
     */
    public String userKey() {
        return UserKeys.of(userId, anonymousId);
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
                && route == that.route
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
                && Objects.equals(source, that.source)
                && Objects.equals(groupId, that.groupId)
                && java.util.Arrays.equals(groupTraitNames, that.groupTraitNames)
                && java.util.Arrays.equals(groupTraitValues, that.groupTraitValues)
                && java.util.Arrays.equals(consentGranted, that.consentGranted)
                && Objects.equals(erasure, that.erasure)
                && Objects.equals(suppression, that.suppression);
    }

    @Override
    public int hashCode() {
        return Objects.hash(eventId, type, userId, anonymousId, timestamp, itemId, source, position);
    }

    @Override
    public String toString() {
        if (erasure != null) {
            return "JourneyEvent{erasure marker " + erasure.erasureId + '}';
        }
        if (suppression != null) {
            return "JourneyEvent{" + (suppression.suppress ? "suppression" : "unsuppression") + " marker "
                    + suppression.requestId + '}';
        }
        return "JourneyEvent{" + eventId + ' ' + type + " user=" + userKey() + " ts=" + timestamp
                + (itemId != null ? " item=" + itemId : "") + (price != null ? " price=" + price : "") + '}';
    }
}
