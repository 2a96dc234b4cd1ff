package io.journeycep.sinks.kafka;

import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertKind;
import io.journeycep.sinks.RejectedEvent;
import io.journeycep.sinks.SegmentChange;
import io.journeycep.sinks.json.OutputJson;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Kafka sinks for the output records (DESIGN §4): JSON values ({@link OutputJson}), keyed so that one key's records
 * stay in order on one partition.
 *
 * <p>With {@link DeliveryGuarantee#EXACTLY_ONCE} (the default) records are written in Kafka transactions committed
 * on checkpoints, so consumers must read with {@code isolation.level=read_committed} and records become visible only
 * once per checkpoint: checkpointing must be enabled, and its interval bounds the output latency. The producer's
 * {@code transaction.timeout.ms} is set to {@value #TRANSACTION_TIMEOUT_MS} (15 min, the broker's default {@code
 * transaction.max.timeout.ms}; Flink's 1 h default is rejected by a stock broker) unless {@code extra} sets it; it
 * must exceed the longest expected checkpoint interval plus restart time.
 *
 * <p>Record timestamps are the write time (the producer's clock), not the event time: the event time is in the JSON
 * value, and a replay of history stamped with its event times would be deleted by the topic's time retention
 * (7 days by default) minutes after it was written.
 */
public final class KafkaSinks {
    /** 15 minutes: the default {@code transaction.max.timeout.ms} of a Kafka broker. */
    public static final String TRANSACTION_TIMEOUT_MS = "900000";

    private KafkaSinks() {}

    /**
     * Alerts to {@code triggersTopic} (marketing kinds) or {@code riskTopic} (risk kinds) by {@link
     * AlertKind#audience()}, keyed by {@code subjectKey}. Transactional id prefix {@code <prefix>-alerts}.
     */
    public static KafkaSink<Alert> alerts(KafkaOutputSettings settings) {
        return KafkaSink.<Alert>builder()
                .setKafkaProducerConfig(producerConfig(settings))
                .setBootstrapServers(settings.bootstrapServers())
                .setRecordSerializer(new AlertSerializer(settings.triggersTopic(), settings.riskTopic()))
                .setDeliveryGuarantee(settings.deliveryGuarantee())
                .setTransactionalIdPrefix(settings.transactionalIdPrefix() + "-alerts")
                .build();
    }

    /**
     * Rejected records to {@code topic}, keyed by {@code source}. Transactional id prefix {@code
     * <prefix>-<transactionalIdSuffix>}; each sink of a job needs its own suffix.
     */
    public static KafkaSink<RejectedEvent> rejected(
            KafkaOutputSettings settings, String topic, String transactionalIdSuffix) {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("topic must be set");
        }
        if (transactionalIdSuffix == null || transactionalIdSuffix.isBlank()) {
            throw new IllegalArgumentException("transactionalIdSuffix must be set");
        }
        return KafkaSink.<RejectedEvent>builder()
                .setKafkaProducerConfig(producerConfig(settings))
                .setBootstrapServers(settings.bootstrapServers())
                .setRecordSerializer(new RejectedSerializer(topic))
                .setDeliveryGuarantee(settings.deliveryGuarantee())
                .setTransactionalIdPrefix(settings.transactionalIdPrefix() + "-" + transactionalIdSuffix)
                .build();
    }

    /** Rejected records to {@code deadLetterTopic} (transactional suffix {@code dlq}). */
    public static KafkaSink<RejectedEvent> deadLetters(KafkaOutputSettings settings) {
        return rejected(settings, settings.deadLetterTopic(), "dlq");
    }

    /** Late events to {@code lateTopic} (transactional suffix {@code late}). */
    public static KafkaSink<RejectedEvent> late(KafkaOutputSettings settings) {
        return rejected(settings, settings.lateTopic(), "late");
    }

    /**
     * Segment ENTER/EXIT changes to {@code topic} ({@code segment.updates} by default, {@link
     * KafkaOutputSettings#DEFAULT_SEGMENTS_TOPIC}), keyed by user id so one user's changes stay in order on one
     * partition, value {@link OutputJson#segmentChange}. Transactional id prefix {@code <prefix>-segments}.
     */
    public static KafkaSink<SegmentChange> segmentChanges(KafkaOutputSettings settings, String topic) {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("topic must be set");
        }
        return KafkaSink.<SegmentChange>builder()
                .setKafkaProducerConfig(producerConfig(settings))
                .setBootstrapServers(settings.bootstrapServers())
                .setRecordSerializer(new SegmentChangeSerializer(topic))
                .setDeliveryGuarantee(settings.deliveryGuarantee())
                .setTransactionalIdPrefix(settings.transactionalIdPrefix() + "-segments")
                .build();
    }

    static Properties producerConfig(KafkaOutputSettings settings) {
        Properties p = settings.extra();
        if (settings.deliveryGuarantee() == DeliveryGuarantee.EXACTLY_ONCE) {
            p.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
        }
        return p;
    }

    /** The topic an alert goes to. */
    static String topicOf(AlertKind kind, String triggersTopic, String riskTopic) {
        switch (kind.audience()) {
            case MARKETING:
                return triggersTopic;
            case RISK:
                return riskTopic;
            default:
                throw new IllegalArgumentException("No topic for audience " + kind.audience());
        }
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    /** Alert → topic by audience, key subjectKey, value {@link OutputJson#alert}. Stateless. */
    static final class AlertSerializer implements KafkaRecordSerializationSchema<Alert> {
        private static final long serialVersionUID = 1L;
        private final String triggersTopic;
        private final String riskTopic;

        AlertSerializer(String triggersTopic, String riskTopic) {
            this.triggersTopic = triggersTopic;
            this.riskTopic = riskTopic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(Alert alert, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(
                    topicOf(alert.kind, triggersTopic, riskTopic),
                    null,
                    null, // write time, see the class javadoc
                    utf8(alert.subjectKey),
                    OutputJson.alert(alert));
        }
    }

    /** RejectedEvent → fixed topic, key source, value {@link OutputJson#rejected}. Stateless. */
    static final class RejectedSerializer implements KafkaRecordSerializationSchema<RejectedEvent> {
        private static final long serialVersionUID = 1L;
        private final String topic;

        RejectedSerializer(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                RejectedEvent r, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(topic, null, null, utf8(r.source), OutputJson.rejected(r));
        }
    }

    /** SegmentChange → fixed topic, key userId, value {@link OutputJson#segmentChange}. Stateless. */
    static final class SegmentChangeSerializer implements KafkaRecordSerializationSchema<SegmentChange> {
        private static final long serialVersionUID = 1L;
        private final String topic;

        SegmentChangeSerializer(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                SegmentChange c, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(topic, null, null, utf8(c.userId), OutputJson.segmentChange(c));
        }
    }
}
