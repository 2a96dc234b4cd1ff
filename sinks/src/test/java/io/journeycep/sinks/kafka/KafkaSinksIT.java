package io.journeycep.sinks.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.journeycep.embedded.EmbeddedKafka;
import io.journeycep.embedded.SharedServices;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertIds;
import io.journeycep.sinks.AlertKind;
import io.journeycep.sinks.ItSupport;
import io.journeycep.sinks.RejectReason;
import io.journeycep.sinks.RejectedEvent;
import io.journeycep.sinks.SegmentAction;
import io.journeycep.sinks.SegmentChange;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A small exactly-once job writes alerts of both audiences and rejected records; read_committed sees each once. */
@Timeout(120)
class KafkaSinksIT {
    private static final ObjectMapper M = new ObjectMapper();

    private static Alert alert(AlertKind kind, String key, String... evidence) {
        Alert a = new Alert();
        a.kind = kind;
        a.ruleId = "r-" + kind.name().toLowerCase();
        a.ruleVersion = 1;
        a.subjectKey = key;
        a.score = 4;
        a.threshold = 3;
        a.windowStart = 1_000L;
        a.windowEnd = 2_000L;
        a.evidenceEventIds = new ArrayList<>(List.of(evidence));
        a.evidenceJson = "{}";
        a.eventTime = 2_000L;
        a.detectedAt = 3_000L;
        a.alertId = AlertIds.of(a);
        return a;
    }

    @Test
    void exactlyOnceAlertsGoToTheirAudiencesTopicKeyedBySubject() throws Exception {
        EmbeddedKafka kafka = SharedServices.get().kafka();
        String run = ItSupport.unique();
        String triggers = "journey.triggers-" + run;
        String risk = "risk.alerts-" + run;
        String dlq = "events.dlq-" + run;
        String late = "events.late-" + run;
        kafka.createTopics(2, triggers, risk, dlq, late);
        KafkaOutputSettings settings = KafkaOutputSettings.of(kafka.bootstrapServers())
                .withTopics(triggers, risk, dlq, late)
                .withTransactionalIdPrefix("it-" + run);
        assertThat(settings.deliveryGuarantee()).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);

        List<Alert> alerts = List.of(
                alert(AlertKind.CART_ABANDONED, "u-1", "e-1", "e-2"),
                alert(AlertKind.HIGH_VALUE_BROWSING, "u-2", "e-3", "e-4", "e-5"),
                alert(AlertKind.VELOCITY, "card-7", "e-6"),
                alert(AlertKind.PATH_ANOMALY, "u-3", "e-7"),
                alert(AlertKind.DRIFT, "rate:purchase"));
        List<RejectedEvent> rejected = List.of(
                RejectedEvent.of("kafka:events/0", 1, RejectReason.MALFORMED, "x", new byte[] {'{'}, 5L),
                RejectedEvent.of("kafka:events/1", 2, RejectReason.MISSING_TIME, "no ts", new byte[] {'{', '}'}, 6L));

        StreamExecutionEnvironment env = ItSupport.miniClusterEnv();
        env.fromData(alerts).sinkTo(KafkaSinks.alerts(settings)).name("alerts-kafka");
        env.fromData(rejected).sinkTo(KafkaSinks.deadLetters(settings)).name("dlq-kafka");
        env.execute("kafka-sinks-it");

        Map<String, List<ConsumerRecord<byte[], byte[]>>> byTopic = readCommitted(
                kafka.bootstrapServers(), List.of(triggers, risk, dlq, late), alerts.size() + rejected.size());

        assertThat(byTopic.getOrDefault(triggers, List.of())).hasSize(2);
        assertThat(byTopic.getOrDefault(risk, List.of())).hasSize(3);
        assertThat(byTopic.getOrDefault(dlq, List.of())).hasSize(2);
        assertThat(byTopic.getOrDefault(late, List.of())).isEmpty();

        for (Alert a : alerts) {
            String topic = a.kind.audience() == AlertKind.Audience.MARKETING ? triggers : risk;
            List<ConsumerRecord<byte[], byte[]>> matching = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : byTopic.get(topic)) {
                JsonNode v = M.readTree(r.value());
                if (v.get("alert_id").asText().equals(a.alertId)) {
                    matching.add(r);
                    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(a.subjectKey);
                    assertThat(v.get("kind").asText()).isEqualTo(a.kind.name());
                    assertThat(M.convertValue(v.get("evidence").get("event_ids"), List.class))
                            .isEqualTo(a.evidenceEventIds);
                }
            }
            assertThat(matching).as("alert %s on %s", a.kind, topic).hasSize(1);
        }
        for (ConsumerRecord<byte[], byte[]> r : byTopic.get(dlq)) {
            JsonNode v = M.readTree(r.value());
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(v.get("source").asText());
        }
    }

    /**
     * Segment changes on their own topic, exactly-once beside the alert sink of the same job (distinct transactional
     * ids): read_committed sees each once, keyed by user, a user's changes in order on one partition, with the JSON
     * of {@code OutputJson.segmentChange}.
     */
    @Test
    void exactlyOnceSegmentChangesKeyedByUserInOrder() throws Exception {
        EmbeddedKafka kafka = SharedServices.get().kafka();
        String run = ItSupport.unique();
        String segments = "segment.updates-" + run;
        String triggers = "journey.triggers-" + run;
        kafka.createTopics(3, segments, triggers);
        KafkaOutputSettings settings = KafkaOutputSettings.of(kafka.bootstrapServers())
                .withTopics(triggers, "risk.alerts-" + run, "events.dlq-" + run, "events.late-" + run)
                .withTransactionalIdPrefix("it-" + run);

        long t0 = 1_795_342_530_120L;
        List<SegmentChange> changes = new ArrayList<>();
        for (int u = 0; u < 5; u++) {
            String user = "u-" + u;
            changes.add(SegmentChange.of(user, "HIGH_VALUE", SegmentAction.ENTER, "spend >= 1000", 2, t0, t0, t0 + 1));
            changes.add(SegmentChange.of(user, "HIGH_VALUE", SegmentAction.EXIT, "spend < 1000", 2, t0 + 60_000, t0,
                    t0 + 60_001));
            changes.add(SegmentChange.of(user, "HIGH_VALUE", SegmentAction.ENTER, "spend >= 1000", 2, t0 + 120_000,
                    t0 + 120_000, t0 + 120_001));
        }
        StreamExecutionEnvironment env = ItSupport.miniClusterEnv();
        env.fromData(changes).sinkTo(KafkaSinks.segmentChanges(settings, segments)).name("segments-kafka");
        env.fromData(alert(AlertKind.CART_ABANDONED, "u-0", "e-1")).sinkTo(KafkaSinks.alerts(settings))
                .name("alerts-kafka");
        env.execute("kafka-segments-it");

        Map<String, List<ConsumerRecord<byte[], byte[]>>> byTopic =
                readCommitted(kafka.bootstrapServers(), List.of(segments, triggers), changes.size() + 1);
        assertThat(byTopic.getOrDefault(triggers, List.of())).hasSize(1);
        List<ConsumerRecord<byte[], byte[]>> records = byTopic.getOrDefault(segments, List.of());
        assertThat(records).hasSize(changes.size());

        Map<String, List<String>> idsByUser = new HashMap<>();
        Map<String, Integer> partitionOfUser = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            JsonNode v = M.readTree(r.value());
            String key = new String(r.key(), StandardCharsets.UTF_8);
            assertThat(key).isEqualTo(v.get("user_id").asText());
            assertThat(partitionOfUser.computeIfAbsent(key, k -> r.partition())).isEqualTo(r.partition());
            idsByUser.computeIfAbsent(key, k -> new ArrayList<>()).add(v.get("change_id").asText());
            SegmentChange c = changes.stream()
                    .filter(x -> x.changeId.equals(v.get("change_id").asText())).findFirst().orElseThrow();
            assertThat(r.value()).isEqualTo(io.journeycep.sinks.json.OutputJson.segmentChange(c));
        }
        for (Map.Entry<String, List<String>> e : idsByUser.entrySet()) {
            assertThat(e.getValue()).as("changes of %s in order", e.getKey()).containsExactlyElementsOf(changes.stream()
                    .filter(c -> c.userId.equals(e.getKey())).map(c -> c.changeId).toList());
        }
        assertThat(idsByUser).hasSize(5);
    }

    /** Reads with read_committed until {@code expected} records arrived, then a little longer to catch extras. */
    private static Map<String, List<ConsumerRecord<byte[], byte[]>>> readCommitted(
            String bootstrap, List<String> topics, int expected) {
        Properties p = new Properties();
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(ConsumerConfig.GROUP_ID_CONFIG, "it-" + ItSupport.unique());
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<String, List<ConsumerRecord<byte[], byte[]>>> out = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(topics);
            int count = 0;
            long deadline = System.currentTimeMillis() + 30_000;
            long settleUntil = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(deadline, settleUntil)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.computeIfAbsent(r.topic(), t -> new ArrayList<>()).add(r);
                    count++;
                }
                if (count >= expected && settleUntil == Long.MAX_VALUE) {
                    settleUntil = System.currentTimeMillis() + 1_000;
                }
            }
        }
        return out;
    }
}
