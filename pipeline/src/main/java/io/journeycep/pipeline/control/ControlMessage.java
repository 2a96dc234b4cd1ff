package io.journeycep.pipeline.control;

import io.journeycep.model.Erasure;
import io.journeycep.model.Suppression;
import io.journeycep.patterns.velocity.VelocityRule;

import java.util.Arrays;
import java.util.Objects;

/**
 * A parsed, valid message of the control topic (one JSON object per Kafka record, DESIGN §1), broadcast to the
 * operators it concerns. Its {@link #type} says what it is:
 *
 * <ul>
 *   <li>{@value #VELOCITY_RULE}: {@code {"type":"velocity-rule","rule":{...}}}, adds or changes a velocity rule;
 *       {@link #rule} is the rule (valid), {@link #ruleId} and {@link #version} are its id and version;
 *   <li>{@value #VELOCITY_RULE_REMOVED}: {@code {"type":"velocity-rule-removed","rule-id":"x","version":3}}, removes
 *       a velocity rule as of a version; {@link #rule} is {@code null};
 *   <li>{@value #SEGMENT_RULE}: {@code {"type":"segment-rule","segment":{"id":"X","version":2,"when":{...}}}}, adds or
 *       changes a segment definition; {@link #definition} is the segment object as JSON (valid), {@link #ruleId} its
 *       id;
 *   <li>{@value #SEGMENT_RULE_REMOVED}: {@code {"type":"segment-rule-removed","segment-id":"X","version":2}};
 *   <li>{@value #ERASURE}: {@code {"type":"erasure","user-id":"u-42","anonymous-ids":["a-9"]}}, deletes the user's
 *       state and rows; {@link #erasure} holds the request with the ids as the state holds them (pseudonyms when
 *       pseudonymization is on) and the user id only as a hash, and {@link #raw} is {@code null} (the raw request
 *       holds the id).
 *   <li>{@value #SUPPRESS}: {@code {"type":"suppress","user-id":"u-42","anonymous-ids":["a-9"],"delete":true}}, drops
 *       the user's events at ingestion from the request time on; {@link #suppression} holds the request as {@link
 *       #erasure} does, and with {@code "delete":true} {@link #erasure} is set too (the same request also erases);
 *   <li>{@value #UNSUPPRESS}: {@code {"type":"unsuppress","user-id":"u-42","anonymous-ids":["a-9"]}}, admits the
 *       user's events again from the request time on.
 * </ul>
 *
 * Operators ignore the types that are not theirs. Every rule message keeps where it came from and its raw bytes, so an
 * operator that rejects it later (a stale version) can send it to the dead letters as it was. A Flink POJO.
 */
public class ControlMessage {
    public static final String VELOCITY_RULE = "velocity-rule";
    public static final String VELOCITY_RULE_REMOVED = "velocity-rule-removed";
    public static final String SEGMENT_RULE = "segment-rule";
    public static final String SEGMENT_RULE_REMOVED = "segment-rule-removed";
    public static final String ERASURE = "erasure";
    public static final String SUPPRESS = "suppress";
    public static final String UNSUPPRESS = "unsuppress";

    public String type;
    /** {@value #VELOCITY_RULE}: the rule; else {@code null}. */
    public VelocityRule rule;
    /** {@value #SEGMENT_RULE}: the segment definition as JSON; else {@code null}. */
    public String definition;
    /** {@value #ERASURE}: the request (keys as in state, the id hashed); else {@code null}. */
    public Erasure erasure;
    /** {@value #SUPPRESS}, {@value #UNSUPPRESS}: the request (keys as in state, the id hashed); else {@code null}. */
    public Suppression suppression;
    /** The velocity rule id or segment id the message concerns. */
    public String ruleId;
    /** The rule's version, or the version a removal is as of. */
    public int version;

    /** {@code kafka:<topic>/<partition>}. */
    public String source;
    /** The Kafka offset. */
    public long position;
    /** The record value as received. */
    public byte[] raw;

    public ControlMessage() {}

    public static ControlMessage velocityRule(VelocityRule rule, String source, long position, byte[] raw) {
        ControlMessage m = origin(VELOCITY_RULE, source, position, raw);
        m.rule = rule;
        m.ruleId = rule.ruleId;
        m.version = rule.version;
        return m;
    }

    public static ControlMessage velocityRuleRemoved(
            String ruleId, int version, String source, long position, byte[] raw) {
        ControlMessage m = origin(VELOCITY_RULE_REMOVED, source, position, raw);
        m.ruleId = ruleId;
        m.version = version;
        return m;
    }

    public static ControlMessage segmentRule(String segmentId, int version, String definitionJson, String source,
            long position, byte[] raw) {
        ControlMessage m = origin(SEGMENT_RULE, source, position, raw);
        m.ruleId = segmentId;
        m.version = version;
        m.definition = definitionJson;
        return m;
    }

    public static ControlMessage segmentRuleRemoved(
            String segmentId, int version, String source, long position, byte[] raw) {
        ControlMessage m = origin(SEGMENT_RULE_REMOVED, source, position, raw);
        m.ruleId = segmentId;
        m.version = version;
        return m;
    }

    /** An erasure request; it keeps no raw bytes (they hold the user id). */
    public static ControlMessage erasure(Erasure erasure, String source, long position) {
        ControlMessage m = origin(ERASURE, source, position, null);
        m.erasure = erasure;
        return m;
    }

    /**
     * A {@code suppress} or {@code unsuppress} request; with {@code erasure} (a {@code suppress} with {@code
     * "delete":true}) it also erases. It keeps no raw bytes (they hold the user id).
     */
    public static ControlMessage suppression(Suppression suppression, Erasure erasure, String source, long position) {
        ControlMessage m = origin(suppression.suppress ? SUPPRESS : UNSUPPRESS, source, position, null);
        m.suppression = suppression;
        m.erasure = erasure;
        return m;
    }

    /** Whether the user's state and rows are to be erased: an erasure request, or a suppression with delete. */
    public boolean erases() {
        return erasure != null;
    }

    /** Whether it is a suppress or unsuppress request. */
    public boolean isSuppression() {
        return suppression != null;
    }

    /** Whether it is an erasure request. */
    public boolean isErasure() {
        return ERASURE.equals(type);
    }

    /** Whether it concerns segment definitions (either type). */
    public boolean isSegment() {
        return SEGMENT_RULE.equals(type) || SEGMENT_RULE_REMOVED.equals(type);
    }

    private static ControlMessage origin(String type, String source, long position, byte[] raw) {
        ControlMessage m = new ControlMessage();
        m.type = type;
        m.source = source;
        m.position = position;
        m.raw = raw;
        return m;
    }

    /** Whether it concerns velocity rules (either type). */
    public boolean isVelocity() {
        return VELOCITY_RULE.equals(type) || VELOCITY_RULE_REMOVED.equals(type);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ControlMessage)) {
            return false;
        }
        ControlMessage that = (ControlMessage) o;
        return version == that.version && position == that.position && Objects.equals(type, that.type)
                && Objects.equals(rule, that.rule) && Objects.equals(ruleId, that.ruleId)
                && Objects.equals(definition, that.definition) && Objects.equals(erasure, that.erasure)
                && Objects.equals(suppression, that.suppression)
                && Objects.equals(source, that.source) && Arrays.equals(raw, that.raw);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, ruleId, version, source, position);
    }

    @Override
    public String toString() {
        if (isErasure()) {
            return "ControlMessage{" + type + ' ' + erasure + " from " + source + '@' + position + '}';
        }
        if (isSuppression()) {
            return "ControlMessage{" + type + ' ' + suppression + (erases() ? " with delete" : "") + " from " + source
                    + '@' + position + '}';
        }
        return "ControlMessage{" + type + ' ' + ruleId + " v" + version + " from " + source + '@' + position + '}';
    }
}
