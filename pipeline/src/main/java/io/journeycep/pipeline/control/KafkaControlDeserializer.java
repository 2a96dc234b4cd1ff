package io.journeycep.pipeline.control;

import io.journeycep.pipeline.ingest.KafkaIngestDeserializer;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Control-topic records as they are, unparsed: source {@code kafka:<topic>/<partition>}, position the offset, key
 * and value bytes, and the record's timestamp. Parsing happens in {@link ParseControl}, so a bad message becomes a dead letter, never an error.
 */
final class KafkaControlDeserializer implements KafkaRecordDeserializationSchema<ControlRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ControlRecord> out) {
        out.collect(ControlRecord.of(KafkaIngestDeserializer.sourceLabel(record.topic(), record.partition()),
                record.offset(), record.key(), record.value(), Math.max(0L, record.timestamp())));
    }

    @Override
    public TypeInformation<ControlRecord> getProducedType() {
        return TypeInformation.of(ControlRecord.class);
    }
}
