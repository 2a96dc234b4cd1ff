package io.journeycep.pipeline.ingest;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.Objects;

/**
 * Parses each Kafka record's value with {@link EventParser#parseJson}: source {@code kafka:<topic>/<partition>},
 * position the offset. Exactly one {@link IngestRecord} per Kafka record; a null value (tombstone) is rejected as
 * {@code MALFORMED}. Never throws, so a poison record cannot fail the job.
 */
public final class KafkaIngestDeserializer implements KafkaRecordDeserializationSchema<IngestRecord> {
    private static final long serialVersionUID = 1L;

    private final EventParser parser;

    public KafkaIngestDeserializer(EventParser parser) {
        this.parser = Objects.requireNonNull(parser);
    }

    /** The source label of a partition. */
    public static String sourceLabel(String topic, int partition) {
        return "kafka:" + topic + "/" + partition;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<IngestRecord> out) {
        out.collect(parser.parseJson(record.value(), sourceLabel(record.topic(), record.partition()),
                record.offset()));
    }

    @Override
    public TypeInformation<IngestRecord> getProducedType() {
        return TypeInformation.of(IngestRecord.class);
    }
}
