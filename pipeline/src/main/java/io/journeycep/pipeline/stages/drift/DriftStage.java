package io.journeycep.pipeline.stages.drift;

import io.journeycep.model.JourneyEvent;
import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.ingest.WallClock;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.DriftStat;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;

/**
 * The drift stage (DESIGN §3 DRIFT; README "Drift"):
 *
 * <pre>
 * events ─► drift-event-metrics ─┐                                                      ┌► drift stats
 *                                ├► drift-metrics (pre-aggregate per subtask and bucket) ─► keyBy(metric) drift-detector
 * alerts ─► drift-alert-metrics ─┘   (only with the abandonment metric)                  └► DRIFT alerts
 * </pre>
 */
public final class DriftStage {
    public static final String EVENT_METRICS_UID = "drift-event-metrics";
    public static final String ALERT_METRICS_UID = "drift-alert-metrics";
    public static final String METRICS_UID = "drift-metrics";
    public static final String DETECTOR_UID = "drift-detector";

    private DriftStage() {}

    public static final class Output {
        public final DataStream<DriftStat> stats;
        public final DataStream<Alert> alerts;

        Output(DataStream<DriftStat> stats, DataStream<Alert> alerts) {
            this.stats = stats;
            this.alerts = alerts;
        }
    }

    /** @param alerts the alerts of the other stages (CART_ABANDONED feeds the abandonment metric) */
    public static Output apply(
            DataStream<JourneyEvent> events, DataStream<Alert> alerts, JobConfig.Drift config, WallClock clock) {
        DriftMetrics metrics = new DriftMetrics(config);
        TypeInformation<MetricPartial> type = TypeInformation.of(MetricPartial.class);
        DataStream<MetricPartial> contributions = events
                .flatMap(new EventMetrics(metrics), type)
                .name("drift event metrics")
                .uid(EVENT_METRICS_UID);
        if (metrics.needsAlerts()) {
            contributions = contributions.union(alerts
                    .flatMap(new AlertMetrics(metrics), type)
                    .name("drift alert metrics")
                    .uid(ALERT_METRICS_UID));
        }
        SingleOutputStreamOperator<MetricPartial> partials = contributions
                .transform("drift metrics", type, new DriftPreAggregator(metrics.bucketMillis()))
                .uid(METRICS_UID);
        SingleOutputStreamOperator<DriftStat> stats = partials
                .keyBy(new MetricKey())
                .process(new DriftDetector(config, clock), TypeInformation.of(DriftStat.class))
                .name("drift detector")
                .uid(DETECTOR_UID);
        return new Output(stats, stats.getSideOutput(DriftDetector.ALERTS));
    }

    static final class MetricKey implements KeySelector<MetricPartial, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(MetricPartial p) {
            return p.metric;
        }
    }

    static final class EventMetrics implements FlatMapFunction<JourneyEvent, MetricPartial> {
        private static final long serialVersionUID = 1L;
        private final DriftMetrics metrics;

        EventMetrics(DriftMetrics metrics) {
            this.metrics = metrics;
        }

        @Override
        public void flatMap(JourneyEvent e, Collector<MetricPartial> out) {
            if (e.isErasure()) {
                return; // not an event
            }
            metrics.contributions(e, out::collect);
        }
    }

    static final class AlertMetrics implements FlatMapFunction<Alert, MetricPartial> {
        private static final long serialVersionUID = 1L;
        private final DriftMetrics metrics;

        AlertMetrics(DriftMetrics metrics) {
            this.metrics = metrics;
        }

        @Override
        public void flatMap(Alert a, Collector<MetricPartial> out) {
            metrics.contributions(a, out::collect);
        }
    }
}
