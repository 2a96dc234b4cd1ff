package io.journeycep.pipeline.stages.velocity;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.cep.WatermarkBatches;
import io.journeycep.patterns.cep.WatermarkBatchingBroadcastOperator;
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
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Evaluates velocity rules (DESIGN §3 VELOCITY) on {@code keyBy(DimensionEvent::key)}, key {@code DIMENSION|value}
 * (for example {@code DEVICE|d-7}), with the rule book (config rules plus live changes from the control topic) as
 * broadcast input. The window and crossing logic is {@link io.journeycep.patterns.velocity.VelocityDetector}; this
 * function feeds it in event-time order, keeps its state bounded and applies rule changes.
 *
 * <p><b>Which rules see an event.</b> A record carries an event and a dimension, not a rule: the rules that see it are
 * the rules in force in this operator's book that are keyed by that dimension and list the event's type, except those
 * whose windows date from a later book epoch than the record's stamp (routed before their current windows began; see
 * the in-flight policy). The key's state is one value ({@link VelocityKeyStates}) holding one {@link
 * VelocityKeyState} per rule, sorted by rule id.
 *
 * <ul>
 *   <li><b>Event</b>: added to the window of each rule that sees it; an event-time timer at its timestamp {@code t}
 *       (evaluation). Timers are per key and timestamp, so one timer serves every rule of the key and every event of
 *       that timestamp.
 *   <li><b>Timer at {@code T}</b> (the watermark passed {@code T}, so every on-time event up to {@code T} is in): each
 *       rule of the key, in rule-id order, with an event at {@code T} is evaluated at {@code T} and an alert emitted on
 *       a crossing; every rule's window is settled through {@code T} (evicting events at or before {@code T − window}).
 *       So alerts of one key and timestamp come out in rule-id order. Evaluating only behind the watermark is what
 *       makes out-of-order input give the ordered result; an alert therefore waits for the watermark (the configured
 *       out-of-orderness, or the idle fallback).
 *   <li><b>Housekeeping</b>: a key with state has exactly one further timer outstanding, at the time its state could
 *       all be dropped when it was registered (the latest of each rule's newest event + window and its cool-down's
 *       end); when it fires it settles every rule and registers the next one if something is left. A rule's state is
 *       dropped once its window is empty and its cool-down over; the key's value when no rule is left: with no
 *       traffic, state and timers drop to zero once windows and cool-downs pass.
 *   <li><b>Late events</b> (at or before what was already evaluated; cannot happen behind {@code
 *       DedupeAndLateFilter} with the same watermarks) are dropped and counted in the {@code velocityLateEvents}
 *       metric, once per rule that would have seen them.
 * </ul>
 *
 * <p><b>Batches.</b> The job runs this function in {@link WatermarkBatchingBroadcastOperator}: a key's records wait on
 * the heap until the watermark passes the earliest of them and then come as one batch ({@link #startBatch}, {@code
 * processElement} for each, {@link #finishBatch}), which reads the key's value once, evaluates at the end at each due
 * event time in order exactly as the evaluation timers below would have, and writes once; records and times after the
 * batch's watermark take the timers' way. The description below is the timers' way, which a record takes when it
 * arrives behind the watermark or is handed over before a checkpoint barrier or a rule change.
 *
 * <p><b>Rule changes: the in-flight policy.</b> A key's rule state is evaluated with the version in force in this
 * operator's book. When a newer version takes over:
 * <ul>
 *   <li><b>Same windows</b> ({@link VelocityRule#sameWindowsAs}: same event types, dimension, aggregate, field and
 *       window length; threshold, comparison, severity or cool-down changed): the key keeps its window and crossing
 *       state (armed or not, last alert and its cool-down) and is evaluated with the new version from its next
 *       evaluation on; alerts from then on carry the new version.
 *   <li><b>Other changes</b>: the key's state of the old version is discarded and the new version starts with fresh
 *       windows, counting only the events routed under it. Records routed under the old version (stamped with an
 *       epoch before the change) are not counted for the rule ({@code velocitySupersededRecords}).
 *   <li><b>Removal</b>: the key's state is discarded, no alert fires for it any more, and records in flight are not
 *       counted for it.
 *   <li>Other rules' states are never touched, also when they share the key.
 * </ul>
 * When the change arrives on the broadcast input, a removal or a change with other windows discards the rule's states
 * at once ({@code applyToKeyedState}: one pass over this instance's keys of the old rule's dimension); compatible
 * changes are applied to each key at its next event or timer. Keys are also checked at each event and timer, so the
 * outcome does not depend on whether the change or a record arrives first:
 * <ul>
 *   <li>a record stamped with an epoch this operator's book has <b>not reached</b> (the fan-out saw a change first) is
 *       held in the key's state ({@link VelocityKeyStates#pending}) with its evaluation timer, and added once the book
 *       has caught up: at the key's next event or timer, so it counts under the new version exactly as if the change
 *       had arrived first. Only if the watermark passes the record's timestamp before the change arrives here is it
 *       added under the version in force here then (the change then applies from its arrival, as for any key whose
 *       records all came before it);
 *   <li>a record stamped <b>before</b> a change this operator has applied counts for the rule if the change kept the
 *       windows (its stamp is at or after the epoch the rule's windows date from), and not otherwise.
 * </ul>
 * Timers of discarded state stay registered and fire into nothing, at the latest when the old window would have
 * ended.
 *
 * <p>Alerts: kind {@code VELOCITY}, subject key = the dimension value, score = the aggregate, threshold, window
 * {@code [t − window, t]}, evidence event ids (latest 50), {@code evidenceJson} with the rule's aggregate, field,
 * comparison, dimension, severity, window and (distinct counts) the distinct values; id from {@link AlertIds}, over
 * the rule version among others.
 */
public class VelocityEvaluator extends KeyedBroadcastProcessFunction<String, DimensionEvent, ControlMessage, Alert>
        implements WatermarkBatches.Function<DimensionEvent, Alert> {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    public static final String STATE_NAME = "velocity-window";
    public static final String METRIC_LATE_EVENTS = "velocityLateEvents";
    public static final String METRIC_ALERTS = "velocityAlerts";
    public static final String METRIC_SUPERSEDED = "velocitySupersededRecords";

    private final WallClock clock;
    private final RuleBookMirror rules;

    private transient ValueState<VelocityKeyStates> state;
    private transient Counter lateEvents;
    private transient Counter alerts;
    private transient Counter superseded;

    /** In a batch ({@link WatermarkBatches}): its watermark; the key's value is read once. */
    private transient boolean inBatch;
    private transient long batchWatermark;
    private transient boolean batchLoaded;
    private transient VelocityKeyStates batchState;
    /** The evaluation times at or before the batch's watermark, evaluated at its end instead of by timers. */
    private transient java.util.TreeSet<Long> batchDue;

    /** @param configRules the config's rules, the same as the fan-out's */
    public VelocityEvaluator(List<VelocityRule> configRules) {
        this(configRules, WallClock.system());
    }

    public VelocityEvaluator(List<VelocityRule> configRules, WallClock clock) {
        this.rules = new RuleBookMirror(configRules);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public static ValueStateDescriptor<VelocityKeyStates> stateDescriptor() {
        return new ValueStateDescriptor<>(STATE_NAME, TypeInformation.of(VelocityKeyStates.class));
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        state = getRuntimeContext().getState(stateDescriptor());
        lateEvents = getRuntimeContext().getMetricGroup().counter(METRIC_LATE_EVENTS);
        alerts = getRuntimeContext().getMetricGroup().counter(METRIC_ALERTS);
        superseded = getRuntimeContext().getMetricGroup().counter(METRIC_SUPERSEDED);
        // the rules in force (config and live changes); the count the book had at its last use (-1 before)
        getRuntimeContext().getMetricGroup().gauge("velocityRulesInForce", (Gauge<Integer>) () -> {
            VelocityRuleBook b = rules.current();
            return b == null ? -1 : b.rulesInForce().size();
        });
    }

    @Override
    public void processElement(DimensionEvent record, ReadOnlyContext ctx, Collector<Alert> out) throws Exception {
        var broadcast = ctx.getBroadcastState(RuleBookMirror.DESCRIPTOR);
        VelocityRuleBook book = rules.book(broadcast);
        RuleBookMirror.Routing routing = rules.routing(broadcast);
        TimerService timers = ctx.timerService();
        long watermark = timers.currentWatermark();
        long ts = record.event.timestamp;
        VelocityKeyStates s = inBatch ? batchValue() : state.value();
        if (record.event.isErasure()) {
            erase(s, timers);
            return;
        }
        if (s != null) {
            reconcile(s, book);
        }
        if (record.epoch > book.epoch()) { // routed under a change this operator has not received yet: hold it
            if (ts <= watermark) {
                lateEvents.inc();
            } else {
                if (s == null) {
                    s = new VelocityKeyStates();
                }
                if (s.pending == null) {
                    s.pending = new ArrayList<>();
                }
                s.pending.add(record);
                timers.registerEventTimeTimer(ts);
            }
        } else {
            if (s == null) {
                s = new VelocityKeyStates();
            }
            if (s.hasPending()) { // the book has caught up with records held before
                addPending(s, book, routing, ctx.getCurrentKey(), Long.MIN_VALUE);
            }
            if (add(s, book, routing, record, record.epoch, watermark)) {
                if (inBatch && ts <= batchWatermark) {
                    batchDue.add(ts);
                } else {
                    timers.registerEventTimeTimer(ts);
                }
            }
        }
        if (inBatch) {
            batchState = s;
        } else {
            store(s, book, watermark, timers);
        }
    }

    private VelocityKeyStates batchValue() throws Exception {
        if (!batchLoaded) {
            batchState = state.value();
            batchLoaded = true;
        }
        return batchState;
    }

    @Override
    public long timeOf(DimensionEvent record) {
        return record.event.timestamp;
    }

    /** An erasure marker goes through at once; the key's held records are dropped, as its state is. */
    @Override
    public boolean dropsHeldRecords(DimensionEvent record) {
        return record.event.isErasure();
    }

    @Override
    public void startBatch(long watermark) {
        inBatch = true;
        batchWatermark = watermark;
        batchLoaded = false;
        batchState = null;
        if (batchDue == null) {
            batchDue = new java.util.TreeSet<>();
        }
        batchDue.clear();
    }

    /**
     * The key's records of the batch are in its windows: evaluates at each event time of the key's windows still to be
     * evaluated that the batch's watermark passed (the batch's and any earlier records' whose timers have not fired),
     * in time order, exactly as the timers at those times would have ({@link #evaluate}), and writes once. Their timers
     * that are registered fire later into settled windows. Records held for a rule change ({@link
     * VelocityKeyStates#pending}) are left to the timers, as without batches.
     */
    @Override
    public void finishBatch(WatermarkBatches.Context<Alert> context) throws Exception {
        inBatch = false;
        VelocityKeyStates s = batchState;
        batchState = null;
        if (s == null) {
            return;
        }
        var broadcast = context.broadcastState(RuleBookMirror.DESCRIPTOR);
        VelocityRuleBook book = rules.book(broadcast);
        TimerService timers = context.timerService();
        long now = timers.currentWatermark();
        if (s.hasPending()) {
            for (long t : batchDue) {
                timers.registerEventTimeTimer(t);
            }
        } else {
            java.util.TreeSet<Long> due = new java.util.TreeSet<>();
            for (VelocityKeyState ks : s.rules) {
                ks.detector.window.forEachUnsettledThrough(batchWatermark, due::add);
            }
            for (long t : due) {
                long at = t;
                evaluate(s, book, broadcast, context.currentKey(), t, alert -> context.emit(alert, at));
                now = t;
            }
        }
        store(s, book, now, timers);
    }

    /**
     * An erasure marker (README "Privacy"): the key's windows, crossing states and held records are deleted with the
     * timers the state knows (housekeeping, held records'); the evaluation timers of events the watermark has not
     * passed yet stay registered and fire into nothing, within the allowed lateness. No alert fires.
     */
    private void erase(VelocityKeyStates s, TimerService timers) {
        if (s != null) {
            if (s.housekeepingAt != Long.MIN_VALUE) {
                timers.deleteEventTimeTimer(s.housekeepingAt);
            }
            if (s.pending != null) {
                s.pending.forEach(p -> timers.deleteEventTimeTimer(p.event.timestamp));
            }
        }
        state.clear();
    }

    /**
     * Adds an event to the window of each rule in force that sees it (see the class comment); {@code stamp} is the
     * book epoch it was routed under. Returns whether it entered some window (then it needs an evaluation timer).
     * With {@code watermark} {@link Long#MIN_VALUE} only the windows' own frontiers decide lateness (held records,
     * which were on time when they arrived).
     */
    private boolean add(VelocityKeyStates s, VelocityRuleBook book, RuleBookMirror.Routing routing,
            DimensionEvent record, long stamp, long watermark) {
        JourneyEvent e = record.event;
        long ts = e.timestamp;
        boolean added = false;
        for (VelocityRule rule : routing.rules(DimensionEvent.dimensionOf(record.key))) {
            if (!rule.matches(e)) {
                continue;
            }
            VelocityRuleBook.Entry entry = book.inForce(rule.ruleId);
            if (stamp < entry.since) {
                superseded.inc(); // routed before the rule's current windows began
                continue;
            }
            VelocityKeyState ks = s.get(rule.ruleId);
            if (ts <= watermark || (ks != null && ks.detector.window.isLate(ts))) {
                lateEvents.inc();
                continue;
            }
            if (ks == null) {
                ks = VelocityKeyState.fresh(rule, entry.since);
                if (ks.detector.add(rule, e)) { // else no value for the rule's field: no state
                    s.put(ks);
                    added = true;
                }
            } else if (ks.detector.add(rule, e)) {
                added = true;
            }
        }
        return added;
    }

    /**
     * Adds the held records the book has caught up with, and (at a timer {@code through}) those whose time has come
     * even if it has not: they then count under the versions in force here. Their evaluation timers are registered.
     */
    private void addPending(VelocityKeyStates s, VelocityRuleBook book, RuleBookMirror.Routing routing, String key,
            long through) {
        for (Iterator<DimensionEvent> it = s.pending.iterator(); it.hasNext(); ) {
            DimensionEvent r = it.next();
            if (r.epoch <= book.epoch() || r.event.timestamp <= through) {
                add(s, book, routing, r, Math.min(r.epoch, book.epoch()), Long.MIN_VALUE);
                it.remove();
            }
        }
        if (s.pending.isEmpty()) {
            s.pending = null;
        }
    }

    /**
     * Applies the book to a key's rule states: a state of a removed rule, or of windows older than the rule's in
     * force, is discarded; a compatible newer version takes over the state (its next evaluation uses it).
     */
    private static void reconcile(VelocityKeyStates s, VelocityRuleBook book) {
        for (Iterator<VelocityKeyState> it = s.rules.iterator(); it.hasNext(); ) {
            VelocityKeyState ks = it.next();
            VelocityRuleBook.Entry entry = book.inForce(ks.ruleId);
            if (entry == null || entry.isRemoval() || entry.since != ks.since) {
                it.remove();
            } else if (entry.version > ks.detector.ruleVersion) {
                ks.detector.ruleVersion = entry.version;
            }
        }
    }

    /**
     * Drops the rule states that hold nothing any more at {@code now}, makes sure a key with state has its
     * housekeeping timer, and writes the key's value (or clears it when nothing is left).
     */
    private void store(VelocityKeyStates s, VelocityRuleBook book, long now, TimerService timers) throws Exception {
        long dropAt = Long.MIN_VALUE;
        for (Iterator<VelocityKeyState> it = s.rules.iterator(); it.hasNext(); ) {
            VelocityKeyState ks = it.next();
            long cooldownMs = book.ruleInForce(ks.ruleId).effectiveCooldownMs();
            if (ks.detector.canBeDropped(now, cooldownMs)) {
                it.remove();
            } else {
                long latest = ks.detector.window.latestTimestamp();
                if (latest != Long.MIN_VALUE) {
                    dropAt = Math.max(dropAt, latest + ks.detector.window.windowMs);
                }
                dropAt = Math.max(dropAt, ks.detector.cooldownEnd(cooldownMs));
            }
        }
        if (s.isEmpty()) {
            state.clear();
            return;
        }
        if (!s.rules.isEmpty() && s.housekeepingAt == Long.MIN_VALUE) {
            s.housekeepingAt = Math.max(dropAt, now + 1);
            timers.registerEventTimeTimer(s.housekeepingAt);
        }
        state.update(s);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        VelocityKeyStates s = state.value();
        if (s == null) {
            return;
        }
        var broadcast = ctx.getBroadcastState(RuleBookMirror.DESCRIPTOR);
        VelocityRuleBook book = rules.book(broadcast);
        evaluate(s, book, broadcast, ctx.getCurrentKey(), timestamp, out::collect);
        store(s, book, timestamp, ctx.timerService());
    }

    /** What the timer at {@code timestamp} does to the key's value {@code s}, before it is stored. */
    private void evaluate(VelocityKeyStates s, VelocityRuleBook book,
            org.apache.flink.api.common.state.ReadOnlyBroadcastState<String, VelocityRuleBook.Entry> broadcast, String key, long timestamp,
            java.util.function.Consumer<Alert> out) throws Exception {
        reconcile(s, book);
        if (s.hasPending()) {
            addPending(s, book, rules.routing(broadcast), key, timestamp);
        }
        String subject = null;
        for (VelocityKeyState ks : s.rules) { // by rule id
            VelocityRule rule = book.ruleInForce(ks.ruleId);
            if (!ks.detector.window.isLate(timestamp) && ks.detector.window.hasTimestamp(timestamp)) {
                VelocityCrossing crossing = ks.detector.evaluate(rule, timestamp);
                if (crossing != null) {
                    if (subject == null) {
                        subject = subjectOf(key);
                    }
                    out.accept(toAlert(rule, subject, crossing));
                    alerts.inc();
                }
            } else {
                ks.detector.settle(timestamp);
            }
        }
        if (timestamp >= s.housekeepingAt) {
            s.housekeepingAt = Long.MIN_VALUE; // this was it (or it fired earlier): store registers the next one
        }
    }

    /**
     * Applies a control message to this operator's rule book. A removal, or a change to other windows, discards the
     * rule's states of the old windows at once; compatible changes reach each key at its next event or timer.
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
        if (before == null || before.isRemoval() || after.since == before.since) {
            return; // added, re-added after a removal, or the same windows: nothing to discard
        }
        String prefix = before.rule.dimension.name() + '|';
        ctx.applyToKeyedState(stateDescriptor(), (key, keyState) -> {
            if (!key.startsWith(prefix)) {
                return;
            }
            VelocityKeyStates s = keyState.value();
            if (s == null) {
                return;
            }
            if (s.rules.removeIf(ks -> ks.ruleId.equals(after.ruleId) && ks.since < after.since)) {
                if (s.isEmpty()) {
                    keyState.clear();
                } else {
                    keyState.update(s);
                }
            }
        });
    }

    /** The subject of an alert on key {@code DIMENSION|value}: the value. */
    static String subjectOf(String key) {
        return DimensionEvent.valueOf(key);
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
