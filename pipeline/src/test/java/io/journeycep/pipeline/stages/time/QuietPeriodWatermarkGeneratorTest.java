package io.journeycep.pipeline.stages.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.journeycep.model.JourneyEvent;
import io.journeycep.pipeline.ingest.IngestRecord;
import io.journeycep.sinks.RejectedEvent;

import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.clock.ManualClock;
import org.apache.flink.util.clock.RelativeClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

class QuietPeriodWatermarkGeneratorTest {

    /** 2026-11-22T10:00:00Z; wall clock and event time start together (a live stream). */
    private static final long T0 = 1_795_341_600_000L;
    private static final Duration OOO = Duration.ofSeconds(5);
    private static final long OOO_MS = 5_000L;

    /** Records what the generator emits, in order. */
    static final class FakeOutput implements WatermarkOutput {
        final List<Long> watermarks = new ArrayList<>();
        final List<String> calls = new ArrayList<>();
        boolean idle;

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
            calls.add("wm:" + watermark.getTimestamp());
            idle = false;
        }

        @Override
        public void markIdle() {
            calls.add("idle");
            idle = true;
        }

        @Override
        public void markActive() {
            calls.add("active");
            idle = false;
        }

        long last() {
            return watermarks.get(watermarks.size() - 1);
        }

        void assertNeverBackwards() {
            for (int i = 1; i < watermarks.size(); i++) {
                assertThat(watermarks.get(i)).as("watermark #%d", i).isGreaterThanOrEqualTo(watermarks.get(i - 1));
            }
        }
    }

    private final ManualClock clock = new ManualClock(T0 * 1_000_000L);
    private final FakeOutput out = new FakeOutput();

    private QuietPeriodWatermarkGenerator generator(Duration idle, Duration quiet) {
        return new QuietPeriodWatermarkGenerator(OOO, idle, quiet, clock, clock);
    }

    static IngestRecord accepted(long ts) {
        JourneyEvent e = new JourneyEvent();
        e.eventId = "e-" + ts;
        e.userId = "u-1";
        e.timestamp = ts;
        return IngestRecord.accepted(e);
    }

    static IngestRecord rejected() {
        IngestRecord r = new IngestRecord();
        r.rejected = new RejectedEvent();
        return r;
    }

    private void feed(WatermarkGenerator<IngestRecord> g, IngestRecord r) {
        g.onEvent(r, r.isAccepted() ? r.event.timestamp : Long.MIN_VALUE, out);
    }

    private void advance(Duration d) {
        clock.advanceTime(d);
    }

    @Test
    void orderedEventsGiveMaxMinusOutOfOrdernessMinusOne() {
        var g = generator(null, null);
        g.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(Long.MIN_VALUE);
        for (long t = 0; t < 5; t++) {
            feed(g, accepted(T0 + t * 1000));
            g.onPeriodicEmit(out);
            assertThat(out.last()).isEqualTo(T0 + t * 1000 - OOO_MS - 1);
        }
        out.assertNeverBackwards();
    }

    @Test
    void outOfOrderEventsDoNotMoveTheWatermarkBack() {
        var g = generator(null, null);
        feed(g, accepted(T0 + 10_000));
        g.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(T0 + 10_000 - OOO_MS - 1);
        feed(g, accepted(T0 + 6_000)); // 4 s out of order: within the bound
        feed(g, accepted(T0 + 1_000)); // 9 s out of order: will be late downstream
        g.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(T0 + 10_000 - OOO_MS - 1);
        feed(g, accepted(T0 + 12_000));
        g.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(T0 + 12_000 - OOO_MS - 1);
        out.assertNeverBackwards();
    }

    @Test
    void rejectedRecordsNeitherMoveTheWatermarkNorCountAsActivity() {
        var g = generator(Duration.ofSeconds(10), Duration.ofSeconds(30));
        feed(g, accepted(T0));
        g.onPeriodicEmit(out);
        long wm = out.last();

        // rejected records keep arriving, every second, for 15 s: the split still becomes idle after 10 s
        for (int i = 0; i < 15; i++) {
            advance(Duration.ofSeconds(1));
            feed(g, rejected());
            g.onPeriodicEmit(out);
        }
        assertThat(out.calls).contains("idle");
        assertThat(out.idle).isTrue();
        assertThat(out.watermarks).allMatch(w -> w == wm);

        // and they do not postpone the quiet fallback either: 30 s after the last accepted event it engages
        for (int i = 0; i < 15; i++) {
            advance(Duration.ofSeconds(1));
            feed(g, rejected());
            g.onPeriodicEmit(out);
        }
        assertThat(out.idle).isFalse();
        assertThat(out.last()).isEqualTo(T0 + 30_000 - OOO_MS - 1);
    }

    @Test
    void quietPeriodAdvancesTheWatermarkWithTheClockFromWhereEventTimeStood() {
        var g = generator(null, Duration.ofMinutes(1));
        feed(g, accepted(T0 - 2_000)); // the last event arrives 2 s after it happened
        g.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(T0 - 2_000 - OOO_MS - 1);

        advance(Duration.ofSeconds(59));
        g.onPeriodicEmit(out);
        assertThat(out.last()).as("not yet quiet").isEqualTo(T0 - 2_000 - OOO_MS - 1);

        advance(Duration.ofSeconds(1));
        g.onPeriodicEmit(out);
        assertThat(out.last()).as("fallback = maxTs + quiet - ooo - 1").isEqualTo(T0 - 2_000 + 60_000 - OOO_MS - 1);

        advance(Duration.ofMinutes(29));
        g.onPeriodicEmit(out);
        long afterHalfHour = T0 - 2_000 + 30 * 60_000 - OOO_MS - 1;
        assertThat(out.last()).isEqualTo(afterHalfHour);
        // a fresh event stamped "now" with the same 2 s delay is still on time
        assertThat(T0 + 30 * 60_000 - 2_000).isGreaterThan(out.last());

        // an old event after the quiet period (the documented trade-off): late, and it does not pull the
        // watermark back; the fallback stops because there was activity
        feed(g, accepted(T0 + 60_000));
        g.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(afterHalfHour);
        assertThat(T0 + 60_000).isLessThanOrEqualTo(out.last());

        // a current event moves it on normally again
        feed(g, accepted(T0 + 31 * 60_000));
        g.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(T0 + 31 * 60_000 - OOO_MS - 1);
        out.assertNeverBackwards();
    }

    @Test
    void fallbackNeverPassesTheWallClockMinusOutOfOrderness() {
        var g = generator(null, Duration.ofMinutes(1));
        feed(g, accepted(T0 + 10 * 60_000)); // dated 10 min in the future (producer clock skew)
        g.onPeriodicEmit(out);
        long eventWm = T0 + 10 * 60_000 - OOO_MS - 1;
        assertThat(out.last()).isEqualTo(eventWm);

        advance(Duration.ofMinutes(5));
        g.onPeriodicEmit(out);
        assertThat(out.last()).as("wall clock (T0+5m) is behind event time: hold").isEqualTo(eventWm);

        advance(Duration.ofMinutes(10)); // now = T0 + 15 min, extrapolated = T0 + 25 min
        g.onPeriodicEmit(out);
        assertThat(out.last()).as("capped at wall clock").isEqualTo(T0 + 15 * 60_000 - OOO_MS - 1);
        out.assertNeverBackwards();
    }

    @Test
    void emptySplitBecomesIdleAndStaysIdleWithoutAnAnchor() {
        var g = generator(Duration.ofSeconds(10), Duration.ofMinutes(1));
        g.onPeriodicEmit(out);
        assertThat(out.idle).isFalse();
        advance(Duration.ofSeconds(10));
        g.onPeriodicEmit(out);
        assertThat(out.idle).isTrue();
        int emitted = out.watermarks.size();
        advance(Duration.ofHours(1));
        g.onPeriodicEmit(out);
        g.onPeriodicEmit(out);
        assertThat(out.idle).isTrue();
        assertThat(out.watermarks).hasSize(emitted);
        assertThat(out.calls.stream().filter("idle"::equals)).hasSize(1);
    }

    @Test
    void idleThenQuietThenActiveAgain() {
        var g = generator(Duration.ofSeconds(10), Duration.ofMinutes(1));
        feed(g, accepted(T0));
        g.onPeriodicEmit(out);
        advance(Duration.ofSeconds(10));
        g.onPeriodicEmit(out);
        assertThat(out.idle).as("idle between idleTimeout and quietPeriod").isTrue();
        advance(Duration.ofSeconds(50));
        g.onPeriodicEmit(out);
        assertThat(out.idle).as("the fallback watermark re-activates the split").isFalse();
        assertThat(out.last()).isEqualTo(T0 + 60_000 - OOO_MS - 1);

        feed(g, accepted(T0 + 58_000)); // behind the fallback watermark: it holds
        g.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(T0 + 60_000 - OOO_MS - 1);
        advance(Duration.ofSeconds(10));
        g.onPeriodicEmit(out);
        assertThat(out.idle).isTrue();
        feed(g, accepted(T0 + 80_000));
        assertThat(out.calls.get(out.calls.size() - 1)).isEqualTo("active");
        g.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(T0 + 80_000 - OOO_MS - 1);
        out.assertNeverBackwards();
    }

    @Test
    void withoutFallbackAQuietSplitJustHolds() {
        var g = generator(null, null);
        feed(g, accepted(T0));
        advance(Duration.ofDays(1));
        g.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(T0 - OOO_MS - 1);
        assertThat(out.idle).isFalse();
    }

    @Test
    void strategyAssignsEventTimeAndBuildsTheGenerator() {
        WatermarkStrategy<IngestRecord> strategy = EventTimeWatermarks.strategy(
                OOO, Duration.ofSeconds(10), Duration.ofMinutes(1), () -> clock);
        TimestampAssigner<IngestRecord> assigner = strategy.createTimestampAssigner(new AssignerContext());
        assertThat(assigner.extractTimestamp(accepted(T0 + 7), 42L)).isEqualTo(T0 + 7);
        assertThat(assigner.extractTimestamp(rejected(), 42L)).isEqualTo(42L);

        WatermarkGenerator<IngestRecord> g = strategy.createWatermarkGenerator(new GeneratorContext(clock));
        assertThat(g).isInstanceOf(QuietPeriodWatermarkGenerator.class);
        feed(g, accepted(T0));
        feed(g, rejected());
        g.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(T0 - OOO_MS - 1);
        advance(Duration.ofMinutes(2));
        g.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(T0 + 120_000 - OOO_MS - 1);

        // the production strategy (system clocks) builds too and uses the input-activity clock
        WatermarkGenerator<IngestRecord> prod = EventTimeWatermarks.strategy(OOO, null, null)
                .createWatermarkGenerator(new GeneratorContext(clock));
        assertThat(prod).isInstanceOf(QuietPeriodWatermarkGenerator.class);
    }

    @Test
    void rejectsNonsenseDurations() {
        assertThatThrownBy(() -> EventTimeWatermarks.strategy(Duration.ofSeconds(-1), null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventTimeWatermarks.strategy(OOO, Duration.ZERO, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventTimeWatermarks.strategy(OOO, null, Duration.ofSeconds(-5)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static final class AssignerContext implements TimestampAssignerSupplier.Context {
        @Override
        public MetricGroup getMetricGroup() {
            return new UnregisteredMetricsGroup();
        }
    }

    static final class GeneratorContext implements WatermarkGeneratorSupplier.Context {
        private final RelativeClock clock;

        GeneratorContext(RelativeClock clock) {
            this.clock = clock;
        }

        @Override
        public MetricGroup getMetricGroup() {
            return new UnregisteredMetricsGroup();
        }

        @Override
        public RelativeClock getInputActivityClock() {
            return clock;
        }
    }
}
