package io.journeycep.pipeline.stages.erasure;

import io.journeycep.model.JourneyEvent;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.List;

/**
 * Keyed by user key: passes events on at once and holds each erasure marker until the watermark has passed its time
 * (the request time), so it reaches the stages after it behind every event of its key up to that time, from whatever
 * upstream instance (identity stitching re-keys events across instances, so upstream order alone proves nothing).
 * From here on a user's records travel one channel per stage, in order. A marker at or behind the watermark goes on at
 * once. State: the held markers of the key (usually none), cleared when they leave.
 */
public class ErasureGate extends KeyedProcessFunction<String, JourneyEvent, JourneyEvent> {
    private static final long serialVersionUID = 1L;
    static final String HELD_STATE = "held-erasure-markers";

    private transient ListState<JourneyEvent> held;

    @Override
    public void open(OpenContext openContext) {
        held = getRuntimeContext().getListState(new ListStateDescriptor<>(HELD_STATE, JourneyEvent.class));
    }

    @Override
    public void processElement(JourneyEvent e, Context ctx, Collector<JourneyEvent> out) throws Exception {
        if (!e.isErasure() || e.timestamp <= ctx.timerService().currentWatermark()) {
            out.collect(e);
            return;
        }
        held.add(e);
        ctx.timerService().registerEventTimeTimer(e.timestamp);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<JourneyEvent> out) throws Exception {
        List<JourneyEvent> later = new ArrayList<>();
        Iterable<JourneyEvent> all = held.get();
        if (all != null) {
            for (JourneyEvent m : all) {
                if (m.timestamp <= timestamp) {
                    out.collect(m);
                } else {
                    later.add(m);
                }
            }
        }
        if (later.isEmpty()) {
            held.clear();
        } else {
            held.update(later);
        }
    }
}
