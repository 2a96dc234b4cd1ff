package io.journeycep.pipeline.stages.time;

import static io.journeycep.pipeline.stages.time.QuietPeriodWatermarkGeneratorTest.accepted;
import static io.journeycep.pipeline.stages.time.QuietPeriodWatermarkGeneratorTest.rejected;
import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.pipeline.ingest.IngestRecord;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.clock.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** {@code replay --until}: records after TIME dropped and counted, watermarks held at TIME (the final MAX included). */
class EventTimeLimitTest {
    private static final long T0 = 1_795_341_600_000L; // 2026-11-22T10:00:00Z
    private static final long UNTIL = T0 + 60_000;

    private EventTimeLimit operator;
    private OneInputStreamOperatorTestHarness<IngestRecord, IngestRecord> harness;

    @BeforeEach
    void open() throws Exception {
        operator = new EventTimeLimit(Instant.ofEpochMilli(UNTIL));
        harness = new OneInputStreamOperatorTestHarness<>(operator);
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    /** The output in order: "r:<event id>", "rejected", "wm:<offset from T0>" (MAX as "wm:MAX"). */
    @SuppressWarnings("unchecked")
    private List<String> output() {
        List<String> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof Watermark w) {
                out.add(w.getTimestamp() == Long.MAX_VALUE ? "wm:MAX" : "wm:" + (w.getTimestamp() - T0));
            } else {
                IngestRecord r = ((StreamRecord<IngestRecord>) o).getValue();
                out.add(r.isAccepted() ? "r:" + (r.event.timestamp - T0) : "rejected");
            }
        }
        return out;
    }

    private void send(IngestRecord r) throws Exception {
        harness.processElement(r, r.isAccepted() ? r.event.timestamp : Long.MIN_VALUE);
    }

    @Test
    void dropsAndCountsRecordsAfterUntilAndHoldsWatermarksAtIt() throws Exception {
        send(accepted(T0));
        harness.processWatermark(new Watermark(T0 + 10));
        send(accepted(UNTIL)); // at TIME: processed
        send(accepted(UNTIL + 1)); // after: dropped
        send(rejected()); // no event time: to the dead letters as always
        harness.processWatermark(new Watermark(UNTIL - 1));
        send(accepted(UNTIL + 3_600_000)); // dropped
        send(accepted(T0 + 5)); // out of order, before TIME: processed
        harness.processWatermark(new Watermark(UNTIL + 5_000)); // beyond TIME: forwarded as TIME
        send(accepted(UNTIL + 2)); // dropped
        harness.processWatermark(new Watermark(UNTIL + 10_000)); // already at TIME: nothing
        harness.processWatermark(Watermark.MAX_WATERMARK); // end of a bounded input: nothing more
        harness.endInput();

        assertThat(output()).containsExactly(
                "r:0", "wm:10", "r:60000", "rejected", "wm:59999", "r:5", "wm:60000");
        assertThat(operator.droppedRecords()).isEqualTo(3);
        LongCounter acc = (LongCounter) operator.getRuntimeContext()
                .<Long, Long>getAccumulator(EventTimeLimit.ACC_AFTER_UNTIL);
        assertThat(acc.getLocalValue()).isEqualTo(3L);
    }

    @Test
    void theFinalWatermarkOfABoundedInputStopsAtUntil() throws Exception {
        send(accepted(T0));
        harness.processWatermark(Watermark.MAX_WATERMARK);
        assertThat(output()).containsExactly("r:0", "wm:60000");
        assertThat(operator.droppedRecords()).isZero();
    }

    @Test
    void theSourcesGeneratorDoesNotSeeRecordsAfterUntil() {
        QuietPeriodWatermarkGeneratorTest.FakeOutput out = new QuietPeriodWatermarkGeneratorTest.FakeOutput();
        WatermarkGenerator<IngestRecord> g = EventTimeWatermarks
                .strategy(Duration.ofSeconds(5), null, null, Instant.ofEpochMilli(UNTIL))
                .createWatermarkGenerator(new QuietPeriodWatermarkGeneratorTest.GeneratorContext(new ManualClock(T0)));
        g.onEvent(accepted(T0 + 20_000), T0 + 20_000, out);
        g.onEvent(accepted(UNTIL + 3_600_000), UNTIL + 3_600_000, out); // ignored: as if the input ended at TIME
        g.onEvent(rejected(), Long.MIN_VALUE, out);
        g.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(T0 + 20_000 - 5_000 - 1);
        g.onEvent(accepted(UNTIL), UNTIL, out);
        g.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(UNTIL - 5_000 - 1);
    }

    private static OneInputStreamOperatorTestHarness<IngestRecord, IngestRecord> lastEventHarness(
            EventTimeLimit op) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(op);
    }

    @Test
    void theEndOfInputAdvancesEventTimeToUntilAndPublishesIt() throws Exception {
        send(accepted(T0));
        harness.processWatermark(Watermark.MAX_WATERMARK);
        org.apache.flink.api.common.accumulators.LongMaximum end =
                (org.apache.flink.api.common.accumulators.LongMaximum) operator.getRuntimeContext()
                        .<Long, Long>getAccumulator(EventTimeLimit.ACC_EVENT_TIME_END);
        assertThat(end.getLocalValue()).isEqualTo(UNTIL);
    }

    /**
     * The default of a file source: nothing dropped, and the final MAX watermark becomes the greatest event time of the
     * accepted records (not the last one to arrive), so the timeouts after the last event stay pending.
     */
    @Test
    void atTheLastEventTheFinalWatermarkIsTheGreatestAcceptedEventTime() throws Exception {
        EventTimeLimit last = EventTimeLimit.atLastEvent();
        try (OneInputStreamOperatorTestHarness<IngestRecord, IngestRecord> h = lastEventHarness(last)) {
            h.open();
                h.processElement(accepted(T0 + 1_000), T0 + 1_000);
            h.processWatermark(new Watermark(T0 - 5_000)); // an ordinary watermark: forwarded as is
            h.processElement(accepted(T0 + 90_000), T0 + 90_000); // the greatest
            h.processElement(rejected(), Long.MIN_VALUE); // no event time: ignored for the end
            h.processElement(accepted(T0 + 30_000), T0 + 30_000); // out of order, earlier: not the end
            h.processWatermark(new Watermark(T0 + 200_000)); // beyond the greatest time (a quiet-period fallback)
            h.processWatermark(Watermark.MAX_WATERMARK); // the end of the input: already there, nothing more
            h.endInput();
            assertThat(last.greatestEventTime()).isEqualTo(T0 + 90_000);
            List<String> out = new ArrayList<>();
            for (Object o : h.getOutput()) {
                out.add(o instanceof Watermark w ? "wm:" + (w.getTimestamp() - T0) : "record");
            }
            assertThat(out).containsExactly("record", "wm:-5000", "record", "record", "record", "wm:90000");
            org.apache.flink.api.common.accumulators.LongMaximum end =
                    (org.apache.flink.api.common.accumulators.LongMaximum) last.getRuntimeContext()
                            .<Long, Long>getAccumulator(EventTimeLimit.ACC_EVENT_TIME_END);
            assertThat(end.getLocalValue()).isEqualTo(T0 + 90_000);
            assertThat(last.getRuntimeContext().getAccumulator(EventTimeLimit.ACC_AFTER_UNTIL))
                    .as("nothing is dropped at the last event").isNull();
        }
    }

    @Test
    void atTheLastEventTheFinalWatermarkAloneBecomesTheGreatestTime() throws Exception {
        EventTimeLimit last = EventTimeLimit.atLastEvent();
        try (OneInputStreamOperatorTestHarness<IngestRecord, IngestRecord> h = lastEventHarness(last)) {
            h.open();
            h.processElement(accepted(T0 + 7), T0 + 7);
            h.processWatermark(Watermark.MAX_WATERMARK);
            assertThat(h.getOutput()).last().isEqualTo(new Watermark(T0 + 7));
        }
    }

    /** The greatest time is operator state: a run restored from a checkpoint still ends at the input's last event. */
    @Test
    void theGreatestEventTimeSurvivesARestore() throws Exception {
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
        try (OneInputStreamOperatorTestHarness<IngestRecord, IngestRecord> h =
                lastEventHarness(EventTimeLimit.atLastEvent())) {
            h.open();
            h.processElement(accepted(T0 + 50_000), T0 + 50_000);
            snapshot = h.snapshot(1L, 1L);
        }
        EventTimeLimit restored = EventTimeLimit.atLastEvent();
        try (OneInputStreamOperatorTestHarness<IngestRecord, IngestRecord> h = lastEventHarness(restored)) {
            h.initializeState(snapshot);
            h.open();
            h.processElement(accepted(T0 + 10_000), T0 + 10_000);
            h.processWatermark(Watermark.MAX_WATERMARK);
            assertThat(h.getOutput()).last().isEqualTo(new Watermark(T0 + 50_000));
        }
    }
}
