package io.journeycep.sinks.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertKind;
import io.journeycep.sinks.RejectReason;
import io.journeycep.sinks.RejectedEvent;
import io.journeycep.sinks.SegmentAction;
import io.journeycep.sinks.SegmentChange;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class OutputJsonTest {
    private static final ObjectMapper M = new ObjectMapper();

    static Alert alert() {
        Alert a = new Alert();
        a.alertId = "0123456789abcdef0123456789abcdef";
        a.kind = AlertKind.CART_ABANDONED;
        a.ruleId = "cart-abandoned";
        a.ruleVersion = 1;
        a.subjectKey = "u-42";
        a.score = 2.0;
        a.threshold = 1.0;
        a.windowStart = 1_795_342_530_120L; // 2026-11-22T10:15:30.120Z
        a.windowEnd = 1_795_344_330_120L;
        a.evidenceEventIds = new ArrayList<>(List.of("e-1", "e-2"));
        a.evidenceJson = "{\"cart_items\":[\"p-7\"],\"viewed_items\":[\"p-7\"]}";
        a.eventTime = 1_795_344_330_120L;
        a.detectedAt = 1_795_344_331_000L;
        return a;
    }

    private static JsonNode parse(byte[] json) throws Exception {
        return M.readTree(json);
    }

    @Test
    void alertHasTheSnakeCaseColumnsOfTheAlertsTable() throws Exception {
        JsonNode n = parse(OutputJson.alert(alert()));
        Set<String> keys = new TreeSet<>();
        n.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactlyInAnyOrder("alert_id", "kind", "rule_id", "rule_version", "subject_key",
                "score", "threshold", "window_start", "window_end", "evidence", "event_time", "detected_at");
        assertThat(n.get("alert_id").asText()).isEqualTo("0123456789abcdef0123456789abcdef");
        assertThat(n.get("kind").asText()).isEqualTo("CART_ABANDONED");
        assertThat(n.get("rule_id").asText()).isEqualTo("cart-abandoned");
        assertThat(n.get("rule_version").asInt()).isEqualTo(1);
        assertThat(n.get("subject_key").asText()).isEqualTo("u-42");
        assertThat(n.get("score").asDouble()).isEqualTo(2.0);
        assertThat(n.get("threshold").asDouble()).isEqualTo(1.0);
        assertThat(n.get("window_start").asText()).isEqualTo("2026-11-22T10:15:30.120Z");
        assertThat(n.get("window_end").asText()).isEqualTo("2026-11-22T10:45:30.120Z");
        assertThat(n.get("event_time").asText()).isEqualTo("2026-11-22T10:45:30.120Z");
        assertThat(n.get("detected_at").asText()).isEqualTo("2026-11-22T10:45:31Z");
    }

    @Test
    void evidenceIsTheParsedObjectWithEventIds() throws Exception {
        JsonNode ev = parse(OutputJson.alert(alert())).get("evidence");
        assertThat(ev.isObject()).isTrue();
        assertThat(ev.get("cart_items").get(0).asText()).isEqualTo("p-7");
        assertThat(ev.get("viewed_items").get(0).asText()).isEqualTo("p-7");
        assertThat(ev.get("event_ids").isArray()).isTrue();
        assertThat(M.convertValue(ev.get("event_ids"), List.class)).isEqualTo(List.of("e-1", "e-2"));
    }

    @Test
    void evidenceFallbacks() throws Exception {
        Alert a = alert();
        a.evidenceJson = null;
        assertThat(parse(OutputJson.alert(a)).get("evidence").toString()).isEqualTo("{\"event_ids\":[\"e-1\",\"e-2\"]}");
        a.evidenceJson = "[1,2]";
        assertThat(parse(OutputJson.alert(a)).get("evidence").get("value").size()).isEqualTo(2);
        a.evidenceJson = "not json {";
        assertThat(parse(OutputJson.alert(a)).get("evidence").get("unparsed").asText()).isEqualTo("not json {");
        a.evidenceEventIds = null;
        assertThat(parse(OutputJson.alert(a)).get("evidence").get("event_ids").size()).isZero();
    }

    @Test
    void missingAlertIdIsComputed() throws Exception {
        Alert a = alert();
        a.alertId = null;
        assertThat(parse(OutputJson.alert(a)).get("alert_id").asText())
                .isEqualTo(io.journeycep.sinks.AlertIds.of(a))
                .hasSize(32);
    }

    @Test
    void nonFiniteNumbersAreNull() throws Exception {
        Alert a = alert();
        a.score = Double.NaN;
        a.threshold = Double.POSITIVE_INFINITY;
        JsonNode n = parse(OutputJson.alert(a));
        assertThat(n.get("score").isNull()).isTrue();
        assertThat(n.get("threshold").isNull()).isTrue();
    }

    @Test
    void jsonbEvidenceHasNoNul() throws Exception {
        Alert a = alert();
        a.evidenceJson = "{\"q\":\"a\\u0000b\",\"k\\u0000\":[\"\\u0000\"]}";
        a.evidenceEventIds = List.of("e\u00001");
        String jsonb = OutputJson.evidenceForJsonb(a);
        assertThat(jsonb).doesNotContain("\\u0000").doesNotContain("\0");
        JsonNode n = M.readTree(jsonb);
        assertThat(n.get("q").asText()).isEqualTo("a\uFFFDb");
        assertThat(n.get("k\uFFFD").get(0).asText()).isEqualTo("\uFFFD");
        assertThat(n.get("event_ids").get(0).asText()).isEqualTo("e\uFFFD1");
        // The Kafka JSON keeps the text as it was.
        assertThat(parse(OutputJson.alert(a)).get("evidence").get("q").asText()).isEqualTo("a\0b");
    }

    @Test
    void rejectedWithValidUtf8HasRawText() throws Exception {
        byte[] raw = "{\"bad\": ünïcode".getBytes(StandardCharsets.UTF_8);
        RejectedEvent r = RejectedEvent.of("kafka:events/3", 99L, RejectReason.MALFORMED, "unexpected end", raw,
                1_795_342_530_120L);
        JsonNode n = parse(OutputJson.rejected(r));
        Set<String> keys = new TreeSet<>();
        n.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactlyInAnyOrder(
                "source", "position", "reason", "detail", "raw_base64", "raw_text", "received_at");
        assertThat(n.get("source").asText()).isEqualTo("kafka:events/3");
        assertThat(n.get("position").asLong()).isEqualTo(99L);
        assertThat(n.get("reason").asText()).isEqualTo("MALFORMED");
        assertThat(n.get("detail").asText()).isEqualTo("unexpected end");
        assertThat(Base64.getDecoder().decode(n.get("raw_base64").asText())).isEqualTo(raw);
        assertThat(n.get("raw_text").asText()).isEqualTo("{\"bad\": ünïcode");
        assertThat(n.get("received_at").asText()).isEqualTo("2026-11-22T10:15:30.120Z");
    }

    @Test
    void rejectedWithInvalidUtf8HasOnlyBase64() throws Exception {
        byte[] raw = {'{', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, '}'};
        RejectedEvent r = RejectedEvent.of("file:in.jsonl", 7L, RejectReason.BAD_ENCODING, "bad bytes", raw, 0L);
        JsonNode n = parse(OutputJson.rejected(r));
        assertThat(n.has("raw_text")).isFalse();
        assertThat(Base64.getDecoder().decode(n.get("raw_base64").asText())).isEqualTo(raw);
        assertThat(n.get("received_at").asText()).isEqualTo("1970-01-01T00:00:00Z");
    }

    @Test
    void rejectedWithoutRaw() throws Exception {
        RejectedEvent r = RejectedEvent.of("file:in.jsonl", 8L, RejectReason.LATE, null, null, 0L);
        JsonNode n = parse(OutputJson.rejected(r));
        assertThat(n.get("raw_base64").isNull()).isTrue();
        assertThat(n.has("raw_text")).isFalse();
        assertThat(n.get("detail").isNull()).isTrue();
    }

    @Test
    void isThreadSafeUnderConcurrentUse() throws Exception {
        Alert a = alert();
        byte[] expected = OutputJson.alert(a);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                for (int i = 0; i < 2000; i++) {
                    if (!java.util.Arrays.equals(expected, OutputJson.alert(a))) {
                        errors.add(new AssertionError("different output"));
                        return;
                    }
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        assertThat(errors).isEmpty();
    }

    @Test
    void segmentChangeHasTheSnakeCaseColumnsOfTheSegmentChangesTable() throws Exception {
        SegmentChange c = SegmentChange.of("u-42", "HIGH_VALUE", SegmentAction.EXIT,
                "spend in 90 days fell to 812.50 (< 1000)", 3, 1_795_344_330_120L, 1_795_342_530_120L,
                1_795_344_331_000L);
        JsonNode n = parse(OutputJson.segmentChange(c));
        Set<String> keys = new TreeSet<>();
        n.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactlyInAnyOrder("change_id", "user_id", "segment", "action", "reason",
                "rule_version", "event_time", "entered_at", "detected_at");
        assertThat(n.get("change_id").asText()).isEqualTo(c.changeId).hasSize(32);
        assertThat(n.get("user_id").asText()).isEqualTo("u-42");
        assertThat(n.get("segment").asText()).isEqualTo("HIGH_VALUE");
        assertThat(n.get("action").asText()).isEqualTo("EXIT");
        assertThat(n.get("reason").asText()).isEqualTo("spend in 90 days fell to 812.50 (< 1000)");
        assertThat(n.get("rule_version").isInt()).isTrue();
        assertThat(n.get("rule_version").asInt()).isEqualTo(3);
        assertThat(n.get("event_time").asText()).isEqualTo("2026-11-22T10:45:30.120Z");
        assertThat(n.get("entered_at").asText()).isEqualTo("2026-11-22T10:15:30.120Z");
        assertThat(n.get("detected_at").asText()).isEqualTo("2026-11-22T10:45:31Z");
    }

    @Test
    void segmentChangeWithoutIdOrReason() throws Exception {
        SegmentChange c = SegmentChange.of("anon:a-9", "NEW_BUYER", SegmentAction.ENTER, null, 1, 5L, 5L, 6L);
        String id = c.changeId;
        c.changeId = null;
        JsonNode n = parse(OutputJson.segmentChange(c));
        assertThat(n.get("change_id").asText()).isEqualTo(id);
        assertThat(n.get("reason").isNull()).isTrue();
        assertThat(n.get("entered_at").asText()).isEqualTo("1970-01-01T00:00:00.005Z");
        c.action = null;
        assertThatThrownBy(() -> OutputJson.segmentChange(c)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("action");
    }
}
