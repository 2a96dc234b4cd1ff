package io.journeycep.sinks.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertIds;
import io.journeycep.sinks.RejectedEvent;
import io.journeycep.sinks.SegmentChange;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The JSON of the output records, shared by the Kafka topics and the {@code alerts.evidence} jsonb column
 * (DESIGN §4). Keys are snake_case and match the PostgreSQL columns; times are ISO-8601 UTC strings
 * ({@code 2026-11-22T10:15:30.120Z}).
 *
 * <p>Thread-safe: the only state is one {@link ObjectMapper} that is configured once and then only used.
 */
public final class OutputJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private OutputJson() {}

    /**
     * An alert as JSON: {@code alert_id, kind, rule_id, rule_version, subject_key, score, threshold, window_start,
     * window_end, evidence, event_time, detected_at}. Non-finite scores/thresholds are written as {@code null}.
     */
    public static byte[] alert(Alert a) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("alert_id", alertId(a));
        n.put("kind", a.kind == null ? null : a.kind.name());
        n.put("rule_id", a.ruleId);
        n.put("rule_version", a.ruleVersion);
        n.put("subject_key", a.subjectKey);
        putFinite(n, "score", a.score);
        putFinite(n, "threshold", a.threshold);
        n.put("window_start", isoUtc(a.windowStart));
        n.put("window_end", isoUtc(a.windowEnd));
        n.set("evidence", evidence(a));
        n.put("event_time", isoUtc(a.eventTime));
        n.put("detected_at", isoUtc(a.detectedAt));
        return write(n);
    }

    /**
     * The alert's id: {@code alertId} when set, otherwise computed by {@link AlertIds} from the alert's fields, so that
     * Kafka and PostgreSQL always agree and an unset id never reaches the {@code alerts} primary key as NULL.
     */
    public static String alertId(Alert a) {
        return a.alertId != null ? a.alertId : AlertIds.of(a);
    }

    /**
     * The alert's evidence object: {@code evidenceJson} parsed, with {@code event_ids} set to {@code
     * evidenceEventIds}. If {@code evidenceJson} is empty it is {@code {}}; if it is JSON but not an object it is
     * kept under {@code "value"}; if it is not JSON at all it is kept as a string under {@code "unparsed"} (an
     * output sink must not fail the job over an upstream formatting bug).
     */
    public static ObjectNode evidence(Alert a) {
        ObjectNode ev;
        String raw = a.evidenceJson;
        if (raw == null || raw.isBlank()) {
            ev = MAPPER.createObjectNode();
        } else {
            JsonNode parsed;
            try {
                parsed = MAPPER.readTree(raw);
            } catch (JsonProcessingException e) {
                parsed = null;
            }
            if (parsed instanceof ObjectNode) {
                ev = (ObjectNode) parsed;
            } else {
                ev = MAPPER.createObjectNode();
                if (parsed == null || parsed.isMissingNode()) {
                    ev.put("unparsed", raw);
                } else {
                    ev.set("value", parsed);
                }
            }
        }
        ArrayNode ids = ev.putArray("event_ids");
        if (a.evidenceEventIds != null) {
            for (String id : a.evidenceEventIds) {
                ids.add(id);
            }
        }
        return ev;
    }

    /**
     * {@link #evidence(Alert)} as a string that PostgreSQL accepts as {@code jsonb}: jsonb rejects the NUL
     * character ({@code \u0000}) in strings and keys, so NULs are replaced with U+FFFD.
     */
    public static String evidenceForJsonb(Alert a) {
        JsonNode clean = withoutNul(evidence(a));
        return new String(write(clean), StandardCharsets.UTF_8);
    }

    /**
     * A rejected record as JSON: {@code source, position, reason, detail, raw_base64, raw_text, received_at};
     * {@code raw_text} only when the raw bytes are valid UTF-8.
     */
    public static byte[] rejected(RejectedEvent r) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("source", r.source);
        n.put("position", r.position);
        n.put("reason", r.reason);
        n.put("detail", r.detail);
        if (r.raw == null) {
            n.putNull("raw_base64");
        } else {
            n.put("raw_base64", Base64.getEncoder().encodeToString(r.raw));
            String text = utf8OrNull(r.raw);
            if (text != null) {
                n.put("raw_text", text);
            }
        }
        n.put("received_at", isoUtc(r.receivedAt));
        return write(n);
    }

    /**
     * A segment change as JSON (the {@code segment.updates} value): {@code change_id, user_id, segment, action,
     * reason, rule_version, event_time, entered_at, detected_at}, the columns of {@code segment_changes}.
     */
    public static byte[] segmentChange(SegmentChange c) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("change_id", changeId(c));
        n.put("user_id", c.userId);
        n.put("segment", c.segment);
        n.put("action", c.action == null ? null : c.action.name());
        n.put("reason", c.reason);
        n.put("rule_version", c.ruleVersion);
        n.put("event_time", isoUtc(c.eventTime));
        n.put("entered_at", isoUtc(c.enteredAt));
        n.put("detected_at", isoUtc(c.detectedAt));
        return write(n);
    }

    /**
     * The change's id: {@code changeId} when set, otherwise computed by {@link AlertIds#ofSegmentChange} from its
     * fields, so Kafka and PostgreSQL agree and the {@code segment_changes} key is never NULL.
     */
    public static String changeId(SegmentChange c) {
        if (c.changeId != null) {
            return c.changeId;
        }
        if (c.action == null) {
            throw new IllegalArgumentException("A segment change needs an action: " + c);
        }
        return AlertIds.ofSegmentChange(c.userId, c.segment, c.action, c.ruleVersion, c.eventTime);
    }

    /** Epoch ms as ISO-8601 UTC, e.g. {@code 2026-11-22T10:15:30.120Z}. */
    public static String isoUtc(long epochMs) {
        return Instant.ofEpochMilli(epochMs).toString();
    }

    /** The bytes decoded as UTF-8, or {@code null} if they are not valid UTF-8. */
    public static String utf8OrNull(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Replaces NUL characters, which PostgreSQL text and jsonb cannot hold, with U+FFFD. */
    public static String withoutNul(String s) {
        return s == null || s.indexOf('\0') < 0 ? s : s.replace('\0', '\uFFFD');
    }

    private static JsonNode withoutNul(JsonNode node) {
        if (node.isTextual()) {
            String t = node.textValue();
            return t.indexOf('\0') < 0 ? node : TextNode.valueOf(withoutNul(t));
        }
        if (node.isObject()) {
            ObjectNode out = MAPPER.createObjectNode();
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                out.set(withoutNul(e.getKey()), withoutNul(e.getValue()));
            }
            return out;
        }
        if (node.isArray()) {
            List<JsonNode> items = new ArrayList<>(node.size());
            node.forEach(item -> items.add(withoutNul(item)));
            return MAPPER.createArrayNode().addAll(items);
        }
        return node;
    }

    private static void putFinite(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) {
            n.put(key, v);
        } else {
            n.putNull(key);
        }
    }

    private static byte[] write(JsonNode n) {
        try {
            return MAPPER.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a JSON tree", e);
        }
    }
}
