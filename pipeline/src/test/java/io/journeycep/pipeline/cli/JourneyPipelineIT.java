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
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The job as {@code run} builds it, against a real Kafka broker (KRaft) and a real PostgreSQL: JSON into
 * {@code events}; CART_ABANDONED out of {@code journey.triggers}, VELOCITY out of {@code risk.alerts} (read_committed)
 * and both in the {@code alerts} table; a bad record in {@code events.dlq} and {@code rejected_events}.
 */
class JourneyPipelineIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long T0 = 1_700_000_000_000L;
    private static final long MIN = 60_000L;

    @Test
    void kafkaInAlertsAndDeadLettersOutToKafkaAndPostgres() throws Exception {
        EmbeddedServices services = SharedServices.get();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String in = "events-" + run;
        String triggers = "journey.triggers-" + run;
        String dlq = "events.dlq-" + run;
        services.kafka().createTopics(1, in, triggers, "risk.alerts-" + run, dlq, "events.late-" + run,
                "segment.updates-" + run, "control-" + run);

        JobConfig config = new JobConfig();
        config.source.kafka.bootstrapServers = services.kafka().bootstrapServers();
        config.source.kafka.topic = in;
        config.source.kafka.groupId = "it-" + run;
        config.source.kafka.controlTopic = "control-" + run; // empty: the config's rules stay in force
        config.eventTime.idleTimeout = Duration.ofSeconds(1);
        config.eventTime.quietPeriod = null;
        config.outputs.kafka.triggersTopic = triggers;
        config.outputs.kafka.riskTopic = "risk.alerts-" + run;
        config.outputs.kafka.deadLetterTopic = dlq;
        config.outputs.kafka.lateTopic = "events.late-" + run;
        config.outputs.kafka.segmentsTopic = "segment.updates-" + run; // the broker creates no topics itself
        config.outputs.kafka.transactionalIdPrefix = "it-" + run;
        config.outputs.jdbc.url = services.postgres().jdbcUrl();
        config.outputs.jdbc.user = services.postgres().user();
        config.runtime.checkpointInterval = Duration.ofSeconds(1);
        assertThat(config.validate()).isEmpty();

        String user = "it-user-" + run;
        String attacker = "it-attacker-" + run;
        List<String> records = new ArrayList<>(List.of(
                flat(user + "-v", "view", user, T0, "sku-1"),
                segment(user + "-c", "Product Added", user, T0 + 2 * MIN, "sku-1"),
                "{\"event_type\":\"view\",\"ts\":" + T0 + "}")); // no user: dead letter
        for (int i = 0; i < 5; i++) { // the default rule: >= 5 login_failed per user in 10 min
            records.add(flat(attacker + "-f" + i, "login_failed", attacker, T0 + i * MIN, "-"));
        }
        records.add(flat("clock-" + run, "view", "clock-" + run, T0 + 3 * 60 * MIN, "sku-0")); // moves event time on
        try (KafkaProducer<byte[], byte[]> producer = PipelineItSupport.producer(services)) {
            for (String r : records) {
                producer.send(new ProducerRecord<>(in, r.getBytes(StandardCharsets.UTF_8))).get();
            }
        }

        StreamExecutionEnvironment env = JobRunner.environment(config, new Configuration());
        env.setParallelism(1);
        JourneyWorkflow.define(env, JobRunner.source(config), JobRunner.controlSource(config),
                JobRunner.sinks(config, services.postgres().password()), config);
        JobClient job = env.executeAsync("pipeline IT " + run);
        try {
            List<JsonNode> alerts = PipelineItSupport.readCommitted(services, triggers, PipelineItSupport.atLeast(1),
                    Duration.ofSeconds(3));
            assertThat(alerts).hasSize(1);
            JsonNode alert = alerts.get(0);
            assertThat(alert.path("kind").asText()).isEqualTo("CART_ABANDONED");
            assertThat(alert.path("subject_key").asText()).isEqualTo(user);
            assertThat(alert.path("evidence").path("event_ids").toString()).contains(user + "-v", user + "-c");

            List<JsonNode> risk = PipelineItSupport.readCommitted(services, "risk.alerts-" + run,
                    PipelineItSupport.atLeast(1),
                    Duration.ofSeconds(3));
            assertThat(risk).hasSize(1);
            assertThat(risk.get(0).path("kind").asText()).isEqualTo("VELOCITY");
            assertThat(risk.get(0).path("rule_id").asText()).isEqualTo("login-failed-per-user");
            assertThat(risk.get(0).path("subject_key").asText()).isEqualTo(attacker);
            assertThat(waitForRow(services, "select kind || ' ' || score || '/' || threshold from alerts where"
                    + " alert_id = '" + risk.get(0).path("alert_id").asText() + "'"))
                    .isEqualTo("VELOCITY 5/5");

            List<JsonNode> dead = PipelineItSupport.readCommitted(services, dlq, PipelineItSupport.atLeast(1),
                    Duration.ofSeconds(3));
            assertThat(dead.get(0).path("reason").asText()).isEqualTo("MISSING_USER");
            assertThat(dead.get(0).path("position").asLong()).isEqualTo(2L);

            String alertId = alert.path("alert_id").asText();
            assertThat(waitForRow(services, "select kind || ' ' || subject_key || ' ' || (evidence->'event_ids')::text"
                    + " from alerts where alert_id = '" + alertId + "'"))
                    .startsWith("CART_ABANDONED " + user)
                    .contains(user + "-c");
            assertThat(waitForRow(services, "select reason || ' ' || position from rejected_events where source = '"
                    + "kafka:" + in + "/0'"))
                    .isEqualTo("MISSING_USER 2");
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    private static String flat(String id, String type, String user, long ts, String item) {
        return String.format("{\"event_id\":\"%s\",\"event_type\":\"%s\",\"user_id\":\"%s\",\"ts\":%d,"
                + "\"item_id\":\"%s\",\"price\":99.5}", id, type, user, ts, item);
    }

    private static String segment(String id, String event, String user, long ts, String item) {
        return String.format("{\"type\":\"track\",\"event\":\"%s\",\"messageId\":\"%s\",\"userId\":\"%s\","
                + "\"timestamp\":\"%s\",\"properties\":{\"product_id\":\"%s\",\"price\":99.5}}",
                event, id, user, java.time.Instant.ofEpochMilli(ts), item);
    }

    private static String waitForRow(EmbeddedServices services, String sql) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        try (Connection c = DriverManager.getConnection(
                services.postgres().jdbcUrl(), services.postgres().user(), services.postgres().password());
                Statement s = c.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = s.executeQuery(sql)) {
                    if (rs.next()) {
                        return rs.getString(1);
                    }
                }
                Thread.sleep(300);
            }
        }
        return null;
    }
}
