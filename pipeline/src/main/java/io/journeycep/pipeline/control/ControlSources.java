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
     * A bounded source of the given records, in order, without event time: idle, as the control topic
     * ({@link ControlWatermarks#strategy()}), so records enter whenever they are read. For bounded runs and tests only:
     * like every finished source it ends with watermark {@code Long.MAX_VALUE}, which the velocity operators would
     * follow once unbounded events go idle (see {@link ControlWatermarks}).
     */
    public static Source<ControlRecord, ?, ?> of(List<ControlRecord> records) {
        return new Listed(records, false);
    }

    /**
     * A bounded source of the given records, which must be in {@code timestamp} order (a {@link ControlFile}'s), <b>in
     * event time</b>: each record's event time is its {@code timestamp} and the source's watermark follows them
     * ({@link ControlWatermarks#atRecordTimes()}), never idle. So every operator that combines the control stream with
     * the events holds its event time behind the next control record until that record has passed: a replay's
     * control messages enter the job before event time passes their {@code ts}, however fast the events are read.
     *
     * @throws IllegalArgumentException if the records are not in {@code timestamp} order
     */
    public static Source<ControlRecord, ?, ?> inEventTime(List<ControlRecord> records) {
        for (int i = 1; i < records.size(); i++) {
            if (records.get(i).timestamp < records.get(i - 1).timestamp) {
                throw new IllegalArgumentException("control records in event time must be in timestamp order: "
                        + records.get(i) + " is before " + records.get(i - 1));
            }
        }
        return new Listed(records, true);
    }

    /** Whether {@code source} was made by {@link #inEventTime}: its records carry event time and watermarks. */
    public static boolean isInEventTime(Source<ControlRecord, ?, ?> source) {
        return source instanceof Listed listed && listed.eventTime;
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
        private final boolean eventTime;

        Listed(List<ControlRecord> records, boolean eventTime) {
            super(new FromList(records), records.size(), TypeInformation.of(ControlRecord.class));
            this.records = List.copyOf(records);
            this.eventTime = eventTime;
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
