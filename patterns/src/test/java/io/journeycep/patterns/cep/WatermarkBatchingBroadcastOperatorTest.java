package io.journeycep.patterns.cep;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/**
 * Pins what {@link WatermarkBatchingBroadcastOperator} relies on in Flink's {@code CoBroadcastWithKeyedOperator}
 * (2.2.1): the superclass's {@code processElement1} runs the function with the current key, the function's timers are
 * those of the timer service the batch context gives (one service, so a timer registered through both is one timer),
 * and a timer fires into the function's {@code onTimer}. A change in any of these on a Flink upgrade fails here.
 */
class WatermarkBatchingBroadcastOperatorTest {
    static final MapStateDescriptor<String, String> BROADCAST =
            new MapStateDescriptor<>("broadcast", Types.STRING, Types.STRING);

    /** Records are "key@time" (an erasure "key@time@erase"); keeps per key the records seen; a timer at each time. */
    static final class Recorder extends KeyedBroadcastProcessFunction<String, String, String, String>
            implements WatermarkBatches.Function<String, String> {
        final List<String> calls = new ArrayList<>();
        transient ValueState<String> seen;
        boolean inBatch;

        @Override
        public void open(OpenContext context) {
            seen = getRuntimeContext().getState(new ValueStateDescriptor<>("seen", Types.STRING));
        }

        @Override
        public void processElement(String record, ReadOnlyContext ctx, Collector<String> out) throws Exception {
            calls.add((inBatch ? "batch " : "record ") + ctx.getCurrentKey() + " " + record);
            seen.update((seen.value() == null ? "" : seen.value() + ",") + record);
            ctx.timerService().registerEventTimeTimer(timeOf(record));
        }

        @Override
        public void processBroadcastElement(String value, Context ctx, Collector<String> out) {}

        @Override
        public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out) throws Exception {
            out.collect("timer " + ctx.getCurrentKey() + " " + timestamp + " " + seen.value());
        }

        @Override
        public long timeOf(String record) {
            String[] parts = record.split("@");
            return Long.parseLong(parts[1]);
        }

        @Override
        public boolean dropsHeldRecords(String record) {
            return record.endsWith("@erase");
        }

        @Override
        public void startBatch(long watermark) {
            inBatch = true;
        }

        @Override
        public void finishBatch(WatermarkBatches.Context<String> context) throws Exception {
            inBatch = false;
            ReadOnlyBroadcastState<String, String> broadcast = context.broadcastState(BROADCAST);
            assertThat(broadcast.contains("x")).isFalse();
            // the same timer service as the function's: a timer at a time already registered is the same timer
            context.timerService().registerEventTimeTimer(timeOf(seen.value().split(",")[0]));
            context.emit("finished " + context.currentKey(), 7L);
        }
    }

    @Test
    void heldRecordsGoToTheFunctionAsABatchWithTheirKeyAndTheirTimersAreTheFunctions() throws Exception {
        Recorder function = new Recorder();
        try (var h = new KeyedBroadcastOperatorTestHarness<>(
                new WatermarkBatchingBroadcastOperator<>(function, List.of(BROADCAST)),
                (String r) -> r.substring(0, r.indexOf('@')), Types.STRING, 1, 1, 0)) {
            h.open();
            h.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.IDLE);
            h.processElement(new StreamRecord<>("a@10", 10));
            h.processElement(new StreamRecord<>("b@20", 20));
            h.processElement(new StreamRecord<>("a@15", 15));
            assertThat(function.calls).as("held until the watermark passes them").isEmpty();
            assertThat(h.numEventTimeTimers()).isZero();

            h.processWatermark(new Watermark(12));
            assertThat(function.calls).containsExactly("batch a a@10", "batch a a@15");
            assertThat(h.extractOutputValues()).as("the timer at 10, registered by the function and the batch, fires once")
                    .containsExactly("finished a", "timer a 10 a@10,a@15");
            assertThat(h.numEventTimeTimers()).as("a's at 15").isEqualTo(1);

            h.getTwoInputOperator().prepareSnapshotPreBarrier(1L);
            assertThat(function.calls).as("handed over the ordinary way before a barrier").endsWith("record b b@20");

            h.processElement(new StreamRecord<>("c@30", 30));
            h.processElement(new StreamRecord<>("c@31@erase", 31));
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            assertThat(function.calls).doesNotContain("batch c c@30", "record c c@30");
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }
}
