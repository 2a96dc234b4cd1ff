package io.journeycep.pipeline.stages.velocity;

import io.journeycep.patterns.velocity.VelocityCrossing;
import io.journeycep.patterns.velocity.VelocityRule;
import io.journeycep.pipeline.ingest.WallClock;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertIds;
import io.journeycep.sinks.AlertKind;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.Locale;
import java.util.Objects;

/**
 * Evaluates velocity rules (DESIGN §3 VELOCITY) on {@code keyBy(KeyedRuleEvent::key)}, key {@code ruleId|value}.
 * The window and crossing logic is {@link io.journeycep.patterns.velocity.VelocityDetector}; this function feeds it
 * in event-time order and keeps its state bounded.
 *
 * <ul>
 *   <li><b>Event</b>: added to the key's window; event-time timers at its timestamp {@code t} (evaluation) and at
 *       {@code t + window} (eviction). Timers are per key and timestamp, so events of one timestamp share them.
 *   <li><b>Timer at {@code T}</b> (the watermark passed {@code T}, so every on-time event up to {@code T} is in): if
 *       some event has timestamp {@code T}, the rule is evaluated at {@code T} and an alert emitted on a crossing;
 *       then the window is settled through {@code T} (evicting events at or before {@code T − window}). Evaluating
 *       only behind the watermark is what makes out-of-order input give the ordered result; an alert therefore
 *       waits for the watermark (the configured out-of-orderness, or the idle fallback).
 *   <li><b>Alert</b>: also registers a timer at {@code alert time + cool-down}, so the cool-down survives an empty
 *       window. When the window is empty and the cool-down is over, the key's state is cleared: with no traffic,
 *       state and timers drop to zero once windows pass.
 *   <li><b>Late events</b> (at or before what was already evaluated; cannot happen behind {@code
 *       DedupeAndLateFilter} with the same watermarks) are dropped and counted in the {@code velocityLateEvents}
 *       metric.
 *   <li><b>Rule versions</b>: a record carrying a newer version of the rule than the key's state replaces the state
 *       (new window, armed, no cool-down): the in-flight window of the old version is discarded, because a changed
 *       aggregate, field or window makes it meaningless. Records carrying an older version (in flight when the
 *       rule changed) are counted against the current version. Other rules' keys are untouched.
 * </ul>
 *
 * <p>Alerts: kind {@code VELOCITY}, subject key = the dimension value, score = the aggregate, threshold, window
 * {@code [t − window, t]}, evidence event ids (latest 50), {@code evidenceJson} with the rule's aggregate, field,
 * comparison, dimension, severity, window and (distinct counts) the distinct values; id from {@link AlertIds}.
 */
public class VelocityEvaluator extends KeyedProcessFunction<String, KeyedRuleEvent, Alert> {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    public static final String STATE_NAME = "velocity-window";
    public static final String METRIC_LATE_EVENTS = "velocityLateEvents";
    public static final String METRIC_ALERTS = "velocityAlerts";

    private final WallClock clock;

    private transient ValueState<VelocityKeyState> state;
    private transient Counter lateEvents;
    private transient Counter alerts;

    public VelocityEvaluator() {
        this(WallClock.system());
    }

    public VelocityEvaluator(WallClock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public static ValueStateDescriptor<VelocityKeyState> stateDescriptor() {
        return new ValueStateDescriptor<>(STATE_NAME, TypeInformation.of(VelocityKeyState.class));
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        state = getRuntimeContext().getState(stateDescriptor());
        lateEvents = getRuntimeContext().getMetricGroup().counter(METRIC_LATE_EVENTS);
        alerts = getRuntimeContext().getMetricGroup().counter(METRIC_ALERTS);
    }

    @Override
    public void processElement(KeyedRuleEvent record, Context ctx, Collector<Alert> out) throws Exception {
        long ts = record.event.timestamp;
        VelocityKeyState s = state.value();
        if (s == null || record.rule.version > s.rule.version) {
            s = VelocityKeyState.fresh(record.rule);
        }
        if (ts <= ctx.timerService().currentWatermark() || s.detector.window.isLate(ts)) {
            lateEvents.inc();
            return;
        }
        if (!s.rule.matches(record.event) || !s.detector.add(s.rule, record.event)) {
            return; // no value for the rule's field (or an older record the current version does not match)
        }
        ctx.timerService().registerEventTimeTimer(ts);
        ctx.timerService().registerEventTimeTimer(ts + s.rule.windowMs);
        state.update(s);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        VelocityKeyState s = state.value();
        if (s == null) {
            return;
        }
        if (!s.detector.window.isLate(timestamp) && s.detector.window.hasTimestamp(timestamp)) {
            VelocityCrossing crossing = s.detector.evaluate(s.rule, timestamp);
            if (crossing != null) {
                out.collect(toAlert(s.rule, subjectOf(ctx.getCurrentKey(), s.rule), crossing));
                alerts.inc();
                long cooldownEnd = s.detector.cooldownEnd(s.rule);
                if (cooldownEnd > timestamp) {
                    ctx.timerService().registerEventTimeTimer(cooldownEnd);
                }
            }
        } else {
            s.detector.settle(timestamp);
        }
        if (s.detector.canBeDropped(timestamp, s.rule.effectiveCooldownMs())) {
            state.clear();
        } else {
            state.update(s);
        }
    }

    static String subjectOf(String key, VelocityRule rule) {
        String prefix = rule.ruleId + '|';
        return key.startsWith(prefix) ? key.substring(prefix.length()) : key;
    }

    Alert toAlert(VelocityRule rule, String subject, VelocityCrossing c) {
        Alert a = new Alert();
        a.kind = AlertKind.VELOCITY;
        a.ruleId = c.ruleId();
        a.ruleVersion = c.ruleVersion();
        a.subjectKey = subject;
        a.score = c.value().doubleValue();
        a.threshold = c.threshold();
        a.windowStart = c.windowStart();
        a.windowEnd = c.windowEnd();
        a.evidenceEventIds = new java.util.ArrayList<>(c.evidenceEventIds());
        ObjectNode ev = JSON.createObjectNode();
        ev.put("aggregate", rule.aggregate.name().toLowerCase(Locale.ROOT));
        if (rule.field != null) {
            ev.put("field", rule.field.wireName());
        }
        ev.put("value", c.value().stripTrailingZeros().toPlainString());
        ev.put("comparison", c.comparison().symbol());
        ev.put("threshold", c.threshold());
        ev.put("dimension", rule.dimension.name().toLowerCase(Locale.ROOT));
        ev.put("severity", rule.severity.name().toLowerCase(Locale.ROOT));
        ev.put("window_ms", rule.windowMs);
        ev.put("cooldown_ms", rule.effectiveCooldownMs());
        if (!c.distinctValues().isEmpty()) {
            ArrayNode values = ev.putArray("distinct_values");
            c.distinctValues().forEach(values::add);
        }
        a.evidenceJson = ev.toString();
        a.eventTime = c.eventTime();
        a.detectedAt = clock.nowMillis();
        a.alertId = AlertIds.of(a);
        return a;
    }
}
