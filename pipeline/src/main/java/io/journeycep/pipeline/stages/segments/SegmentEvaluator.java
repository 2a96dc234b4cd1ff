package io.journeycep.pipeline.stages.segments;

import io.journeycep.patterns.segments.DailyActivity;
import io.journeycep.patterns.segments.SegmentBook;
import io.journeycep.sinks.SegmentAction;
import io.journeycep.sinks.SegmentChange;

import io.journeycep.pipeline.control.ControlMessage;
import io.journeycep.sinks.RejectReason;
import io.journeycep.sinks.RejectedEvent;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The segment engine (DESIGN §3), keyed by user: folds each event (and each CART_ABANDONED alert) into the user's
 * daily buckets, evaluates the {@link SegmentBook} at that event time and emits an ENTER or EXIT exactly when a
 * membership changes, with the reason. Changes that come from time passing (a window sliding past a bucket, a quiet
 * period reaching 30 days, a recency cut point) fire from one event-time timer per user, set at the earliest time any
 * membership can next change, so they fire even if the user sends nothing more (and, with the quiet-period watermark
 * fallback, even if the whole stream is quiet). The timer is exact, not a periodic re-check: a user whose memberships
 * cannot change for 40 days costs nothing for 40 days, which is what makes a replay of a year of history affordable.
 *
 * <p>Time never goes back for a user: an out-of-order event is counted in its own day but evaluated at the latest
 * time already evaluated. State is bounded: buckets older than the horizon are dropped, and when the user has been
 * silent for the horizon (the longest window; 365 days) every remaining membership EXITs ("no activity for the
 * horizon") and the state and timer are cleared.
 */
public class SegmentEvaluator
        extends KeyedBroadcastProcessFunction<String, SegmentInput, ControlMessage, SegmentChange>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    static final String STATE = "segment-user-state";
    static final ValueStateDescriptor<SegmentUserState> STATE_DESCRIPTOR =
            new ValueStateDescriptor<>(STATE, SegmentUserState.class);

    /** Rejected segment rule changes (stale versions, unknown ids), from the first subtask only. */
    public static final OutputTag<RejectedEvent> REJECTED =
            new OutputTag<>("rejected-segment-rules", TypeInformation.of(RejectedEvent.class));

    private final SegmentRules rules;
    private final long sessionGapMs;
    private transient SegmentBook book;

    private transient ValueState<SegmentUserState> state;
    /**
     * The operator's timer service, kept from the last keyed call so a rule change can move every user's timer: while
     * {@code applyToKeyedState} visits a user, the keyed backend's current key is that user, so a timer registered
     * through this service is theirs. {@code null} until the first event or timer of this task.
     */
    private transient TimerService timers;
    private transient Counter enters;
    private transient Counter exits;
    /**
     * Users of this subtask whose segment timer (the next change by time passing) is pending, kept as the timer is
     * set, moved and fired: a function has no end-of-input hook to count them then. {@code null} after a restore from
     * a checkpoint, where the count would start from 0 with the restored timers uncounted: then it is not reported.
     */
    private transient LongCounter timersPending;
    private transient boolean restored;

    /**
     * Accumulator: users whose segment timer is still pending (at the end of a replay: a membership change due after
     * the end of event time). Absent after a restore (see {@link #timersPending}).
     */
    public static final String ACC_TIMERS_PENDING = "segmentTimersPending";

    /** @param configBook the config's definitions, RFM scoring and horizon */
    public SegmentEvaluator(SegmentBook configBook, long sessionGapMs) {
        this.rules = new SegmentRules(configBook, configBook.rfm());
        this.sessionGapMs = sessionGapMs;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {
        restored = context.isRestored();
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        // no operator state: the pending-timer count is per attempt (see timersPending)
    }

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(STATE_DESCRIPTOR);
        if (!restored) {
            timersPending = new LongCounter();
            getRuntimeContext().addAccumulator(ACC_TIMERS_PENDING, timersPending);
        }
        enters = getRuntimeContext().getMetricGroup().counter("segmentEnters");
        exits = getRuntimeContext().getMetricGroup().counter("segmentExits");
        // the segment definitions in force (config and live changes), RFM not counted; -1 before first use
        getRuntimeContext().getMetricGroup().gauge("segmentDefinitionsInForce",
                (Gauge<Integer>) () -> book == null ? -1 : book.definitions().size());
    }

    @Override
    public void processElement(SegmentInput in, ReadOnlyContext ctx, Collector<SegmentChange> out) throws Exception {
        book(ctx.getBroadcastState(SegmentRules.DESCRIPTOR).immutableEntries());
        timers = ctx.timerService();
        SegmentUserState s = state.value();
        if (in.erasure) {
            // README "Privacy": the user's history, memberships, inputs not applied yet and timers go, with no EXIT
            // (the rows are deleted)
            if (s != null) {
                if (s.timer != SegmentUserState.NO_TIMER) {
                    ctx.timerService().deleteEventTimeTimer(s.timer);
                    countTimer(-1);
                }
                for (SegmentInput p : s.pending) {
                    ctx.timerService().deleteEventTimeTimer(p.timestamp);
                }
            }
            state.clear();
            return;
        }
        if (s == null) {
            s = new SegmentUserState();
        }
        if (in.timestamp > ctx.timerService().currentWatermark()) {
            // Applied when the watermark passes it, in event-time order with the user's other inputs: events and
            // CART_ABANDONED alerts come on different paths, so their arrival order is not their time order (and a
            // restore changes it); the changes must not depend on it.
            s.pending = Arrays.copyOf(s.pending, s.pending.length + 1);
            s.pending[s.pending.length - 1] = in;
            ctx.timerService().registerEventTimeTimer(in.timestamp);
            state.update(s);
            return;
        }
        apply(s, in, ctx.getCurrentKey(), ctx.timerService(), out); // behind the watermark: nothing earlier can come
        store(s);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<SegmentChange> out) throws Exception {
        book(ctx.getBroadcastState(SegmentRules.DESCRIPTOR).immutableEntries());
        timers = ctx.timerService();
        SegmentUserState s = state.value();
        if (s == null) {
            return;
        }
        List<SegmentInput> due = new ArrayList<>();
        List<SegmentInput> later = new ArrayList<>();
        for (SegmentInput p : s.pending) {
            (p.timestamp <= timestamp ? due : later).add(p);
        }
        if (!due.isEmpty()) {
            s.pending = later.toArray(new SegmentInput[0]);
            due.sort(IN_TIME_ORDER);
            for (SegmentInput in : due) {
                apply(s, in, ctx.getCurrentKey(), ctx.timerService(), out);
            }
        }
        if (s.timer == timestamp) {
            s.timer = SegmentUserState.NO_TIMER;
            countTimer(-1);
            evaluate(s, Math.max(timestamp, s.evaluatedAt), ctx.getCurrentKey(), ctx.timerService(), out);
        }
        store(s);
    }

    /** Inputs of one time: events before alerts, then by measure and amount (equal inputs are interchangeable). */
    private static final Comparator<SegmentInput> IN_TIME_ORDER = Comparator
            .comparingLong((SegmentInput in) -> in.timestamp)
            .thenComparing(in -> !in.activity)
            .thenComparingInt(in -> in.measure)
            .thenComparingDouble(in -> in.amount);

    /** Folds one input into the user's buckets and evaluates at its time (or the latest evaluated, if later). */
    private void apply(SegmentUserState s, SegmentInput in, String user, TimerService timerService,
            Collector<SegmentChange> out) {
        // Changes due before this input (a window boundary, a quiet period) happen first, at their own time, as if
        // their timer had fired: whether the watermark reached them before this input arrived must not matter.
        while (s.timer != SegmentUserState.NO_TIMER && s.timer < in.timestamp) {
            long due = s.timer;
            moveTimer(s, SegmentUserState.NO_TIMER, timerService);
            evaluate(s, Math.max(due, s.evaluatedAt), user, timerService, out);
        }
        DailyActivity a = s.activity;
        if (in.activity) {
            if (a.touch(in.timestamp, sessionGapMs)) {
                a.add(in.timestamp, DailyActivity.SESSION, 0);
            }
        }
        // An alert is no activity: quiet periods count from events only; the horizon also from the alert's day.
        a.add(in.timestamp, in.measure, in.amount);
        evaluate(s, Math.max(in.timestamp, s.evaluatedAt), user, timerService, out);
    }

    /** Writes the user's state, or clears it when nothing is left (no history, membership, input or timer). */
    private void store(SegmentUserState s) throws Exception {
        if (s.activity.isEmpty() && s.segments.length == 0 && s.pending.length == 0
                && s.timer == SegmentUserState.NO_TIMER) {
            state.clear();
        } else {
            state.update(s);
        }
    }

    /**
     * A segment rule change (every instance sees the same messages in one order): accepted changes go to broadcast
     * state and every user with state is re-evaluated at once, at the current watermark, so a removed segment's
     * members EXIT and a new segment's members ENTER now, and each user's timer moves to the next change under the new
     * rules. Only if the task has not handled a single event or timer since it started (so holds no timer service
     * yet) do timers stay where they were: a time-driven change the new rule brings then waits for the user's next
     * event or timer, and still carries the time it was due.
     */
    @Override
    public void processBroadcastElement(ControlMessage m, Context ctx, Collector<SegmentChange> out)
            throws Exception {
        if (!m.isSegment()) {
            return;
        }
        BroadcastState<String, SegmentRuleEntry> stored = ctx.getBroadcastState(SegmentRules.DESCRIPTOR);
        book(stored.immutableEntries());
        RejectReason rejected = rules.apply(m);
        if (rejected != null) {
            if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
                ctx.output(REJECTED, RejectedEvent.of(m.source, m.position, rejected, rejectDetail(m, rejected),
                        m.raw, System.currentTimeMillis()));
            }
            return;
        }
        stored.put(m.ruleId, rules.accepted());
        book = rules.book();
        long now = ctx.currentWatermark();
        if (now == Long.MIN_VALUE) {
            return; // no event time yet: users are evaluated with the new rules at their next event
        }
        ctx.applyToKeyedState(STATE_DESCRIPTOR, (user, st) -> {
            SegmentUserState s = st.value();
            if (s != null && now > s.evaluatedAt) {
                reevaluate(s, now, user, st, out);
            }
        });
    }

    private static String rejectDetail(ControlMessage m, RejectReason reason) {
        return reason == RejectReason.UNKNOWN_RULE
                ? "segment-id: '" + m.ruleId + "' is not a segment in force"
                : "version: " + m.version + " is not higher than the version in force of segment '" + m.ruleId + "'";
    }

    private void book(Iterable<java.util.Map.Entry<String, SegmentRuleEntry>> stored) {
        if (!rules.loaded()) {
            rules.load(stored);
            book = rules.book();
        }
    }

    /** Re-evaluation from a rule change: like {@link #evaluate}, the timer moved through {@link #timers}. */
    private void reevaluate(SegmentUserState s, long now, String user, ValueState<SegmentUserState> st,
            Collector<SegmentChange> out) throws Exception {
        DailyActivity a = s.activity;
        if (now >= expiry(a)) {
            return; // its timer is due and will drop it
        }
        diff(s, now, user, out);
        if (timers != null) {
            moveTimer(s, nextTimer(a, now), timers);
        }
        st.update(s);
    }

    /**
     * Evaluates at {@code now} and sets the next timer; at the horizon every membership EXITs and the history is
     * dropped (inputs not applied yet stay). The caller writes the state.
     */
    private void evaluate(SegmentUserState s, long now, String user, TimerService timers,
            Collector<SegmentChange> out) {
        DailyActivity a = s.activity;
        long expiry = expiry(a);
        if (now >= expiry) {
            for (int i = 0; i < s.segments.length; i++) {
                out.collect(change(user, s.segments[i], SegmentAction.EXIT, "no activity for "
                        + book.horizonDays() + "d: the user's segment state is dropped", s.versions[i], now,
                        s.enteredAt[i]));
                exits.inc();
            }
            moveTimer(s, SegmentUserState.NO_TIMER, timers);
            s.dropHistory();
            return;
        }
        diff(s, now, user, out);
        moveTimer(s, nextTimer(a, now), timers);
    }

    /** The earliest time a membership can change with no new input, or the horizon's expiry. */
    private long nextTimer(DailyActivity a, long now) {
        return Math.min(book.nextChange(a, now), expiry(a));
    }

    /** Emits the ENTERs and EXITs between the stored memberships and the book's at {@code now}, and stores them. */
    private void diff(SegmentUserState s, long now, String user, Collector<SegmentChange> out) {
        DailyActivity a = s.activity;
        a.dropBefore(DailyActivity.day(now) - book.horizonDays() + 1);
        Map<String, Integer> current = book.evaluate(a, now);
        List<String> segments = new ArrayList<>();
        List<Long> since = new ArrayList<>();
        List<Integer> versions = new ArrayList<>();
        for (int i = 0; i < s.segments.length; i++) { // exits first, in segment order
            if (!current.containsKey(s.segments[i])) {
                out.collect(change(user, s.segments[i], SegmentAction.EXIT, book.explain(s.segments[i], a, now),
                        s.versions[i], now, s.enteredAt[i]));
                exits.inc();
            } else {
                segments.add(s.segments[i]);
                since.add(s.enteredAt[i]);
                versions.add(s.versions[i]);
            }
        }
        for (Map.Entry<String, Integer> e : current.entrySet()) {
            if (s.indexOf(e.getKey()) < 0) {
                out.collect(change(user, e.getKey(), SegmentAction.ENTER, book.explain(e.getKey(), a, now),
                        e.getValue(), now, now));
                enters.inc();
                int at = 0;
                while (at < segments.size() && segments.get(at).compareTo(e.getKey()) < 0) {
                    at++;
                }
                segments.add(at, e.getKey());
                since.add(at, now);
                versions.add(at, e.getValue());
            }
        }
        s.segments = segments.toArray(new String[0]);
        s.enteredAt = since.stream().mapToLong(Long::longValue).toArray();
        s.versions = versions.stream().mapToInt(Integer::intValue).toArray();
        s.evaluatedAt = now;
    }

    /** When the user's state is dropped: the horizon after the day of their last activity (or alert) has passed. */
    private long expiry(DailyActivity a) {
        int last = a.isEmpty() ? Integer.MIN_VALUE : a.days[a.days.length - 1];
        if (a.lastActivity != Long.MIN_VALUE) {
            last = Math.max(last, DailyActivity.day(a.lastActivity));
        }
        return (last + (long) book.horizonDays() + 1) * DailyActivity.DAY_MS;
    }

    private void countTimer(long delta) {
        if (timersPending != null) {
            timersPending.add(delta);
        }
    }

    private void moveTimer(SegmentUserState s, long wanted, TimerService timers) {
        if (s.timer == wanted) {
            return;
        }
        boolean had = s.timer != SegmentUserState.NO_TIMER;
        if (s.timer != SegmentUserState.NO_TIMER && !s.hasPendingAt(s.timer)) { // an input's timer stays
            timers.deleteEventTimeTimer(s.timer);
        }
        if (wanted != SegmentUserState.NO_TIMER && wanted != Long.MAX_VALUE) {
            timers.registerEventTimeTimer(wanted);
            s.timer = wanted;
        } else {
            s.timer = SegmentUserState.NO_TIMER;
        }
        countTimer((s.timer != SegmentUserState.NO_TIMER ? 1 : 0) - (had ? 1 : 0));
    }

    private static SegmentChange change(String user, String segment, SegmentAction action, String reason, int version,
            long eventTime, long enteredAt) {
        return SegmentChange.of(user, segment, action, reason, version, eventTime, enteredAt,
                System.currentTimeMillis());
    }
}
