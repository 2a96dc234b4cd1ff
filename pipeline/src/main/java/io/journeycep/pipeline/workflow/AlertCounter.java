package io.journeycep.pipeline.workflow;

import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertKind;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts alerts by kind (accumulators {@code alerts.<KIND>}) and by rule id ({@code alerts.rule.<ruleId>}), for the
 * replay summary, and as metrics: per kind a counter {@code alerts.<KIND>}, a rate {@code alertsPerSecond.<KIND>} and
 * a histogram {@code alertLatencyMs.<KIND>} of the wall-clock time at emit minus the alert's event time (on a live
 * stream: how long after the event that completed it an alert goes out; on a replay of history it is the age of the
 * data, not a latency). The rule ids the job knows at start are counted from zero, so a rule that never
 * fired shows 0; a rule id first seen later (a rule added at run time) gets its counter then.
 */
final class AlertCounter extends RichMapFunction<Alert, Alert> {
    private static final long serialVersionUID = 1L;
    static final String PREFIX = "alerts.";
    static final String RULE_PREFIX = "alerts.rule.";
    static final String RATE_PREFIX = "alertsPerSecond.";
    static final String LATENCY_PREFIX = "alertLatencyMs.";

    private final List<String> ruleIds;
    private transient Map<AlertKind, LongCounter> totals;
    private transient Map<AlertKind, Counter> metrics;
    private transient Map<AlertKind, Meter> rates;
    private transient Map<AlertKind, Histogram> latencies;
    private transient Map<String, LongCounter> perRule;

    AlertCounter(List<String> ruleIds) {
        this.ruleIds = new ArrayList<>(ruleIds);
    }

    @Override
    public void open(OpenContext openContext) {
        totals = new EnumMap<>(AlertKind.class);
        metrics = new EnumMap<>(AlertKind.class);
        rates = new EnumMap<>(AlertKind.class);
        latencies = new EnumMap<>(AlertKind.class);
        perRule = new HashMap<>();
        for (AlertKind kind : AlertKind.values()) {
            LongCounter total = new LongCounter();
            getRuntimeContext().addAccumulator(PREFIX + kind.name(), total);
            totals.put(kind, total);
            MetricGroup group = getRuntimeContext().getMetricGroup();
            Counter counter = group.counter(PREFIX + kind.name());
            metrics.put(kind, counter);
            rates.put(kind, group.meter(RATE_PREFIX + kind.name(), new MeterView(counter)));
            latencies.put(kind, group.histogram(LATENCY_PREFIX + kind.name(),
                    new DescriptiveStatisticsHistogram(1_000)));
        }
        for (String id : ruleIds) {
            ruleCounter(id);
        }
    }

    private LongCounter ruleCounter(String ruleId) {
        LongCounter c = perRule.get(ruleId);
        if (c == null) {
            c = new LongCounter();
            getRuntimeContext().addAccumulator(RULE_PREFIX + ruleId, c);
            perRule.put(ruleId, c);
        }
        return c;
    }

    @Override
    public Alert map(Alert alert) {
        totals.get(alert.kind).add(1);
        metrics.get(alert.kind).inc();
        latencies.get(alert.kind).update(Math.max(0, System.currentTimeMillis() - alert.eventTime));
        ruleCounter(String.valueOf(alert.ruleId)).add(1);
        return alert;
    }
}
