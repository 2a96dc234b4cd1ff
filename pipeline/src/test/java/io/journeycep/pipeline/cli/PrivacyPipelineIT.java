package io.journeycep.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.privacy.Pseudonymizer;
import io.journeycep.pipeline.privacy.Pseudonymizer.Field;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pseudonymization (README "Privacy") through the job as {@code run} builds it, on the real Kafka broker and
 * PostgreSQL, with {@code privacy.pseudonymize: true} and the key from a key file: the input has users, anonymous ids,
 * devices and IPs that make CART_ABANDONED (anonymous), VELOCITY (per user and per device), segment changes, identity
 * stitching, journeys, DRIFT statistics (on here) and a late event. Once every kind of output is there, the raw bytes
 * of every record (key and value, and the decoded {@code raw_base64} of dead letters) on every output topic, and every
 * column of every row of every table (bytea decoded as UTF-8), are scanned for each raw id: none may appear. The
 * outputs do hold the ids' pseudonyms (computed here with the same key), so the scan looks at real output.
 */
class PrivacyPipelineIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MIN = 60_000L;
    private static final long HOUR = 60 * MIN;
    private static final long T0 = 20_000 * 86_400_000L; // a UTC midnight in the past
    private static final String KEY = "privacy-pipeline-it-key-0123456789-abcdefgh";

    /** Every raw identifier of the input, by kind; none is a substring of an event id, item or event name. */
    private static final Map<String, Field> RAW = new LinkedHashMap<>();

    static {
        for (String u : new String[] {"pat-buyer", "mallory-77", "dora-1", "dora-2", "dora-3", "dora-4", "kim-known",
                "late-larry", "clock-user"}) {
            RAW.put(u, Field.USER);
        }
        RAW.put("anon-zz9", Field.ANONYMOUS);
        RAW.put("anon-yy8", Field.ANONYMOUS);
        RAW.put("anon-xx7", Field.ANONYMOUS);
        RAW.put("device-Q7", Field.DEVICE);
        RAW.put("device-K2", Field.DEVICE);
        RAW.put("198.51.100.23", Field.IP);
        RAW.put("203.0.113.77", Field.IP);
        RAW.put("2001:db8:85a3::8a2e:370:7348", Field.IP);
    }

    @TempDir
    Path dir;

    private int ids;

    @Test
    void noRawIdentifierReachesAnyTopicOrTable() throws Exception {
        PipelineIt it = new PipelineIt("privacy");
        Path keyFile = dir.resolve("pseudonymization.key");
        Files.writeString(keyFile, KEY + "\n", StandardCharsets.UTF_8);
        JobConfig config = it.config();
        config.privacy.pseudonymize = true;
        config.privacy.keyFile = keyFile.toString();
        config.drift.enabled = true; // drift_stats too (metric names only, but scanned like the rest)
        config.drift.bucket = Duration.ofMinutes(10);
        config.drift.warmup = 3;
        Pseudonymizer p = Pseudonymizer.of(KEY.getBytes(StandardCharsets.UTF_8));

        it.send(scenario());
        JobClient job = it.start(config, new Configuration(), "privacy pipeline IT");
        try (PipelineIt.Reader triggers = it.reader(it.triggers); PipelineIt.Reader risk = it.reader(it.risk);
                PipelineIt.Reader segments = it.reader(it.segments); PipelineIt.Reader late = it.reader(it.late)) {
            String anonCart = "anon:" + p.pseudonym(Field.ANONYMOUS, "anon-zz9");
            String buyer = p.pseudonym(Field.USER, "pat-buyer");
            // every kind of output is there (pseudonymized)
            triggers.await("CART_ABANDONED of the anonymous cart", rs -> values(rs).stream().anyMatch(
                    v -> v.path("kind").asText().equals("CART_ABANDONED")
                            && v.path("subject_key").asText().equals(anonCart)));
            risk.await("both VELOCITY alerts", rs -> values(rs).stream()
                    .filter(v -> v.path("kind").asText().equals("VELOCITY")).map(v -> v.path("rule_id").asText())
                    .distinct().count() == 2);
            segments.await("the buyer's and the anonymous cart's segment changes", rs -> values(rs).stream()
                    .map(v -> v.path("user_id").asText() + " " + v.path("segment").asText())
                    .toList().containsAll(List.of(buyer + " HIGH_VALUE", buyer + " NEW_BUYER",
                            anonCart + " CART_ABANDONER")));
            // the watermark is hours past T0 now: an event at T0 is late
            it.send(List.of(segmentEvent("Product Viewed", "late-larry", "anon-xx7", 0, "203.0.113.77",
                    "device-K2")));
            String larry = p.pseudonym(Field.USER, "late-larry");
            late.await("the late event", rs -> values(rs).stream()
                    .anyMatch(v -> v.path("reason").asText().equals("LATE") && v.toString().contains(larry)));

            it.awaitRows("select alert_id from alerts", rows -> rows.size() >= 3);
            it.awaitRows("select change_id from segment_changes", rows -> rows.size() >= 3);
            it.awaitRows("select user_id from segment_membership", rows -> rows.size() >= 3);
            it.awaitRows("select reason from rejected_events", rows -> rows.contains("LATE"));
            it.awaitRows("select from_state from journey_transitions", rows -> !rows.isEmpty());
            it.awaitRows("select metric from drift_stats", rows -> !rows.isEmpty());
            assertThat(it.awaitRows("select subject_key from alerts where kind = 'VELOCITY' order by rule_id",
                    rows -> rows.size() >= 2))
                    .containsExactly(p.pseudonym(Field.DEVICE, "device-Q7"), p.pseudonym(Field.USER, "mallory-77"));

            // the scan: every output topic, every table
            Set<String> needles = needles();
            List<String> leaks = new ArrayList<>();
            int records = 0;
            Map<String, Integer> perTopic = new LinkedHashMap<>();
            for (String topic : it.outputTopics()) {
                try (PipelineIt.Reader reader = it.reader(topic)) {
                    for (ConsumerRecord<byte[], byte[]> r : reader.drain(Duration.ofSeconds(2))) {
                        records++;
                        perTopic.merge(topic.substring(0, topic.length() - it.run.length() - 1), 1, Integer::sum);
                        scan(leaks, topic + " key", r.key(), needles);
                        scan(leaks, topic + "@" + r.offset(), r.value(), needles);
                        JsonNode v = json(r.value());
                        if (v != null && v.hasNonNull("raw_base64")) {
                            scan(leaks, topic + "@" + r.offset() + " raw_base64",
                                    Base64.getDecoder().decode(v.path("raw_base64").asText()), needles);
                        }
                    }
                }
            }
            int cells = scanTables(it, needles, leaks);
            System.out.printf("PrivacyPipelineIT: scanned %d records %s and %d table cells; %d leaks%n",
                    records, perTopic, cells, leaks.size());
            assertThat(leaks).as("raw identifiers in the outputs").isEmpty();
            assertThat(records).isGreaterThanOrEqualTo(8);
        } catch (AssertionError e) {
            System.out.println("PrivacyPipelineIT failed; " + it.describe());
            throw e;
        } finally {
            PipelineIt.cancel(job);
        }
    }

    /** Every column of every row of every table of the run's database; returns the number of cells read. */
    private static int scanTables(PipelineIt it, Set<String> needles, List<String> leaks) throws Exception {
        int cells = 0;
        try (Connection c = it.connect(); Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("select table_name from information_schema.tables"
                    + " where table_schema = 'public' order by 1")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            assertThat(tables).contains("alerts", "segment_changes", "segment_membership", "journey_transitions",
                    "rejected_events", "drift_stats");
            for (String table : tables) {
                try (ResultSet rs = s.executeQuery("select * from " + table)) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= n; i++) {
                            cells++;
                            String where = table + "." + rs.getMetaData().getColumnName(i);
                            if (rs.getMetaData().getColumnTypeName(i).equals("bytea")) {
                                scan(leaks, where, rs.getBytes(i), needles);
                            } else {
                                String text = rs.getString(i);
                                scan(leaks, where, text == null ? null : text.getBytes(StandardCharsets.UTF_8),
                                        needles);
                            }
                        }
                    }
                }
            }
        }
        return cells;
    }

    private static void scan(List<String> leaks, String where, byte[] bytes, Set<String> needles) {
        if (bytes == null) {
            return;
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        for (String needle : needles) {
            if (text.contains(needle)) {
                leaks.add(needle + " in " + where + ": " + text);
            }
        }
    }

    /** The raw ids, and the IPs also in Java's canonical form. */
    private static Set<String> needles() throws Exception {
        Set<String> needles = new LinkedHashSet<>(RAW.keySet());
        for (Map.Entry<String, Field> e : RAW.entrySet()) {
            if (e.getValue() == Field.IP) {
                needles.add(InetAddress.getByName(e.getKey()).getHostAddress()); // a literal: no lookup
            }
        }
        return needles;
    }

    private static List<JsonNode> values(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> json(r.value())).filter(v -> v != null).toList();
    }

    private static JsonNode json(byte[] value) {
        try {
            return value == null ? null : JSON.readTree(value);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** The input, in event-time order; ids, IPs and devices in every place the parsers read them from. */
    private List<String> scenario() {
        List<String> l = new ArrayList<>();
        // a buyer: NEW_BUYER and HIGH_VALUE
        l.add(flat("purchase", "pat-buyer", 10 * MIN,
                "\"price\":1500,\"ip\":\"203.0.113.77\",\"device_id\":\"device-Q7\""));
        // VELOCITY login-failed-per-user: five failed logins, from an IPv6 address
        for (int i = 0; i < 5; i++) {
            l.add(flat("login_failed", "mallory-77", 20 * MIN + i * MIN,
                    "\"device_id\":\"device-Q7\",\"ip\":\"2001:db8:85a3::8a2e:370:7348\""));
        }
        // VELOCITY distinct-users-per-device: four more users on device-Q7
        for (int i = 1; i <= 4; i++) {
            l.add(flat("login", "dora-" + i, 25 * MIN + i * MIN, "\"device_id\":\"device-Q7\""));
        }
        // an anonymous cart (Segment shape): CART_ABANDONED for anon:<pseudonym>, then CART_ABANDONER
        l.add(segmentEvent("Product Viewed", null, "anon-zz9", 30 * MIN, "198.51.100.23", "device-K2"));
        l.add(segmentEvent("Product Added", null, "anon-zz9", 31 * MIN, "198.51.100.23", "device-K2"));
        // identity stitching: a sign-in links anon-yy8 to kim-known, an anonymous view after it
        l.add(segmentEvent("Signed In", "kim-known", "anon-yy8", 32 * MIN, "203.0.113.77", "device-K2"));
        l.add(segmentEvent("Product Viewed", null, "anon-yy8", 33 * MIN, "203.0.113.77", "device-K2"));
        // event time moves on 5 hours: timeouts fire, sessions close, drift buckets close
        l.add(flat("view", "clock-user", 5 * HOUR, "\"ip\":\"198.51.100.23\""));
        return l;
    }

    private String flat(String type, String user, long offset, String extra) {
        return String.format("{\"event_id\":\"pe%02d\",\"event_type\":\"%s\",\"user_id\":\"%s\",\"ts\":%d,"
                + "\"item_id\":\"sku-9\",%s}", ids++, type, user, T0 + offset, extra);
    }

    private String segmentEvent(String event, String user, String anon, long offset, String ip, String device) {
        return String.format("{\"type\":\"track\",\"event\":\"%s\",\"messageId\":\"ps%02d\",%s\"anonymousId\":\"%s\","
                + "\"timestamp\":\"%s\",\"context\":{\"ip\":\"%s\",\"device\":{\"id\":\"%s\"}},"
                + "\"properties\":{\"product_id\":\"sku-9\",\"price\":25}}", event, ids++,
                user == null ? "" : "\"userId\":\"" + user + "\",", anon, Instant.ofEpochMilli(T0 + offset), ip,
                device);
    }
}
