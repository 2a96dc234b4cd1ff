package io.journeycep.patterns.cep;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/**
 * Pins what {@link WatermarkBatchingKeyedOperator} relies on in Flink's {@code KeyedProcessOperator} (2.2.1): the
 * superclass's {@code processElement} runs the function with the current key, the function's timers are those of the
 * timer service the batch context gives (a timer registered through both is one timer), a timer fires into {@code
 * onTimer}, and the context's side output reaches the operator's. A change in any of these fails here.
 */
class WatermarkBatchingKeyedOperatorTest {
    static final OutputTag<String> SIDE = new OutputTag<>("side", Types.STRING);

    /** Records are "key@time"; keeps per key the records seen; a timer at each time. */
    static final class Recorder extends KeyedProcessFunction<String, String, String>
            implements WatermarkBatches.Function<String, String> {
        final List<String> calls = new ArrayList<>();
        transient ValueState<String> seen;
        boolean inBatch;

        @Override
        public void open(OpenContext context) {
            seen = getRuntimeContext().getState(new ValueStateDescriptor<>("seen", Types.STRING));
        }

        @Override
        public void processElement(String record, Context ctx, Collector<String> out) throws Exception {
            calls.add((inBatch ? "batch " : "record ") + ctx.getCurrentKey() + " " + record);
            seen.update((seen.value() == null ? "" : seen.value() + ",") + record);
            ctx.timerService().registerEventTimeTimer(timeOf(record));
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out) throws Exception {
            out.collect("timer " + ctx.getCurrentKey() + " " + timestamp + " " + seen.value());
        }

        @Override
        public long timeOf(String record) {
            return Long.parseLong(record.split("@")[1]);
        }

        @Override
        public void startBatch(long watermark) {
            inBatch = true;
        }

        @Override
        public void finishBatch(WatermarkBatches.Context<String> context) throws Exception {
            inBatch = false;
            context.timerService().registerEventTimeTimer(timeOf(seen.value().split(",")[0]));
            context.emit("finished " + context.currentKey(), 7L);
            context.emit(SIDE, "side " + context.currentKey(), 7L);
        }
    }

    @Test
    void heldRecordsGoToTheFunctionAsABatchWithTheirKeyAndTheirTimersAreTheFunctions() throws Exception {
        Recorder function = new Recorder();
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new WatermarkBatchingKeyedOperator<>(function),
                (String r) -> r.substring(0, r.indexOf('@')), Types.STRING)) {
            h.open();
            h.processElement(new StreamRecord<>("a@10", 10));
            h.processElement(new StreamRecord<>("b@20", 20));
            h.processElement(new StreamRecord<>("a@15", 15));
            assertThat(function.calls).as("held until the watermark passes them").isEmpty();
            assertThat(h.numEventTimeTimers()).isZero();

            h.processWatermark(new Watermark(12));
            assertThat(function.calls).containsExactly("batch a a@10", "batch a a@15");
            assertThat(h.extractOutputValues()).as("the timer at 10, registered by the function and the batch, fires once")
                    .containsExactly("finished a", "timer a 10 a@10,a@15");
            assertThat(h.getSideOutput(SIDE)).extracting(StreamRecord::getValue).containsExactly("side a");
            assertThat(h.numEventTimeTimers()).as("a's at 15").isEqualTo(1);

            h.prepareSnapshotPreBarrier(1L);
            assertThat(function.calls).as("handed over the ordinary way before a barrier").endsWith("record b b@20");
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }
}
