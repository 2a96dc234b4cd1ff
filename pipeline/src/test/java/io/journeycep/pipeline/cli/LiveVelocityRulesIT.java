package io.journeycep.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.embedded.EmbeddedServices;
import io.journeycep.embedded.SharedServices;
import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.workflow.JourneyWorkflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Live velocity rules on a real Kafka broker and PostgreSQL: while the job runs, the {@code control} topic changes a
 * rule's threshold, adds a rule and removes one; the alerts (with their rule versions) before and after each change
 * are checked on {@code risk.alerts} (read_committed) and in the {@code alerts} table, the rejected control messages
 * on {@code events.dlq} and in {@code rejected_events}.
 *
 * <p><b>The handshake.</b> A control message and the events sent after it travel different paths (control source →
 * broadcast; events source → dedupe → fan-out), so "sent later" does not mean "applied first". After each change the
 * test sends a <em>marker</em>: a control message the rule book must reject (a stale version, or a removal of an
 * unknown rule). The fan-out applies control messages in order and reports rejections, so the marker's dead letter
 * on {@code events.dlq} proves that the change before it is in force in the fan-out (the only instance: parallelism
 * 1), and the events of the next phase are produced only then. The evaluator may see the change later than the
 * fan-out; the records the fan-out routes carry their rule version, and the evaluator applies it (see {@code
 * VelocityEvaluator}), so that cannot change the result. Event time moves only with events (quiet-period fallback
 * off, idle partitions excluded): each phase ends with a "clock" event 2 h later, which makes the watermark pass the
 * phase's events, so each phase's alerts are complete before the next change.
 */
class LiveVelocityRulesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long T0 = 1_700_000_000_000L;
    private static final long MIN = 60_000L;
    private static final long HOUR = 60 * MIN;
    private static final String LOGINS = "login-failed-per-user";
    private static final String PURCHASES = "purchases-per-ip";
    private static final String SEARCHES = "search-burst-per-user";

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String in = "events-" + run;
    private final String control = "control-" + run;
    private final String risk = "risk.alerts-" + run;
    private final String dlq = "events.dlq-" + run;
    private final String ip = "198.51.100.7";
    private int ids;

    @Test
    void rulesChangeAddAndRemoveThroughTheControlTopicWhileEventsFlow() throws Exception {
        EmbeddedServices services = SharedServices.get();
        services.kafka().createTopics(1, in, control, risk, dlq, "journey.triggers-" + run, "events.late-" + run,
                "segment.updates-" + run);

        JobConfig config = new JobConfig(); // the four default velocity rules, version 1
        config.source.kafka.bootstrapServers = services.kafka().bootstrapServers();
        config.source.kafka.topic = in;
        config.source.kafka.controlTopic = control;
        config.source.kafka.groupId = "it-" + run;
        config.eventTime.idleTimeout = Duration.ofSeconds(1);
        config.eventTime.quietPeriod = null;
        config.outputs.kafka.triggersTopic = "journey.triggers-" + run;
        config.outputs.kafka.riskTopic = risk;
        config.outputs.kafka.deadLetterTopic = dlq;
        config.outputs.kafka.lateTopic = "events.late-" + run;
        config.outputs.kafka.segmentsTopic = "segment.updates-" + run; // the broker creates no topics itself
        config.outputs.kafka.transactionalIdPrefix = "it-live-" + run;
        config.outputs.jdbc.url = services.postgres().jdbcUrl();
        config.outputs.jdbc.user = services.postgres().user();
        config.runtime.checkpointInterval = Duration.ofSeconds(1);
        config.journeys.enabled = false; // PATH_ANOMALY alerts would share risk.alerts with the velocity alerts
        assertThat(config.validate()).isEmpty();

        StreamExecutionEnvironment env = JobRunner.environment(config, new Configuration());
        env.setParallelism(1);
        JourneyWorkflow.define(env, JobRunner.source(config), JobRunner.controlSource(config),
                JobRunner.sinks(config, services.postgres().password()), config);
        JobClient job = env.executeAsync("live velocity rules IT " + run);
        long started = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = producer(services);
                Reader alerts = new Reader(services, risk);
                Reader dead = new Reader(services, dlq)) {
            // ---- phase 0: the config's rules (v1) ----
            long p0 = T0;
            burst(producer, "login_failed", "a0", 5, p0); // >= 5: login-failed-per-user v1 fires
            burst(producer, "login_failed", "b0", 3, p0 + 20 * MIN); // 3: below v1
            burst(producer, "search", "s0", 4, p0 + 25 * MIN); // no search rule yet
            purchases(producer, 10, p0 + 30 * MIN); // >= 10 per IP: purchases-per-ip v1 fires
            clock(producer, p0 + 2 * HOUR);
            assertThat(summaries(alerts.await(2))).containsExactlyInAnyOrder(
                    LOGINS + " v1 a0 5/5", PURCHASES + " v1 " + ip + " 10/10");

            // ---- phase 1: login-failed-per-user v2, threshold 3 (same windows) ----
            long bad = send(producer, control, null, "{\"type\":\"velocity-rule\",\"rule\":");
            send(producer, control, LOGINS, loginRule(2, 3));
            long marker1 = send(producer, control, LOGINS, loginRule(2, 9)); // stale: version 2 is in force
            dead.awaitMatching(r -> r.path("position").asLong() == marker1);
            long p1 = T0 + 3 * HOUR;
            burst(producer, "login_failed", "b1", 3, p1); // 3: fires under v2
            burst(producer, "login_failed", "a1", 2, p1 + 5 * MIN); // 2: below v2
            burst(producer, "search", "s1", 4, p1 + 10 * MIN); // still no search rule
            clock(producer, p1 + 2 * HOUR);
            assertThat(summaries(alerts.await(3)).subList(2, 3)).containsExactly(LOGINS + " v2 b1 3/3");

            // ---- phase 2: a new rule, search-burst-per-user v1 ----
            send(producer, control, SEARCHES, "{\"type\":\"velocity-rule\",\"rule\":{\"rule-id\":\"" + SEARCHES
                    + "\",\"version\":1,\"event-types\":[\"search\"],\"dimension\":\"user\",\"aggregate\":\"count\","
                    + "\"threshold\":4,\"window\":\"5m\",\"severity\":\"low\"}}");
            long marker2 = send(producer, control, "no-such-rule",
                    "{\"type\":\"velocity-rule-removed\",\"rule-id\":\"no-such-rule\",\"version\":1}");
            dead.awaitMatching(r -> r.path("position").asLong() == marker2);
            long p2 = T0 + 6 * HOUR;
            burst(producer, "search", "s2", 4, p2); // fires under the new rule
            burst(producer, "login_failed", "b2", 3, p2 + 5 * MIN); // v2 still in force
            clock(producer, p2 + 2 * HOUR);
            assertThat(summaries(alerts.await(5)).subList(3, 5)).containsExactlyInAnyOrder(
                    SEARCHES + " v1 s2 4/4", LOGINS + " v2 b2 3/3");

            // ---- phase 3: login-failed-per-user removed at version 2 ----
            send(producer, control, LOGINS,
                    "{\"type\":\"velocity-rule-removed\",\"rule-id\":\"" + LOGINS + "\",\"version\":2}");
            long marker3 = send(producer, control, LOGINS, loginRule(2, 3)); // cannot resurrect it
            dead.awaitMatching(r -> r.path("position").asLong() == marker3);
            long p3 = T0 + 9 * HOUR;
            burst(producer, "login_failed", "b3", 5, p3); // would fire under v1 and v2: removed
            burst(producer, "search", "s3", 4, p3 + 5 * MIN); // the added rule is untouched
            purchases(producer, 10, p3 + 10 * MIN); // and so is the config rule purchases-per-ip
            clock(producer, p3 + 2 * HOUR);
            List<JsonNode> all = alerts.await(7);
            assertThat(summaries(all).subList(5, 7)).containsExactlyInAnyOrder(
                    SEARCHES + " v1 s3 4/4", PURCHASES + " v1 " + ip + " 10/10");
            alerts.drain(Duration.ofSeconds(2));
            assertThat(alerts.records).as("no alert for b3, nor any other").hasSize(7);

            // the same alerts, with their rule versions, in PostgreSQL
            String idList = all.stream().map(a -> "'" + a.path("alert_id").asText() + "'")
                    .collect(Collectors.joining(","));
            assertThat(waitForRows(services, "select rule_id || ' v' || rule_version || ' ' || subject_key || ' '"
                    + " || score::int || '/' || threshold::int from alerts where alert_id in (" + idList + ")", 7)
                    .stream().map(this::summary).collect(Collectors.toList()))
                    .containsExactlyInAnyOrderElementsOf(summaries(all));

            // the rejected control messages, with reasons, on events.dlq and in rejected_events
            String source = "kafka:" + control + "/0";
            List<JsonNode> rejected = dead.await(4);
            assertThat(rejected).extracting(r -> r.path("source").asText()).containsOnly(source);
            assertThat(rejected).extracting(r -> r.path("position").asLong() + " " + r.path("reason").asText())
                    .containsExactlyInAnyOrder(bad + " BAD_CONTROL_MESSAGE", marker1 + " STALE_RULE_VERSION",
                            marker2 + " UNKNOWN_RULE", marker3 + " STALE_RULE_VERSION");
            assertThat(rejected).filteredOn(r -> r.path("position").asLong() == marker3).singleElement()
                    .satisfies(r -> assertThat(r.path("detail").asText())
                            .contains("not newer than the removal of '" + LOGINS + "' at version 2"));
            assertThat(waitForRows(services, "select position || ' ' || reason from rejected_events where source = '"
                    + source + "'", 4)).containsExactlyInAnyOrder(bad + " BAD_CONTROL_MESSAGE",
                    marker1 + " STALE_RULE_VERSION", marker2 + " UNKNOWN_RULE", marker3 + " STALE_RULE_VERSION");
            System.out.printf("LiveVelocityRulesIT: job start to last assertion %.1f s%n",
                    (System.nanoTime() - started) / 1e9);
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    private static String loginRule(int version, int threshold) {
        return "{\"type\":\"velocity-rule\",\"rule\":{\"rule-id\":\"" + LOGINS + "\",\"version\":" + version
                + ",\"event-types\":[\"login_failed\"],\"dimension\":\"user\",\"aggregate\":\"count\",\"threshold\":"
                + threshold + ",\"window\":\"10m\",\"severity\":\"high\"}}";
    }

    /** "ruleId vN subject score/threshold", in arrival order, without the run's suffix of user names. */
    private List<String> summaries(List<JsonNode> alerts) {
        return alerts.stream().map(a -> summary(a.path("rule_id").asText() + " v" + a.path("rule_version").asInt()
                + " " + a.path("subject_key").asText() + " " + a.path("score").asInt() + "/"
                + a.path("threshold").asInt())).collect(Collectors.toList());
    }

    private String summary(String s) {
        return s.replace("-" + run + " ", " ");
    }

    private String user(String name) {
        return name + "-" + run;
    }

    /**
     * {@code n} events of a type by one user, a minute apart from {@code t}. Each phase sends its events in event-time
     * order (a burst starts after the previous one ended): the watermark trails the largest time seen by the allowed
     * out-of-orderness (5 s), so an event sent after a later one may be late, or not, depending on whether a periodic
     * watermark was emitted in between. Overlapping bursts made this test fail now and then.
     */
    private void burst(KafkaProducer<byte[], byte[]> producer, String type, String user, int n, long t)
            throws Exception {
        for (int i = 0; i < n; i++) {
            send(producer, in, null, String.format("{\"event_id\":\"e%d-%s\",\"event_type\":\"%s\",\"user_id\":\"%s\","
                    + "\"ts\":%d}", ids++, run, type, user(user), t + i * MIN));
        }
    }

    private void purchases(KafkaProducer<byte[], byte[]> producer, int n, long t) throws Exception {
        for (int i = 0; i < n; i++) {
            send(producer, in, null, String.format("{\"event_id\":\"e%d-%s\",\"event_type\":\"purchase\","
                    + "\"user_id\":\"%s\",\"ts\":%d,\"ip\":\"%s\",\"price\":10}", ids++, run, user("buyer" + i),
                    t + i * MIN, ip));
        }
    }

    /** An event that moves event time to {@code t}: the watermark passes everything sent before. */
    private void clock(KafkaProducer<byte[], byte[]> producer, long t) throws Exception {
        send(producer, in, null, String.format("{\"event_id\":\"e%d-%s\",\"event_type\":\"view\",\"user_id\":\"%s\","
                + "\"ts\":%d}", ids++, run, user("clock"), t));
    }

    /** Sends and returns the offset. */
    private static long send(KafkaProducer<byte[], byte[]> producer, String topic, String key, String value)
            throws Exception {
        RecordMetadata m = producer.send(new ProducerRecord<>(topic,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8)))
                .get();
        return m.offset();
    }

    private static KafkaProducer<byte[], byte[]> producer(EmbeddedServices services) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafka().bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /** One read_committed consumer for the whole test, collecting every record of a topic. */
    private static final class Reader implements AutoCloseable {
        private static final Duration TIMEOUT = Duration.ofSeconds(90); // generous: a loaded machine commits slowly; a pass returns early
        final KafkaConsumer<byte[], byte[]> consumer;
        final List<JsonNode> records = new ArrayList<>();

        Reader(EmbeddedServices services, String topic) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafka().bootstrapServers());
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            consumer = new KafkaConsumer<>(p);
            consumer.subscribe(List.of(topic));
        }

        private void poll(Duration d) throws Exception {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(d)) {
                records.add(JSON.readTree(r.value()));
            }
        }

        /** Every record so far, once there are at least {@code n}. */
        List<JsonNode> await(int n) throws Exception {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (records.size() < n && System.nanoTime() < deadline) {
                poll(Duration.ofMillis(200));
            }
            assertThat(records).as("records within %s", TIMEOUT).hasSizeGreaterThanOrEqualTo(n);
            return new ArrayList<>(records);
        }

        void awaitMatching(Predicate<JsonNode> p) throws Exception {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (records.stream().noneMatch(p) && System.nanoTime() < deadline) {
                poll(Duration.ofMillis(200));
            }
            assertThat(records).as("a matching record within %s", TIMEOUT).anyMatch(p);
        }

        void drain(Duration d) throws Exception {
            long deadline = System.nanoTime() + d.toNanos();
            while (System.nanoTime() < deadline) {
                poll(Duration.ofMillis(200));
            }
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    private static List<String> waitForRows(EmbeddedServices services, String sql, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(
                services.postgres().jdbcUrl(), services.postgres().user(), services.postgres().password());
                Statement s = c.createStatement()) {
            while (System.nanoTime() < deadline) {
                rows.clear();
                try (ResultSet rs = s.executeQuery(sql)) {
                    while (rs.next()) {
                        rows.add(rs.getString(1));
                    }
                }
                if (rows.size() >= n) {
                    break;
                }
                Thread.sleep(300);
            }
        }
        return rows;
    }
}
