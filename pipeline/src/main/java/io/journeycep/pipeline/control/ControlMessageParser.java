package io.journeycep.pipeline.control;

import io.journeycep.model.Erasure;
import io.journeycep.model.Suppression;
import io.journeycep.model.UserKeys;
import io.journeycep.patterns.segments.SegmentDefinition;
import io.journeycep.patterns.velocity.VelocityRule;
import io.journeycep.pipeline.config.VelocityRuleSpec;
import io.journeycep.pipeline.ingest.WallClock;
import io.journeycep.pipeline.privacy.Pseudonymizer;
import io.journeycep.sinks.RejectReason;
import io.journeycep.sinks.RejectedEvent;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Parses one control-topic record into a {@link ControlMessage}, or rejects it ({@link RejectReason#BAD_CONTROL_MESSAGE})
 * with a detail that names the field at fault ({@code "rule.threshold: a count threshold must be a whole number, was
 * 2.5"}). Never throws. The rule of a {@code velocity-rule} message is read and validated exactly as a rule of the
 * config file ({@link VelocityRuleSpec}), with one more requirement: its {@code version} must be given.
 *
 * <p>Whether a valid message is accepted (its version against the version in force) is not decided here but by the
 * rule book of the operators it is broadcast to.
 */
public final class ControlMessageParser implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final List<String> TYPES = List.of(ControlMessage.VELOCITY_RULE,
            ControlMessage.VELOCITY_RULE_REMOVED, ControlMessage.SEGMENT_RULE, ControlMessage.SEGMENT_RULE_REMOVED,
            ControlMessage.ERASURE, ControlMessage.SUPPRESS, ControlMessage.UNSUPPRESS);
    private static final List<String> RULE_FIELDS = List.of("rule-id", "version", "event-types", "dimension",
            "aggregate", "field", "comparison", "threshold", "window", "severity", "cooldown");

    /** What a record became: a message or a dead letter, never both. */
    public static final class Result {
        public final ControlMessage message;
        public final RejectedEvent rejected;

        private Result(ControlMessage message, RejectedEvent rejected) {
            this.message = message;
            this.rejected = rejected;
        }

        public boolean isAccepted() {
            return message != null;
        }

        @Override
        public String toString() {
            return isAccepted() ? String.valueOf(message) : String.valueOf(rejected);
        }
    }

    /** A problem with the message; the text starts with the field at fault. */
    private static final class Bad extends Exception {
        private static final long serialVersionUID = 1L;

        /** The record holds personal data (an erasure request): its dead letter keeps no raw bytes. */
        final boolean personal;

        Bad(String message) {
            this(message, false);
        }

        Bad(String message, boolean personal) {
            super(message, null, false, false);
            this.personal = personal;
        }
    }

    private final WallClock clock;
    private final int segmentHorizonDays;
    /** Pseudonymizes an erasure's ids as the events' are, and keys its hash; {@code null}: off. */
    private final Pseudonymizer pseudonymizer;

    public ControlMessageParser(WallClock clock) {
        this(clock, 365);
    }

    /** @param segmentHorizonDays the longest window a segment rule may use ({@code segments.horizon}) */
    public ControlMessageParser(WallClock clock, int segmentHorizonDays) {
        this(clock, segmentHorizonDays, null);
    }

    /**
     * @param pseudonymizer the events' pseudonymizer ({@code privacy.pseudonymize}), or {@code null}: an erasure's ids
     *     are pseudonymized with it (state keys are pseudonyms) and its hash is keyed with its key
     */
    public ControlMessageParser(WallClock clock, int segmentHorizonDays, Pseudonymizer pseudonymizer) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.segmentHorizonDays = segmentHorizonDays;
        this.pseudonymizer = pseudonymizer;
    }

    public Result parse(ControlRecord record) {
        try {
            return new Result(parseOrThrow(record), null);
        } catch (Bad e) {
            return new Result(null, RejectedEvent.of(record.source, record.position, RejectReason.BAD_CONTROL_MESSAGE,
                    e.getMessage(), e.personal ? null : record.value, clock.nowMillis()));
        }
    }

    private ControlMessage parseOrThrow(ControlRecord r) throws Bad {
        if (r.value == null || r.value.length == 0) {
            throw new Bad("value: an empty record (a Kafka tombstone?); a rule is removed with"
                    + " {\"type\":\"velocity-rule-removed\",\"rule-id\":…,\"version\":…}");
        }
        JsonNode root;
        try {
            root = JSON.readTree(r.value);
        } catch (IOException e) {
            String why = e instanceof JsonProcessingException
                    ? ((JsonProcessingException) e).getOriginalMessage() : e.getMessage();
            throw new Bad("value: not JSON: " + firstLine(why));
        }
        if (root == null || !root.isObject()) {
            throw new Bad("value: a control message is a JSON object, was " + (root == null ? "nothing"
                    : root.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
        }
        JsonNode type = root.get("type");
        if (type == null || !type.isTextual()) {
            throw new Bad("type: required, one of " + String.join(", ", TYPES));
        }
        switch (type.asText()) {
            case ControlMessage.VELOCITY_RULE:
                return velocityRule(root, r);
            case ControlMessage.VELOCITY_RULE_REMOVED:
                return velocityRuleRemoved(root, r);
            case ControlMessage.SEGMENT_RULE:
                return segmentRule(root, r);
            case ControlMessage.SEGMENT_RULE_REMOVED:
                return segmentRuleRemoved(root, r);
            case ControlMessage.ERASURE:
                return erasure(root, r);
            case ControlMessage.SUPPRESS:
            case ControlMessage.UNSUPPRESS:
                return suppression(root, r, type.asText());
            default:
                throw new Bad("type: unknown control message type '" + type.asText() + "'; known: "
                        + String.join(", ", TYPES));
        }
    }

    private static ControlMessage velocityRule(JsonNode root, ControlRecord r) throws Bad {
        onlyFields(root, ControlMessage.VELOCITY_RULE, Set.of("type", "rule"));
        JsonNode node = root.get("rule");
        if (node == null || !node.isObject()) {
            throw new Bad("rule: required, an object with the rule's fields (" + String.join(", ", RULE_FIELDS) + ")");
        }
        JsonNode version = node.get("version");
        if (version == null || version.isNull()) {
            throw new Bad("rule.version: required in a control message (a whole number, higher than the version in"
                    + " force for the rule id)");
        }
        if (!version.isIntegralNumber() || !version.canConvertToInt()) {
            throw new Bad("rule.version: must be a whole number, was " + version);
        }
        VelocityRuleSpec spec;
        try {
            spec = VelocityRuleSpec.fromJson(node);
        } catch (UnrecognizedPropertyException e) {
            throw new Bad("rule." + e.getPropertyName() + ": unknown field; a rule has " + String.join(", ",
                    RULE_FIELDS));
        } catch (JsonMappingException e) {
            throw new Bad("rule." + fieldPath(e) + ": " + firstLine(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw new Bad("rule: " + firstLine(e.getOriginalMessage()));
        }
        List<String> errors = new ArrayList<>();
        VelocityRule rule = spec.toValidRule(errors);
        if (!errors.isEmpty()) {
            List<String> prefixed = new ArrayList<>();
            errors.forEach(e -> prefixed.add("rule." + e));
            throw new Bad(String.join("; ", prefixed));
        }
        keyIsRuleId(r, rule.ruleId);
        return ControlMessage.velocityRule(rule, r.source, r.position, r.value);
    }

    private static ControlMessage velocityRuleRemoved(JsonNode root, ControlRecord r) throws Bad {
        onlyFields(root, ControlMessage.VELOCITY_RULE_REMOVED, Set.of("type", "rule-id", "version"));
        JsonNode id = root.get("rule-id");
        if (id == null || !id.isTextual() || id.asText().isBlank()) {
            throw new Bad("rule-id: required, the id of the rule to remove");
        }
        JsonNode version = root.get("version");
        if (version == null || version.isNull()) {
            throw new Bad("version: required, at least the version in force (a removal keeps it, so an older"
                    + " velocity-rule message cannot bring the rule back)");
        }
        if (!version.isIntegralNumber() || !version.canConvertToInt() || version.asInt() < 1) {
            throw new Bad("version: must be a whole number >= 1, was " + version);
        }
        String ruleId = id.asText().strip();
        keyIsRuleId(r, ruleId);
        return ControlMessage.velocityRuleRemoved(ruleId, version.asInt(), r.source, r.position, r.value);
    }

    private ControlMessage segmentRule(JsonNode root, ControlRecord r) throws Bad {
        onlyFields(root, ControlMessage.SEGMENT_RULE, Set.of("type", "segment"));
        JsonNode node = root.get("segment");
        if (node == null || !node.isObject()) {
            throw new Bad("segment: required, an object with id, version, description, when (README \"Segment rules\")");
        }
        JsonNode version = node.get("version");
        if (version == null || version.isNull()) {
            throw new Bad("segment.version: required in a control message (a whole number, higher than the version in"
                    + " force for the segment id)");
        }
        List<String> errors = new ArrayList<>();
        SegmentDefinition d = SegmentDefinition.parse(node, "segment", segmentHorizonDays, errors);
        if (d == null) {
            throw new Bad(String.join("; ", errors));
        }
        keyIsRuleId(r, d.id);
        return ControlMessage.segmentRule(d.id, d.version, node.toString(), r.source, r.position, r.value);
    }

    private static ControlMessage segmentRuleRemoved(JsonNode root, ControlRecord r) throws Bad {
        onlyFields(root, ControlMessage.SEGMENT_RULE_REMOVED, Set.of("type", "segment-id", "version"));
        JsonNode id = root.get("segment-id");
        if (id == null || !id.isTextual() || id.asText().isBlank()) {
            throw new Bad("segment-id: required, the id of the segment to remove");
        }
        JsonNode version = root.get("version");
        if (version == null || !version.isIntegralNumber() || !version.canConvertToInt() || version.asInt() < 1) {
            throw new Bad("version: required, a whole number >= 1 and at least the version in force, was " + version);
        }
        String segmentId = id.asText().strip();
        keyIsRuleId(r, segmentId);
        return ControlMessage.segmentRuleRemoved(segmentId, version.asInt(), r.source, r.position, r.value);
    }

    /** {@code {"type":"erasure","user-id":"u-42","anonymous-ids":["a-9"]}}; the ids as {@link #person} reads them. */
    private ControlMessage erasure(JsonNode root, ControlRecord r) throws Bad {
        Person p = person(root, "erasure", "the user to erase", Set.of("type", "user-id", "anonymous-ids"));
        Erasure erasure = Erasure.of(r.source + "@" + r.position, p.hash, requestTime(r), p.keys);
        return ControlMessage.erasure(erasure, r.source, r.position);
    }

    /**
     * {@code {"type":"suppress","user-id":"u-42","anonymous-ids":["a-9"],"delete":true}} and {@code
     * {"type":"unsuppress",...}}: the ids as an erasure's (same fields, same rules, no value quoted, no raw bytes kept);
     * {@code delete} (a {@code suppress} only, a boolean, default false) makes the same request an erasure as well,
     * with the same id, keys and request time.
     */
    private ControlMessage suppression(JsonNode root, ControlRecord r, String type) throws Bad {
        boolean suppress = ControlMessage.SUPPRESS.equals(type);
        Set<String> fields = suppress ? Set.of("type", "user-id", "anonymous-ids", "delete")
                : Set.of("type", "user-id", "anonymous-ids");
        Person p = person(root, type, suppress ? "the user to suppress" : "the user to unsuppress", fields);
        boolean delete = false;
        JsonNode d = root.get("delete");
        if (d != null && !d.isNull()) {
            if (!d.isBoolean()) {
                throw new Bad("delete: must be true or false (true: also erase the user's state and rows)", true);
            }
            delete = d.booleanValue();
        }
        String id = r.source + "@" + r.position;
        long at = requestTime(r);
        Suppression suppression = Suppression.of(id, p.hash, suppress, at, p.keys);
        return ControlMessage.suppression(suppression, delete ? Erasure.of(id, p.hash, at, p.keys) : null, r.source,
                r.position);
    }

    /** The person a privacy request is about: the state keys it covers and the user id's hash. */
    private static final class Person {
        final String[] keys;
        final String hash;

        Person(String[] keys, String hash) {
            this.keys = keys;
            this.hash = hash;
        }
    }

    /**
     * Reads {@code user-id} and {@code anonymous-ids} of a privacy request ({@code erasure}, {@code suppress}, {@code
     * unsuppress}). Errors never quote a value (they are personal data), and a rejected request keeps no raw bytes. Any
     * record key is accepted (none is recommended). Ids are trimmed of leading and trailing white space, as the event
     * parsers trim them, so that a request for {@code " u-42"} reaches the user whose events said {@code "u-42 "}; they
     * are not Unicode-normalised (neither are events' ids: {@code café} in NFC and in NFD are two people).
     */
    private Person person(JsonNode root, String type, String whose, Set<String> fields) throws Bad {
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!fields.contains(name)) {
                throw new Bad(abbreviate(name) + ": unknown field of " + ("eu".indexOf(type.charAt(0)) >= 0 ? "an " : "a ") + type
                        + " message; it has " + String.join(", ", fields.stream().sorted().toList()), true);
            }
        }
        JsonNode user = root.get("user-id");
        if (user == null || !user.isTextual() || user.asText().isBlank()) {
            throw new Bad("user-id: required, the id of " + whose + " (a non-empty string)", true);
        }
        String userId = user.asText().strip(); // as the event parsers take ids: trimmed, not Unicode-normalised
        List<String> anonymousIds = new ArrayList<>();
        JsonNode anon = root.get("anonymous-ids");
        if (anon != null && !anon.isNull()) {
            if (!anon.isArray()) {
                throw new Bad("anonymous-ids: must be a list of the user's anonymous ids", true);
            }
            for (int i = 0; i < anon.size(); i++) {
                JsonNode a = anon.get(i);
                if (!a.isTextual() || a.asText().isBlank()) {
                    throw new Bad("anonymous-ids[" + i + "]: must be a non-empty string", true);
                }
                String anonymousId = a.asText().strip();
                if (!anonymousIds.contains(anonymousId)) {
                    anonymousIds.add(anonymousId);
                }
            }
        }
        List<String> keys = new ArrayList<>();
        keys.add(UserKeys.user(pseudonymizer == null ? userId
                : pseudonymizer.asInState(Pseudonymizer.Field.USER, userId)));
        for (String a : anonymousIds) {
            keys.add(UserKeys.anonymous(pseudonymizer == null ? a
                    : pseudonymizer.asInState(Pseudonymizer.Field.ANONYMOUS, a)));
        }
        String hash = pseudonymizer == null ? Pseudonymizer.plainErasureHash(userId) : pseudonymizer.erasureHash(userId);
        return new Person(keys.toArray(new String[0]), hash);
    }

    /** A privacy request's time: the control record's timestamp, else now. */
    private long requestTime(ControlRecord r) {
        return r.timestamp > 0 ? r.timestamp : clock.nowMillis();
    }

    private static void onlyFields(JsonNode root, String type, Set<String> allowed) throws Bad {
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                throw new Bad(name + ": unknown field of a " + type + " message; it has "
                        + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }

    /** A key, when there is one, must be the rule id: compaction keeps the latest message per key. */
    private static void keyIsRuleId(ControlRecord r, String ruleId) throws Bad {
        if (r.key == null) {
            return;
        }
        String key = new String(r.key, StandardCharsets.UTF_8);
        if (!key.equals(ruleId)) {
            throw new Bad("key: the record key '" + abbreviate(key) + "' is not the rule id '" + ruleId + "'; key"
                    + " rule messages by rule id (or not at all), so a compacted topic keeps each rule's latest"
                    + " message");
        }
    }

    private static String fieldPath(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return abbreviate(nl < 0 ? s : s.substring(0, nl));
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}
