package io.journeycep.pipeline.stages.time;

import io.journeycep.pipeline.ingest.IngestRecord;

import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.util.clock.Clock;
import org.apache.flink.util.clock.SystemClock;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The job's watermark strategy for {@link IngestRecord}s, applied at the source so watermarks are generated per
 * Kafka partition / file split from event times. See {@link QuietPeriodWatermarkGenerator} for the exact rule.
 */
public final class EventTimeWatermarks {

    private EventTimeWatermarks() {}

    /**
     * @param maxOutOfOrderness how far out of order events may arrive and still be on time
     * @param idleTimeout a split with no accepted event for this long is marked idle so it does not hold back
     *     the others; {@code null} = off
     * @param quietPeriod after this long without accepted events the watermark keeps advancing with the clock
     *     from where event time stood; {@code null} = off (use off for bounded replays)
     */
    public static WatermarkStrategy<IngestRecord> strategy(
            Duration maxOutOfOrderness, Duration idleTimeout, Duration quietPeriod) {
        return strategy(maxOutOfOrderness, idleTimeout, quietPeriod, null, null);
    }

    /**
     * As {@link #strategy(Duration, Duration, Duration)}; with {@code until} ({@code replay --until}), accepted
     * records after it are not seen by the generator (see {@link EventTimeLimit#ignoringAfter}); {@code null} = all.
     */
    public static WatermarkStrategy<IngestRecord> strategy(
            Duration maxOutOfOrderness, Duration idleTimeout, Duration quietPeriod, Instant until) {
        return strategy(maxOutOfOrderness, idleTimeout, quietPeriod, until, null);
    }

    /** As {@link #strategy(Duration, Duration, Duration)} with an injected clock (tests); {@code null} = system. */
    static WatermarkStrategy<IngestRecord> strategy(
            Duration maxOutOfOrderness, Duration idleTimeout, Duration quietPeriod, ClockSupplier clock) {
        return strategy(maxOutOfOrderness, idleTimeout, quietPeriod, null, clock);
    }

    private static WatermarkStrategy<IngestRecord> strategy(
            Duration maxOutOfOrderness,
            Duration idleTimeout,
            Duration quietPeriod,
            Instant until,
            ClockSupplier clock) {
        // Validate eagerly (the generator is only built on the task managers).
        new QuietPeriodWatermarkGenerator(
                maxOutOfOrderness, idleTimeout, quietPeriod, SystemClock.getInstance(), SystemClock.getInstance());
        return WatermarkStrategy.forGenerator(new Supplier(
                        maxOutOfOrderness, idleTimeout, quietPeriod, until == null ? null : until.toEpochMilli(), clock))
                .withTimestampAssigner(new IngestTimestampAssigner());
    }

    /** Event time of accepted records; rejected records keep the source's timestamp (the generator ignores them). */
    static final class IngestTimestampAssigner implements SerializableTimestampAssigner<IngestRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public long extractTimestamp(IngestRecord record, long recordTimestamp) {
            return record != null && record.event != null ? record.event.timestamp : recordTimestamp;
        }
    }

    /** Serializable source of a clock for tests. */
    @FunctionalInterface
    interface ClockSupplier extends java.io.Serializable {
        Clock get();
    }

    private static final class Supplier implements WatermarkGeneratorSupplier<IngestRecord> {
        private static final long serialVersionUID = 1L;

        private final Duration maxOutOfOrderness;
        private final Duration idleTimeout;
        private final Duration quietPeriod;
        private final Long untilMillis;
        private final ClockSupplier clock;

        Supplier(Duration maxOutOfOrderness, Duration idleTimeout, Duration quietPeriod, Long untilMillis,
                ClockSupplier clock) {
            this.maxOutOfOrderness = Objects.requireNonNull(maxOutOfOrderness);
            this.idleTimeout = idleTimeout;
            this.quietPeriod = quietPeriod;
            this.untilMillis = untilMillis;
            this.clock = clock;
        }

        @Override
        public WatermarkGenerator<IngestRecord> createWatermarkGenerator(Context context) {
            WatermarkGenerator<IngestRecord> generator = quietPeriodGenerator(context);
            return untilMillis == null ? generator : EventTimeLimit.ignoringAfter(generator, untilMillis);
        }

        private WatermarkGenerator<IngestRecord> quietPeriodGenerator(Context context) {
            if (clock != null) {
                Clock c = clock.get();
                return new QuietPeriodWatermarkGenerator(maxOutOfOrderness, idleTimeout, quietPeriod, c, c);
            }
            // The input-activity clock pauses while the source is back-pressured, so a stall is not "quiet".
            return new QuietPeriodWatermarkGenerator(
                    maxOutOfOrderness,
                    idleTimeout,
                    quietPeriod,
                    context.getInputActivityClock(),
                    SystemClock.getInstance());
        }
    }
}
