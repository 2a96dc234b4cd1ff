package io.journeycep.pipeline.stages.drift;

import io.journeycep.patterns.drift.ChangeDetector;
import io.journeycep.patterns.drift.CusumDetector;
import io.journeycep.patterns.drift.DriftSignal;
import io.journeycep.patterns.drift.Ewma;
import io.journeycep.patterns.drift.PageHinkleyDetector;
import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.ingest.WallClock;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertIds;
import io.journeycep.sinks.AlertKind;
import io.journeycep.sinks.DriftStat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Phase two of the drift stage, keyed by metric: adds the pre-aggregated sums of a bucket, closes the bucket with an
 * event-time timer at its last millisecond (so one metric's buckets are closed in order), and runs the bucket's
 * value through the metric's {@link DriftMetricState}: running stats, EWMA and the configured change detector. Emits
 * a {@link DriftStat} per bucket with a value and a DRIFT alert ({@link #ALERTS}) per signal.
 *
 * <p>Empty buckets: after a closed bucket the next one is closed too, with or without data, up to
 * {@code max-empty-buckets} empty buckets in a row (a rate is 0 then, so a metric that goes silent reads as a drop);
 * then the metric pauses: no timer until it is seen again, when its series resumes without filling the pause and the
 * detector learns a new baseline. At the end of a bounded input (watermark at its maximum) no empty bucket is added and
 * each metric's last bucket is not evaluated (the input usually ends inside it, so its partial count would read as a
 * drop); gaps between buckets with data are still filled. Open sums live in a map state keyed by bucket start; once
 * the watermark passes a metric's buckets and it pauses or the input ends, it has no timer and an empty map.
 */
public class DriftDetector extends KeyedProcessFunction<String, MetricPartial, DriftStat> {
    private static final long serialVersionUID = 1L;
    public static final OutputTag<Alert> ALERTS = new OutputTag<>("drift-alerts", TypeInformation.of(Alert.class));
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JobConfig.Drift config;
    private final long bucket;
    private final WallClock clock;

    private transient MapState<Long, MetricPartial> open;
    private transient ValueState<DriftMetricState> state;

    public DriftDetector(JobConfig.Drift config, WallClock clock) {
        this.config = config;
        this.bucket = config.bucket.toMillis();
        this.clock = clock;
    }

    @Override
    public void open(OpenContext openContext) {
        open = getRuntimeContext().getMapState(new MapStateDescriptor<>(
                "drift-open-buckets", Types.LONG, TypeInformation.of(MetricPartial.class)));
        state = getRuntimeContext().getState(
                new ValueStateDescriptor<>("drift-metric", TypeInformation.of(DriftMetricState.class)));
    }

    @Override
    public void processElement(MetricPartial p, Context ctx, Collector<DriftStat> out) throws Exception {
        DriftMetricState s = state.value();
        if (s == null) {
            s = newState(ctx.getCurrentKey());
            state.update(s);
        }
        if (s.hasClosed && p.bucketStart <= s.lastClosed) {
            return; // cannot happen with the pre-aggregator's timestamps; a closed bucket is never reopened
        }
        MetricPartial sum = open.get(p.bucketStart);
        if (sum == null) {
            sum = new MetricPartial(p.metric, p.bucketStart, 0, 0);
        }
        sum.add(p);
        open.put(p.bucketStart, sum);
        ctx.timerService().registerEventTimeTimer(p.bucketStart + bucket - 1);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<DriftStat> out) throws Exception {
        String metric = ctx.getCurrentKey();
        DriftMetricState s = state.value();
        long b = timestamp - bucket + 1;
        if (s == null || (s.hasClosed && b <= s.lastClosed)) {
            return;
        }
        MetricPartial sum = open.get(b);
        open.remove(b);
        boolean endOfInput = ctx.timerService().currentWatermark() == Long.MAX_VALUE;
        if (endOfInput && sum == null) {
            return; // no empty buckets past the data
        }
        boolean cutLast = endOfInput && open.isEmpty(); // the input ended inside it: not evaluated
        if (s.hasClosed && b > s.lastClosed + bucket) {
            long missing = (b - s.lastClosed) / bucket - 1;
            long fill = s.paused ? 0 : Math.max(0, Math.min(missing, config.maxEmptyBuckets - s.emptyRun));
            for (long i = 0; i < fill; i++) {
                close(metric, s.lastClosed + bucket, null, s, ctx, out);
            }
            if (missing > fill) {
                s.detector().rebaseline(); // the series resumes after a pause: learn its level afresh
                s.emptyRun = 0;
            }
        }
        if (cutLast) {
            state.update(s);
            return;
        }
        close(metric, b, sum, s, ctx, out);
        if (s.emptyRun >= config.maxEmptyBuckets) {
            s.paused = true;
        } else if (!endOfInput && !open.contains(b + bucket)) {
            ctx.timerService().registerEventTimeTimer(b + 2 * bucket - 1);
        }
        state.update(s);
    }

    private void close(
            String metric, long b, MetricPartial sum, DriftMetricState s, OnTimerContext ctx, Collector<DriftStat> out) {
        s.hasClosed = true;
        s.lastClosed = b;
        boolean empty = sum == null;
        s.emptyRun = empty ? s.emptyRun + 1 : 0;
        if (!empty) {
            s.paused = false;
        }
        double value = DriftMetrics.value(metric, sum);
        if (Double.isNaN(value)) {
            return;
        }
        s.series.add(value);
        double level = s.ewma.add(value);
        ChangeDetector d = s.detector();
        // The baseline the value is measured against: read before add(), which learns an in-control value into it
        // (the row would otherwise show a baseline that already includes its own value, not the one the statistic
        // was computed with).
        boolean measured = d.isReady();
        double mean = d.baselineMean;
        double stddev = d.baselineStddev;
        DriftSignal signal = d.add(value);
        if (signal == null) {
            if (measured) {
                double statistic =
                        Math.max(d.statistic(DriftSignal.Direction.UP), d.statistic(DriftSignal.Direction.DOWN));
                out.collect(new DriftStat(metric, b, value, mean, stddev, statistic));
            } else { // warm-up: the baseline learned so far, this value included; no statistic yet
                out.collect(new DriftStat(metric, b, value, d.baselineMean, d.baselineStddev, 0.0));
            }
        } else {
            out.collect(new DriftStat(metric, b, value, signal.baselineMean(), signal.baselineStddev(),
                    signal.statistic()));
            ctx.output(ALERTS, alert(metric, b, signal, level, s));
        }
    }

    private Alert alert(String metric, long b, DriftSignal signal, double level, DriftMetricState s) {
        Alert a = new Alert();
        a.kind = AlertKind.DRIFT;
        a.ruleId = "drift." + metric;
        a.ruleVersion = config.version;
        a.subjectKey = metric;
        a.score = signal.statistic();
        a.threshold = signal.threshold();
        a.windowStart = b;
        a.windowEnd = b + bucket;
        List<String> evidence = new ArrayList<>();
        evidence.add(metric + "@" + Instant.ofEpochMilli(b));
        a.evidenceEventIds = evidence;
        ObjectNode ev = JSON.createObjectNode();
        ev.put("metric", metric);
        ev.put("detector", config.detector);
        ev.put("direction", signal.direction().name());
        ev.put("bucket_start", Instant.ofEpochMilli(b).toString());
        ev.put("bucket", config.bucket.toString());
        ev.put("value", signal.value());
        ev.put("baseline_mean", signal.baselineMean());
        ev.put("baseline_stddev", signal.baselineStddev());
        ev.put("shift_stddevs", (signal.value() - signal.baselineMean()) / signal.baselineStddev());
        ev.put("ewma", level);
        ev.put("statistic", signal.statistic());
        ev.put("threshold", signal.threshold());
        ev.put("warmup", config.warmup);
        ev.put("series_mean", s.series.mean);
        ev.put("series_stddev", s.series.stddev());
        ev.put("series_buckets", s.series.count);
        a.evidenceJson = ev.toString();
        a.eventTime = b + bucket - 1;
        a.detectedAt = clock.nowMillis();
        a.alertId = AlertIds.of(a);
        return a;
    }

    private DriftMetricState newState(String metric) {
        DriftMetricState s = new DriftMetricState();
        s.ewma = new Ewma(config.ewmaAlpha);
        double floor = DriftMetrics.minStddev(config.minStddev, metric);
        if ("page-hinkley".equals(config.detector)) {
            s.pageHinkley = new PageHinkleyDetector(config.warmup, config.delta, config.threshold, floor);
        } else {
            s.cusum = new CusumDetector(config.warmup, config.slack, config.threshold, floor);
        }
        return s;
    }
}
