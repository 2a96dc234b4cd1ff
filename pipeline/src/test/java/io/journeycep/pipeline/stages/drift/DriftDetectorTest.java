package io.journeycep.pipeline.stages.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.ingest.WallClock;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertIds;
import io.journeycep.sinks.AlertKind;
import io.journeycep.sinks.DriftStat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** The keyed drift detector on a harness: buckets in order per metric, empty buckets, pauses, end of input. */
class DriftDetectorTest {
    private static final long B = 60_000L;

    private static JobConfig.Drift config() {
        JobConfig.Drift c = new JobConfig.Drift();
        c.enabled = true;
        c.bucket = Duration.ofMinutes(1);
        c.warmup = 5;
        c.maxEmptyBuckets = 3;
        return c;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, MetricPartial, DriftStat> harness(
            JobConfig.Drift c) throws Exception {
        var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new DriftDetector(c, WallClock.fixed(42L)), (MetricPartial p) -> p.metric, Types.STRING);
        h.open();
        return h;
    }

    /** A bucket's sum as the pre-aggregator emits it (timestamp = the bucket's last millisecond). */
    private static void bucket(KeyedOneInputStreamOperatorTestHarness<String, MetricPartial, DriftStat> h,
            String metric, long i, double num, double den) throws Exception {
        h.processElement(new StreamRecord<>(new MetricPartial(metric, i * B, num, den), i * B + B - 1));
    }

    private static List<Alert> alerts(KeyedOneInputStreamOperatorTestHarness<String, MetricPartial, DriftStat> h) {
        var out = h.getSideOutput(DriftDetector.ALERTS);
        return out == null ? List.of() : out.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }

    @Test
    void aMetricThatStopsReadsAsADropThenPausesWithNoTimersLeft() throws Exception {
        var h = harness(config());
        for (long i = 0; i < 8; i++) {
            bucket(h, "rate.view", i, 10 + (i % 2), 0); // 10, 11, 10, 11, …
            h.processWatermark(new Watermark(i * B + B - 1));
        }
        assertThat(h.extractOutputValues()).hasSize(8);
        assertThat(h.numEventTimeTimers()).isEqualTo(1); // the next bucket, whether data comes or not
        h.processWatermark(new Watermark(100 * B)); // silence: 3 empty buckets (0), then the metric pauses
        List<DriftStat> stats = h.extractOutputValues();
        assertThat(stats).hasSize(11);
        assertThat(stats.subList(8, 11)).extracting(s -> s.value).containsExactly(0.0, 0.0, 0.0);
        assertThat(stats.subList(8, 11)).extracting(s -> s.bucketStart).containsExactly(8 * B, 9 * B, 10 * B);
        assertThat(h.numEventTimeTimers()).isZero();
        List<Alert> alerts = alerts(h);
        assertThat(alerts).hasSize(1);
        Alert a = alerts.get(0);
        assertThat(a.kind).isEqualTo(AlertKind.DRIFT);
        assertThat(a.ruleId).isEqualTo("drift.rate.view");
        assertThat(a.subjectKey).isEqualTo("rate.view");
        assertThat(a.windowStart).isEqualTo(9 * B); // the 2nd empty bucket: CUSUM 9.5, then 19 > 12
        assertThat(a.windowEnd).isEqualTo(10 * B);
        assertThat(a.threshold).isEqualTo(12.0);
        assertThat(a.score).isGreaterThan(12.0);
        assertThat(a.alertId).isEqualTo(AlertIds.of(a));
        JsonNode ev = new ObjectMapper().readTree(a.evidenceJson);
        assertThat(ev.get("direction").asText()).isEqualTo("DOWN");
        assertThat(ev.get("detector").asText()).isEqualTo("cusum");
        assertThat(ev.get("value").asDouble()).isZero();
        assertThat(ev.get("baseline_mean").asDouble()).isBetween(9.0, 11.0); // the first 0 was learned
        assertThat(ev.has("ewma")).isTrue();
        assertThat(stats.get(9).statistic).isEqualTo(a.score);

        // it comes back after the pause: no filling of the pause, a new baseline (no alert for the jump back)
        bucket(h, "rate.view", 200, 10, 0);
        h.processWatermark(new Watermark(200 * B + B - 1));
        assertThat(h.extractOutputValues()).hasSize(12);
        assertThat(h.extractOutputValues().get(11).bucketStart).isEqualTo(200 * B);
        assertThat(alerts(h)).hasSize(1);
        h.close();
    }

    @Test
    void metricsHaveTheirOwnStateAndRatiosSkipEmptyBuckets() throws Exception {
        var h = harness(config());
        bucket(h, "rate.purchase", 0, 2, 0);
        bucket(h, "conversion", 0, 2, 20);
        bucket(h, "conversion", 2, 3, 20); // bucket 1 has no views: no conversion value
        bucket(h, "rate.purchase", 2, 3, 0);
        h.processWatermark(new Watermark(3 * B - 1));
        List<DriftStat> stats = h.extractOutputValues();
        assertThat(stats.stream().filter(s -> s.metric.equals("conversion")))
                .extracting(s -> s.bucketStart, s -> s.value)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0L, 0.1), org.assertj.core.groups.Tuple.tuple(
                        2 * B, 0.15));
        assertThat(stats.stream().filter(s -> s.metric.equals("rate.purchase")))
                .extracting(s -> s.value)
                .containsExactly(2.0, 0.0, 3.0);
        h.close();
    }

    @Test
    void aRowHoldsTheBaselineItsValueWasMeasuredAgainst() throws Exception {
        var h = harness(config()); // warm-up 5, CUSUM slack 0.5, threshold 12, rate floor 1
        double[] values = {10, 11, 10, 11, 10, 20, 10};
        for (int i = 0; i < values.length; i++) {
            bucket(h, "rate.view", i, values[i], 0);
            h.processWatermark(new Watermark(i * B + B - 1));
        }
        List<DriftStat> stats = h.extractOutputValues();
        assertThat(stats).hasSize(7);
        // warm-up rows: the baseline learned so far, the value included, and no statistic
        assertThat(stats.get(0).mean).isEqualTo(10.0);
        assertThat(stats.get(4).mean).isCloseTo(10.4, within(1e-12));
        assertThat(stats.get(4).stddev).isEqualTo(1.0); // sample sd 0.55, floored at 1 event
        assertThat(stats.subList(0, 5)).extracting(s -> s.statistic).containsOnly(0.0);
        // bucket 5 (20) is measured against buckets 0–4, not against a baseline that already includes the 20:
        // z = (20 − 10.4) / 1 = 9.6, CUSUM up = 9.6 − 0.5 = 9.1 (no signal: 12)
        DriftStat measured = stats.get(5);
        assertThat(measured.mean).isCloseTo(10.4, within(1e-12));
        assertThat(measured.stddev).isEqualTo(1.0);
        assertThat(measured.statistic).isCloseTo(9.1, within(1e-12));
        assertThat(measured.statistic).isCloseTo((measured.value - measured.mean) / measured.stddev - 0.5,
                within(1e-12));
        // the 20 did not signal, so it was learned: bucket 6 is measured against buckets 0–5 (mean 12)
        DriftStat next = stats.get(6);
        assertThat(next.mean).isCloseTo(12.0, within(1e-12));
        assertThat(next.statistic).isCloseTo(9.1 + (10 - 12.0) / next.stddev - 0.5, within(1e-12));
        assertThat(alerts(h)).isEmpty();
        h.close();
    }

    @Test
    void endOfInputAddsNoEmptyBucketsAndDropsTheCutLastBucket() throws Exception {
        var h = harness(config());
        for (long i = 0; i < 6; i++) {
            bucket(h, "rate.view", i, 10, 0);
        }
        bucket(h, "rate.view", 9, 10, 0); // buckets 6–8 empty: filled (between data), bucket 9 the cut last one
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        List<DriftStat> stats = h.extractOutputValues();
        assertThat(stats).extracting(s -> s.bucketStart / B).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(h.numEventTimeTimers()).isZero();
        h.close();
    }
}
