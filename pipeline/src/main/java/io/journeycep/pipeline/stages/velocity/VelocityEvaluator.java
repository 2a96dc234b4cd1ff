package io.journeycep.pipeline.stages.velocity;

import io.journeycep.patterns.velocity.VelocityCrossing;
import io.journeycep.patterns.velocity.VelocityRule;
import io.journeycep.patterns.velocity.VelocityRuleBook;
import io.journeycep.pipeline.control.ControlMessage;
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
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Evaluates velocity rules (DESIGN §3 VELOCITY) on {@code keyBy(KeyedRuleEvent::key)}, key {@code ruleId|value}, with
 * the rule book (config rules plus live changes from the control topic) as broadcast input. The window and crossing
 * logic is {@link io.journeycep.patterns.velocity.VelocityDetector}; this function feeds it in event-time order, keeps
 * its state bounded and applies rule changes.
 *
 * <ul>
 *   <li><b>Event</b>: added to the key's window; event-time timers at its timestamp {@code t} (evaluation) and at
 *       {@code t + window} (eviction). Timers are per key and timestamp, so events of one timestamp share them.
 *   <li><b>Timer at {@code T}</b> (the watermark passed {@code T}, so every on-time event up to {@code T} is in): if
 *       some event has timestamp {@code T}, the rule in force is evaluated at {@code T} and an alert emitted on a
 *       crossing; then the window is settled through {@code T} (evicting events at or before {@code T − window}).
 *       Evaluating only behind the watermark is what makes out-of-order input give the ordered result; an alert
 *       therefore waits for the watermark (the configured out-of-orderness, or the idle fallback).
 *   <li><b>Alert</b>: also registers a timer at {@code alert time + cool-down}, so the cool-down survives an empty
 *       window. When the window is empty and the cool-down is over, the key's state is cleared: with no traffic,
 *       state and timers drop to zero once windows pass.
 *   <li><b>Late events</b> (at or before what was already evaluated; cannot happen behind {@code
 *       DedupeAndLateFilter} with the same watermarks) are dropped and counted in the {@code velocityLateEvents}
 *       metric.
 * </ul>
 *
 * <p><b>Rule changes: the in-flight policy.</b> The rule a key is evaluated with is the newest version known here:
 * the one its state was built with, the one a record carries (the fan-out may see a change before this operator's
 * broadcast input does), or the one in this operator's rule book. When a newer version takes over a key:
 * <ul>
 *   <li><b>Same windows</b> ({@link VelocityRule#sameWindowsAs}: same event types, dimension, aggregate, field and
 *       window length; threshold, comparison, severity or cool-down changed): the key keeps its window and crossing
 *       state (armed or not, last alert and its cool-down) and is evaluated with the new version from its next
 *       evaluation on; alerts from then on carry the new version.
 *   <li><b>Other changes</b>: the key's state of the old version is discarded and the new version starts with fresh
 *       windows, counting only the events routed under it. Records still in flight under the old version are dropped
 *       ({@code velocitySupersededRecords}): they may even be keyed by the old dimension.
 *   <li><b>Removal</b>: the key's state is discarded, no alert fires for it any more, and records in flight under a
 *       removed version are dropped ({@code velocitySupersededRecords}).
 *   <li>Other rules' keys are never touched.
 * </ul>
 * When the change arrives on the broadcast input, a removal or a change with other windows discards the rule's key
 * states at once ({@code applyToKeyedState}: one pass over this instance's velocity keys); compatible changes are
 * applied to each key at its next event or timer. Keys are also checked at each event and timer, so the outcome does
 * not depend on whether the change or a record arrives first. Timers of discarded state stay registered and fire
 * into nothing, at the latest when the old window would have ended.
 *
 * <p>Alerts: kind {@code VELOCITY}, subject key = the dimension value, score = the aggregate, threshold, window
 * {@code [t − window, t]}, evidence event ids (latest 50), {@code evidenceJson} with the rule's aggregate, field,
 * comparison, dimension, severity, window and (distinct counts) the distinct values; id from {@link AlertIds}, over
 * the rule version among others.
 */
public class VelocityEvaluator extends KeyedBroadcastProcessFunction<String, KeyedRuleEvent, ControlMessage, Alert> {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    public static final String STATE_NAME = "velocity-window";
    public static final String METRIC_LATE_EVENTS = "velocityLateEvents";
    public static final String METRIC_ALERTS = "velocityAlerts";
    public static final String METRIC_SUPERSEDED = "velocitySupersededRecords";

    private final WallClock clock;
    private final RuleBookMirror rules;

    private transient ValueState<VelocityKeyState> state;
    private transient Counter lateEvents;
    private transient Counter alerts;
    private transient Counter superseded;

    /** @param configRules the config's rules, the same as the fan-out's */
    public VelocityEvaluator(List<VelocityRule> configRules) {
        this(configRules, WallClock.system());
    }

    public VelocityEvaluator(List<VelocityRule> configRules, WallClock clock) {
        this.rules = new RuleBookMirror(configRules);
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
        superseded = getRuntimeContext().getMetricGroup().counter(METRIC_SUPERSEDED);
    }

    @Override
    public void processElement(KeyedRuleEvent record, ReadOnlyContext ctx, Collector<Alert> out) throws Exception {
        VelocityRuleBook.Entry inBook = rules.book(ctx.getBroadcastState(RuleBookMirror.DESCRIPTOR))
                .inForce(record.rule.ruleId);
        VelocityKeyState s = state.value();
        boolean removedInBook = inBook != null && inBook.isRemoval();
        if (s != null && removedInBook && s.rule.version <= inBook.version) {
            s = null; // state of a removed version
        }
        if (removedInBook && record.rule.version <= inBook.version) {
            superseded.inc();
            store(s, ctx.timerService().currentWatermark());
            return;
        }
        VelocityRule newest = record.rule;
        if (inBook != null && !removedInBook && inBook.version > newest.version) {
            newest = inBook.rule;
        }
        if (s != null && s.rule.version > newest.version) {
            newest = s.rule;
        }
        s = s == null ? VelocityKeyState.fresh(newest)
                : takeOver(s, newest, ctx.timerService().currentWatermark(), ctx.timerService());
        if (record.rule.version < s.rule.version && !s.rule.sameWindowsAs(record.rule)) {
            superseded.inc(); // routed under a version whose windows are gone
            store(s, ctx.timerService().currentWatermark());
            return;
        }
        long ts = record.event.timestamp;
        if (ts <= ctx.timerService().currentWatermark() || s.detector.window.isLate(ts)) {
            lateEvents.inc();
            store(s, ctx.timerService().currentWatermark());
            return;
        }
        if (!s.rule.matches(record.event) || !s.detector.add(s.rule, record.event)) {
            // no value for the rule's field
            store(s, ctx.timerService().currentWatermark());
            return;
        }
        ctx.timerService().registerEventTimeTimer(ts);
        ctx.timerService().registerEventTimeTimer(ts + s.rule.windowMs);
        state.update(s);
    }

    /**
     * Keeps a key's state if it holds anything (then it has timers pending), else clears it: a fresh or emptied state
     * without timers would never be dropped.
     */
    private void store(VelocityKeyState s, long now) throws Exception {
        if (s == null || s.detector.canBeDropped(now, s.rule.effectiveCooldownMs())) {
            state.clear();
        } else {
            state.update(s);
        }
    }

    /**
     * The in-flight policy: {@code newer} takes over the key from {@code s.rule} if it is a newer version; with the same
     * windows the state is kept (and the new cool-down's end gets a timer after {@code after}, so the state is not
     * kept without one), else the state starts afresh.
     */
    private static VelocityKeyState takeOver(VelocityKeyState s, VelocityRule newer, long after,
            org.apache.flink.streaming.api.TimerService timers) {
        if (newer.version <= s.rule.version) {
            return s;
        }
        if (!newer.sameWindowsAs(s.rule)) {
            return VelocityKeyState.fresh(newer);
        }
        s.rule = newer;
        s.detector.ruleVersion = newer.version;
        long cooldownEnd = s.detector.cooldownEnd(newer);
        if (cooldownEnd > after) {
            timers.registerEventTimeTimer(cooldownEnd);
        }
        return s;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        VelocityKeyState s = state.value();
        if (s == null) {
            return;
        }
        VelocityRuleBook.Entry inBook = rules.book(ctx.getBroadcastState(RuleBookMirror.DESCRIPTOR))
                .inForce(s.rule.ruleId);
        if (inBook != null && inBook.version >= s.rule.version && (inBook.isRemoval()
                || (inBook.version > s.rule.version && !inBook.rule.sameWindowsAs(s.rule)))) {
            state.clear(); // removed, or replaced by a version with other windows: no alert from the old state
            return;
        }
        if (inBook != null && !inBook.isRemoval()) {
            s = takeOver(s, inBook.rule, timestamp, ctx.timerService());
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

    /**
     * Applies a control message to this operator's rule book. A removal, or a change to other windows, discards the
     * rule's key states of older versions at once; compatible changes reach each key at its next event or timer.
     * Rejections are reported by the fan-out, not here.
     */
    @Override
    public void processBroadcastElement(ControlMessage m, Context ctx, Collector<Alert> out) throws Exception {
        if (!m.isVelocity()) {
            return;
        }
        VelocityRuleBook.Decision d = rules.apply(m, ctx.getBroadcastState(RuleBookMirror.DESCRIPTOR));
        if (!d.accepted()) {
            return;
        }
        VelocityRuleBook.Entry after = d.after();
        VelocityRuleBook.Entry before = d.before();
        boolean discards = after.isRemoval()
                || (before != null && !before.isRemoval() && !after.rule.sameWindowsAs(before.rule));
        if (!discards) {
            return;
        }
        String prefix = after.ruleId + '|';
        ctx.applyToKeyedState(stateDescriptor(), (key, keyState) -> {
            if (!key.startsWith(prefix)) {
                return;
            }
            VelocityKeyState s = keyState.value();
            if (s != null && (after.isRemoval() ? s.rule.version <= after.version
                    : s.rule.version < after.version && !after.rule.sameWindowsAs(s.rule))) {
                keyState.clear();
            }
        });
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
