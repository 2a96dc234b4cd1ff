package io.journeycep.pipeline.control;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

class ControlWatermarksTest {

    @Test
    void theControlStreamNeverEmitsAWatermarkAndIsAlwaysIdle() {
        List<String> calls = new ArrayList<>();
        WatermarkOutput out = new WatermarkOutput() {
            @Override
            public void emitWatermark(Watermark watermark) {
                calls.add("watermark " + watermark.getTimestamp());
            }

            @Override
            public void markIdle() {
                calls.add("idle");
            }

            @Override
            public void markActive() {
                calls.add("active");
            }
        };
        WatermarkGenerator<ControlRecord> g = new ControlWatermarks.AlwaysIdle<>();
        g.onPeriodicEmit(out);
        g.onEvent(ControlRecord.of("kafka:control/0", 0L, (String) null, "{}"), 1_700_000_000_000L, out);
        g.onPeriodicEmit(out);
        assertThat(calls).containsExactly("idle", "idle");
    }
}
