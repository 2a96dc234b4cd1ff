package io.journeycep.pipeline.cli;

import static io.journeycep.pipeline.cli.PipelineItSupport.JSON;
import static io.journeycep.pipeline.cli.PipelineItSupport.atLeast;
import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.embedded.EmbeddedServices;
import io.journeycep.embedded.SharedServices;
import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.testing.BadRecordCorpus;
import io.journeycep.pipeline.workflow.JourneyWorkflow;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The {@link BadRecordCorpus} through the job as {@code run} builds it ({@link JobRunner}), on the real Kafka broker
 * and PostgreSQL, among valid events:
 *
 * <ol>
 *   <li>phase A: a cart that is abandoned and a later clock event; the job starts and the test waits for that
 *       CART_ABANDONED alert (so event time is past phase A's cart) and for completed checkpoints;
 *   <li>phase B: every rejected case of the corpus, interleaved with valid events in event-time order: the corpus's
 *       hostile-but-valid records (each user of a view and a cart_add abandons a cart), a user who abandons a
 *       cart, one who buys, five failed logins of one user (VELOCITY), a record whose {@code ts} is in seconds where
 *       milliseconds are meant (a valid 1970 time: late), and a clock event that fires every timeout.
 * </ol>
 *
 * Checked: each rejected case is on {@code events.dlq} (read_committed) exactly once and in {@code rejected_events},
 * with its reason, its raw bytes exactly as sent and its offset; the seconds-for-milliseconds record is on
 * {@code events.late} and in {@code rejected_events} as LATE; exactly the expected alerts, the hostile user ids
 * verbatim as {@code subject_key} on Kafka and in PostgreSQL (no injection: the tables are all there); and the job
 * never failed over (REST: RUNNING, no exception history, {@code numRestarts} 0, every subtask on attempt 0) while its
 * completed checkpoint count kept rising during and after the corpus, with no checkpoint failing once the first one
 * completed.
 */
class BadRecordCorpusIT {
    private static final long T0 = 1_700_000_000_000L;
    private static final long MIN = 60_000L;
    private static final long T1 = T0 + 120 * MIN;

    @Test
    void everyBadRecordIsDeadLetteredWithItsRawBytesAndTheJobNeverRestarts() throws Exception {
        EmbeddedServices services = SharedServices.get();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String url = PipelineItSupport.createDatabase(services, "corpus_" + run);
        JobConfig config = PipelineItSupport.config(services, run, url);
        assertThat(config.validate()).isEmpty();
        String in = config.source.kafka.topic;
        String source = "kafka:" + in + "/0";

        // phase A: one abandoned cart, then a clock that moves event time past its deadline
        String early = "early-" + run;
        List<byte[]> phaseA = List.of(
                utf8(BadRecordCorpus.flat(early + "-v", "view", early, T0, "sku-a")),
                utf8(BadRecordCorpus.flat(early + "-c", "cart_add", early, T0 + MIN, "sku-a")),
                utf8(BadRecordCorpus.flat("clock-a-" + run, "view", "clock-" + run, T0 + 40 * MIN, "sku-0")));

        // phase B: the corpus among valid events
        List<BadRecordCorpus.Case> cases = BadRecordCorpus.rejected();
        List<BadRecordCorpus.Valid> hostile = BadRecordCorpus.valid(run, T1);
        List<Timed> valid = new ArrayList<>();
        for (BadRecordCorpus.Valid v : hostile) {
            valid.add(new Timed(v.name(), eventTime(v.raw()), v.raw()));
        }
        String abandoner = "abandoner-" + run;
        String buyer = "buyer-" + run;
        String attacker = "attacker-" + run;
        valid.add(timed(BadRecordCorpus.flat(abandoner + "-v", "view", abandoner, T1, "sku-b")));
        valid.add(timed(BadRecordCorpus.flat(abandoner + "-c", "cart_add", abandoner, T1 + MIN, "sku-b")));
        valid.add(timed(BadRecordCorpus.flat(buyer + "-v", "view", buyer, T1, "sku-c")));
        valid.add(timed(BadRecordCorpus.flat(buyer + "-c", "cart_add", buyer, T1 + MIN, "sku-c")));
        valid.add(timed(BadRecordCorpus.flat(buyer + "-p", "purchase", buyer, T1 + 3 * MIN, "sku-c")));
        for (int i = 0; i < 5; i++) { // the default rule: >= 5 login_failed per user in 10 min
            valid.add(timed(BadRecordCorpus.flat(attacker + "-f" + i, "login_failed", attacker, T1 + i * MIN, "-")));
        }
        valid.sort(Comparator.comparingLong(Timed::ts)); // in event-time order: only the next one is late
        // ts in seconds where milliseconds are meant: a valid time (1970-01-20), far behind the watermark: LATE
        byte[] secondsForMillis = utf8(BadRecordCorpus.flat("secs-" + run, "view", "secs-" + run, T1 / 1000, "sku-s"));
        valid.add(new Timed("ts in seconds", T1 / 1000, secondsForMillis));
        valid.add(timed(BadRecordCorpus.flat("clock-b-" + run, "view", "clock-" + run, T1 + 180 * MIN, "sku-0")));

        int port = PipelineItSupport.freePort();
        try (KafkaProducer<byte[], byte[]> producer = PipelineItSupport.producer(services)) {
            for (byte[] r : phaseA) {
                producer.send(new ProducerRecord<>(in, r)).get();
            }
            JobClient job = start(config, services.postgres().password(), PipelineItSupport.restOn(port),
                    "bad record corpus IT " + run);
            PipelineItSupport.Rest rest = new PipelineItSupport.Rest(port, job.getJobID());
            try {
                List<JsonNode> first = PipelineItSupport.readCommitted(services, config.outputs.kafka.triggersTopic,
                        atLeast(1), Duration.ZERO);
                assertThat(first).extracting(a -> a.path("subject_key").asText()).containsExactly(early);
                long before = rest.awaitCompletedCheckpointsAbove(0);
                // triggers before every task ran count as failed (NOT_ALL_REQUIRED_TASKS_RUNNING): from here on, none
                long failedBefore = rest.failedCheckpoints();

                // phase B: the bad cases spread between the valid events
                Map<Long, BadRecordCorpus.Case> badAt = new TreeMap<>();
                long lateAt = -1;
                int perValid = (cases.size() + valid.size() - 1) / valid.size();
                int next = 0;
                for (Timed v : valid) {
                    for (int k = 0; k < perValid && next < cases.size(); k++, next++) {
                        BadRecordCorpus.Case c = cases.get(next);
                        badAt.put(producer.send(new ProducerRecord<>(in, c.raw())).get().offset(), c);
                    }
                    long offset = producer.send(new ProducerRecord<>(in, v.raw())).get().offset();
                    if (v.raw() == secondsForMillis) {
                        lateAt = offset;
                    }
                }
                for (; next < cases.size(); next++) {
                    BadRecordCorpus.Case c = cases.get(next);
                    badAt.put(producer.send(new ProducerRecord<>(in, c.raw())).get().offset(), c);
                }
                assertThat(badAt).hasSize(cases.size());
                long during = rest.awaitCompletedCheckpointsAbove(before);

                // (1) every bad record on events.dlq, once, with reason, raw bytes as sent, position
                List<JsonNode> dead = PipelineItSupport.readCommitted(services, config.outputs.kafka.deadLetterTopic,
                        atLeast(cases.size()), Duration.ofSeconds(3));
                Map<Long, JsonNode> deadAt = new HashMap<>();
                for (JsonNode d : dead) {
                    assertThat(d.path("source").asText()).isEqualTo(source);
                    assertThat(deadAt.put(d.path("position").asLong(), d)).as("twice: %s", d).isNull();
                }
                assertThat(deadAt.keySet()).as("the dead letters are exactly the bad records")
                        .containsExactlyInAnyOrderElementsOf(badAt.keySet());
                for (Map.Entry<Long, BadRecordCorpus.Case> e : badAt.entrySet()) {
                    BadRecordCorpus.Case c = e.getValue();
                    JsonNode d = deadAt.get(e.getKey());
                    assertThat(d.path("reason").asText()).as("%s: %s", c.name(), d.path("detail").asText())
                            .isEqualTo(c.reason().name());
                    assertThat(d.path("detail").asText()).as(c.name()).isNotBlank();
                    assertThat(Base64.getDecoder().decode(d.path("raw_base64").asText())).as("%s raw", c.name())
                            .isEqualTo(c.expectedRaw());
                }

                // (2) the seconds-for-milliseconds record: a valid event, late
                List<JsonNode> late = PipelineItSupport.readCommitted(services, config.outputs.kafka.lateTopic,
                        atLeast(1), Duration.ofSeconds(1));
                assertThat(late).hasSize(1);
                assertThat(late.get(0).path("reason").asText()).isEqualTo("LATE");
                assertThat(late.get(0).path("position").asLong()).isEqualTo(lateAt);

                // (3) the valid events' alerts, exactly: hostile user ids verbatim
                List<String> abandoners = new ArrayList<>(BadRecordCorpus.abandoningUsers(hostile));
                abandoners.add(abandoner);
                abandoners.add(early);
                List<JsonNode> triggers = PipelineItSupport.readCommitted(services,
                        config.outputs.kafka.triggersTopic, atLeast(abandoners.size()), Duration.ofSeconds(3));
                assertThat(triggers).allSatisfy(a -> assertThat(a.path("kind").asText()).isEqualTo("CART_ABANDONED"));
                assertThat(triggers).extracting(a -> a.path("subject_key").asText())
                        .containsExactlyInAnyOrderElementsOf(abandoners);
                String sqlUser = hostile.get(0).user();
                assertThat(sqlUser).startsWith("'; DROP TABLE alerts; --");
                JsonNode sqlAlert = triggers.stream().filter(a -> a.path("subject_key").asText().equals(sqlUser))
                        .findFirst().orElseThrow();
                assertThat(sqlAlert.path("evidence").toString()).contains("<script>alert(1)</script>");
                List<JsonNode> risk = PipelineItSupport.readCommitted(services, config.outputs.kafka.riskTopic,
                        atLeast(1), Duration.ofSeconds(2));
                assertThat(risk).extracting(a -> a.path("kind").asText() + " " + a.path("subject_key").asText())
                        .containsExactly("VELOCITY " + attacker);

                // (4) PostgreSQL: rejected_events rows with raw bytes and positions; alerts verbatim; no injection
                try (Connection db = DriverManager.getConnection(url, services.postgres().user(),
                        services.postgres().password()); Statement s = db.createStatement()) {
                    awaitCount(s, "select count(*) from rejected_events", cases.size() + 1);
                    Map<Long, String> reasons = new HashMap<>();
                    try (ResultSet rs = s.executeQuery("select source, position, reason, raw from rejected_events")) {
                        while (rs.next()) {
                            assertThat(rs.getString(1)).isEqualTo(source);
                            long position = rs.getLong(2);
                            reasons.put(position, rs.getString(3));
                            BadRecordCorpus.Case c = badAt.get(position);
                            if (c != null) {
                                assertThat(rs.getBytes(4)).as("%s raw in rejected_events", c.name())
                                        .isEqualTo(c.expectedRaw());
                            }
                        }
                    }
                    Map<Long, String> expected = new HashMap<>();
                    badAt.forEach((position, c) -> expected.put(position, c.reason().name()));
                    expected.put(lateAt, "LATE");
                    assertThat(reasons).isEqualTo(expected);

                    String ids = triggers.stream().map(a -> "'" + a.path("alert_id").asText() + "'")
                            .collect(Collectors.joining(","));
                    awaitCount(s, "select count(*) from alerts where alert_id in (" + ids + ")", abandoners.size());
                    List<String> keys = new ArrayList<>();
                    try (ResultSet rs = s.executeQuery(
                            "select subject_key from alerts where kind = 'CART_ABANDONED'")) {
                        while (rs.next()) {
                            keys.add(rs.getString(1));
                        }
                    }
                    assertThat(keys).containsExactlyInAnyOrderElementsOf(abandoners);
                    try (ResultSet rs = s.executeQuery("select evidence::text from alerts where subject_key = '"
                            + sqlUser.replace("'", "''") + "'")) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getString(1)).contains("<script>alert(1)</script>");
                    }
                    Set<String> tables = new java.util.HashSet<>();
                    try (ResultSet rs = s.executeQuery("select tablename from pg_tables where schemaname = 'public'")) {
                        while (rs.next()) {
                            tables.add(rs.getString(1));
                        }
                    }
                    assertThat(tables).contains("alerts", "rejected_events", "segment_changes", "segment_membership",
                            "journey_transitions");
                }

                // (5) the job never failed over, and its checkpoints kept completing
                rest.assertNeverRestarted();
                assertThat(rest.awaitCompletedCheckpointsAbove(during)).isGreaterThan(during);
                assertThat(rest.failedCheckpoints()).as("checkpoints failed during and after the corpus: %s",
                        rest.failedCheckpointMessages()).isEqualTo(failedBefore);
                rest.assertNeverRestarted();
            } finally {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
        }
    }

    private record Timed(String name, long ts, byte[] raw) {}

    private static Timed timed(String json) throws Exception {
        byte[] raw = utf8(json);
        return new Timed(json, eventTime(raw), raw);
    }

    private static long eventTime(byte[] raw) throws Exception {
        int start = 0;
        if (raw.length >= 3 && (raw[0] & 0xff) == 0xef) {
            start = 3; // a UTF-8 byte order mark
        }
        return JSON.readTree(new String(raw, start, raw.length - start, StandardCharsets.UTF_8)).path("ts").asLong();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static JobClient start(JobConfig config, String jdbcPassword,
            org.apache.flink.configuration.Configuration base, String name) throws Exception {
        StreamExecutionEnvironment env = JobRunner.environment(config, base);
        env.setParallelism(1);
        JourneyWorkflow.define(env, JobRunner.source(config), JobRunner.controlSource(config),
                JobRunner.sinks(config, jdbcPassword), config);
        return env.executeAsync(name);
    }

    private static void awaitCount(Statement s, String sql, long n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        long count = -1;
        while (System.nanoTime() < deadline) {
            try (ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                count = rs.getLong(1);
            }
            if (count >= n) {
                break;
            }
            Thread.sleep(300);
        }
        assertThat(count).as("%s within 120 s", sql).isEqualTo(n);
    }
}
