package io.journeycep.pipeline.control;

import io.journeycep.pipeline.ingest.ReadCommittedKafka;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/** Sources of control records: the Kafka control topic, or a fixed list (tests, bounded runs). */
public final class ControlSources {
    private ControlSources() {}

    /**
     * The control topic, read from the <b>earliest</b> offset on a fresh start, so the topic is the durable log of
     * rule changes and a new job sees every change made so far (restores continue from the checkpointed offsets).
     * Reads with {@code isolation.level=read_committed} (unless {@code extra} says otherwise); commits offsets on
     * checkpoints under {@code groupId}, for monitoring only.
     *
     * @param extra further consumer properties (security, client id…); may be null
     */
    public static KafkaSource<ControlRecord> kafka(
            String bootstrapServers, String topic, String groupId, Properties extra) {
        return ReadCommittedKafka.source(bootstrapServers, topic, groupId, OffsetsInitializer.earliest(),
                new KafkaControlDeserializer(), extra);
    }

    /**
     * A bounded source of the given records, in order. For bounded runs and tests only: like every finished source it
     * ends with watermark {@code Long.MAX_VALUE}, which the velocity operators would follow once unbounded events go
     * idle (see {@link ControlWatermarks}).
     */
    public static Source<ControlRecord, ?, ?> of(List<ControlRecord> records) {
        return new Listed(records);
    }

    /**
     * The records of a source made by {@link #of}, known before the job runs (a replay's {@code --control} file,
     * tests); empty for any other source (the control topic).
     */
    public static Optional<List<ControlRecord>> knownRecords(Source<ControlRecord, ?, ?> source) {
        return source instanceof Listed listed ? Optional.of(listed.records) : Optional.empty();
    }

    /** A bounded source of a fixed list, which says what it holds ({@link #knownRecords}). */
    private static final class Listed extends DataGeneratorSource<ControlRecord> {
        private static final long serialVersionUID = 1L;
        private final List<ControlRecord> records;

        Listed(List<ControlRecord> records) {
            super(new FromList(records), records.size(), TypeInformation.of(ControlRecord.class));
            this.records = List.copyOf(records);
        }
    }

    private static final class FromList implements GeneratorFunction<Long, ControlRecord> {
        private static final long serialVersionUID = 1L;
        private final ArrayList<ControlRecord> records;

        FromList(List<ControlRecord> records) {
            this.records = new ArrayList<>(records);
        }

        @Override
        public ControlRecord map(Long index) {
            return records.get(Math.toIntExact(index));
        }
    }
}
