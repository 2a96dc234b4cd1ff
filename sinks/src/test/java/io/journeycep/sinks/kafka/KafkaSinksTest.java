package io.journeycep.sinks.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertKind;
import io.journeycep.sinks.RejectReason;
import io.journeycep.sinks.RejectedEvent;
import io.journeycep.sinks.SegmentAction;
import io.journeycep.sinks.SegmentChange;
import io.journeycep.sinks.json.OutputJson;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class KafkaSinksTest {

    private static Alert alert(AlertKind kind, String key) {
        Alert a = new Alert();
        a.alertId = "id-" + kind;
        a.kind = kind;
        a.ruleId = "r";
        a.subjectKey = key;
        return a;
    }

    @Test
    void alertsAreRoutedByAudienceAndKeyedBySubject() {
        KafkaSinks.AlertSerializer s = new KafkaSinks.AlertSerializer("trig", "risk");
        for (AlertKind kind : AlertKind.values()) {
            Alert a = alert(kind, "u-" + kind.ordinal());
            ProducerRecord<byte[], byte[]> r = s.serialize(a, null, 123L);
            assertThat(r.topic()).isEqualTo(kind.audience() == AlertKind.Audience.MARKETING ? "trig" : "risk");
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(a.subjectKey);
            assertThat(r.value()).isEqualTo(OutputJson.alert(a));
            assertThat(r.timestamp()).as("write time (the producer's clock), not the event time").isNull();
        }
        assertThat(s.serialize(alert(AlertKind.CART_ABANDONED, "x"), null, 1L).topic()).isEqualTo("trig");
        assertThat(s.serialize(alert(AlertKind.HIGH_VALUE_BROWSING, "x"), null, 1L).topic()).isEqualTo("trig");
        assertThat(s.serialize(alert(AlertKind.VELOCITY, "x"), null, 1L).topic()).isEqualTo("risk");
        assertThat(s.serialize(alert(AlertKind.PATH_ANOMALY, "x"), null, 1L).topic()).isEqualTo("risk");
        assertThat(s.serialize(alert(AlertKind.DRIFT, "x"), null, 1L).topic()).isEqualTo("risk");
    }

    @Test
    void rejectedAreKeyedBySource() {
        RejectedEvent e = RejectedEvent.of("kafka:events/2", 5, RejectReason.MISSING_USER, "no id", new byte[] {1}, 0);
        ProducerRecord<byte[], byte[]> r = new KafkaSinks.RejectedSerializer("dlq").serialize(e, null, null);
        assertThat(r.topic()).isEqualTo("dlq");
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("kafka:events/2");
        assertThat(r.value()).isEqualTo(OutputJson.rejected(e));
        assertThat(new KafkaSinks.RejectedSerializer("dlq").serialize(e, null, 5_000L).timestamp())
                .as("write time (the producer's clock), not the event time").isNull();
    }

    @Test
    void segmentChangesAreKeyedByUser() {
        SegmentChange c = SegmentChange.of("u-42", "HIGH_VALUE", SegmentAction.EXIT, "spend fell below 1000", 3,
                5_000L, 1_000L, 6_000L);
        ProducerRecord<byte[], byte[]> r = new KafkaSinks.SegmentChangeSerializer("seg").serialize(c, null, 5_000L);
        assertThat(r.topic()).isEqualTo("seg");
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("u-42");
        assertThat(r.value()).isEqualTo(OutputJson.segmentChange(c));
        assertThat(r.timestamp()).as("write time (the producer's clock), not the event time").isNull();
    }

    @Test
    void exactlyOnceSetsATransactionTimeoutTheBrokerAccepts() {
        KafkaOutputSettings s = KafkaOutputSettings.of("localhost:9092");
        assertThat(s.deliveryGuarantee()).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(KafkaSinks.producerConfig(s).getProperty("transaction.timeout.ms")).isEqualTo("900000");

        Properties extra = new Properties();
        extra.setProperty("transaction.timeout.ms", "60000");
        assertThat(KafkaSinks.producerConfig(s.withExtra(extra)).getProperty("transaction.timeout.ms"))
                .isEqualTo("60000");
        assertThat(KafkaSinks.producerConfig(s.withDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)))
                .doesNotContainKey("transaction.timeout.ms");
    }

    @Test
    void sinksBuild() {
        KafkaOutputSettings s = KafkaOutputSettings.of("localhost:9092");
        assertThat(KafkaSinks.alerts(s)).isNotNull();
        assertThat(KafkaSinks.deadLetters(s)).isNotNull();
        assertThat(KafkaSinks.late(s)).isNotNull();
        assertThat(KafkaSinks.segmentChanges(s, KafkaOutputSettings.DEFAULT_SEGMENTS_TOPIC)).isNotNull();
        assertThatThrownBy(() -> KafkaSinks.segmentChanges(s, " ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void settingsDefaultsAndToStringHidesSecrets() throws Exception {
        Properties extra = new Properties();
        extra.setProperty("sasl.jaas.config", "PlainLoginModule required username=\"u\" password=\"hunter2\";");
        extra.setProperty("ssl.truststore.password", "s3cret");
        KafkaOutputSettings s = KafkaOutputSettings.of("b:9092").withExtra(extra);
        assertThat(s.triggersTopic()).isEqualTo("journey.triggers");
        assertThat(s.riskTopic()).isEqualTo("risk.alerts");
        assertThat(s.deadLetterTopic()).isEqualTo("events.dlq");
        assertThat(s.lateTopic()).isEqualTo("events.late");
        assertThat(s.transactionalIdPrefix()).isEqualTo("journey-cep");
        assertThat(s.toString()).doesNotContain("hunter2").doesNotContain("s3cret").contains("sasl.jaas.config");

        extra.setProperty("ssl.truststore.password", "changed-after");
        assertThat(s.extra().getProperty("ssl.truststore.password")).isEqualTo("s3cret"); // defensive copy

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(s);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            KafkaOutputSettings back = (KafkaOutputSettings) in.readObject();
            assertThat(back.toString()).isEqualTo(s.toString());
            assertThat(back.extra()).isEqualTo(s.extra());
        }
    }
}
