package io.journeycep.pipeline.workflow;

import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertKind;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;

import java.util.EnumMap;
import java.util.Map;

/** Counts alerts by kind (accumulators {@code alerts.<KIND>} for the replay summary, and metrics). */
final class AlertCounter extends RichMapFunction<Alert, Alert> {
    private static final long serialVersionUID = 1L;
    static final String PREFIX = "alerts.";

    private transient Map<AlertKind, LongCounter> totals;
    private transient Map<AlertKind, Counter> metrics;

    @Override
    public void open(OpenContext openContext) {
        totals = new EnumMap<>(AlertKind.class);
        metrics = new EnumMap<>(AlertKind.class);
        for (AlertKind kind : AlertKind.values()) {
            LongCounter total = new LongCounter();
            getRuntimeContext().addAccumulator(PREFIX + kind.name(), total);
            totals.put(kind, total);
            metrics.put(kind, getRuntimeContext().getMetricGroup().counter(PREFIX + kind.name()));
        }
    }

    @Override
    public Alert map(Alert alert) {
        totals.get(alert.kind).add(1);
        metrics.get(alert.kind).inc();
        return alert;
    }
}
