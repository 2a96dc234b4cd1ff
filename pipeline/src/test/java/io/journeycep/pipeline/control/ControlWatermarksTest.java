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

    /**
     * A replay's control file in event time: each record's time is its ts, the watermark follows the greatest ts read
     * (minus 1 ms), never idle; a list in ts order is required.
     */
    @Test
    void aControlFileInEventTimeHasItsTsAsTimeAndWatermarksAndIsNeverIdle() throws Exception {
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
        var strategy = ControlWatermarks.atRecordTimes();
        ControlRecord r = ControlRecord.of("file:c.jsonl", 1L, null, "{}".getBytes(), 5_000L);
        assertThat(strategy.createTimestampAssigner(null).extractTimestamp(r, Long.MIN_VALUE)).isEqualTo(5_000L);
        WatermarkGenerator<ControlRecord> g = strategy.createWatermarkGenerator(null);
        g.onEvent(r, 5_000L, out);
        g.onPeriodicEmit(out);
        g.onPeriodicEmit(out);
        assertThat(calls).containsExactly("watermark 4999", "watermark 4999");

        ControlRecord earlier = ControlRecord.of("file:c.jsonl", 2L, null, "{}".getBytes(), 4_000L);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ControlSources.inEventTime(List.of(r, earlier)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timestamp order");
        assertThat(ControlSources.isInEventTime(ControlSources.inEventTime(List.of(earlier, r)))).isTrue();
        assertThat(ControlSources.isInEventTime(ControlSources.of(List.of(earlier, r)))).isFalse();
    }
}
