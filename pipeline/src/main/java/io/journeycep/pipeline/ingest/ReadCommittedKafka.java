package io.journeycep.pipeline.ingest;

import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.kafka.clients.consumer.ConsumerConfig;

import java.util.Objects;
import java.util.Properties;

/**
 * The one way the job reads a Kafka topic: {@code isolation.level=read_committed} (our own topics are written in
 * transactions; {@code extra} may override it), offsets committed on checkpoints under the group id (for monitoring;
 * restores use the checkpointed offsets), the given starting offsets on a fresh start.
 */
public final class ReadCommittedKafka {
    private ReadCommittedKafka() {}

    /** @param extra further consumer properties (security, client id…); may be null */
    public static <T> KafkaSource<T> source(String bootstrapServers, String topic, String groupId,
            OffsetsInitializer startingOffsets, KafkaRecordDeserializationSchema<T> deserializer, Properties extra) {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(groupId, "groupId");
        Properties props = new Properties();
        props.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        if (extra != null) {
            props.putAll(extra);
        }
        return KafkaSource.<T>builder()
                .setBootstrapServers(bootstrapServers)
                .setTopics(topic)
                .setGroupId(groupId)
                .setStartingOffsets(startingOffsets)
                .setDeserializer(deserializer)
                .setProperties(props)
                .build();
    }
}
