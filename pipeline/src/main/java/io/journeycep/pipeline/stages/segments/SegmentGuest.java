package io.journeycep.pipeline.stages.segments;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.pass.UserGuest;
import io.journeycep.patterns.segments.DailyActivity;
import io.journeycep.patterns.segments.SegmentBook;
import io.journeycep.pipeline.control.ControlMessage;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertKind;
import io.journeycep.sinks.RejectReason;
import io.journeycep.sinks.RejectedEvent;
import io.journeycep.sinks.SegmentAction;
import io.journeycep.sinks.SegmentChange;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.util.OutputTag;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The segment engine (DESIGN §3) as a guest of the user's pass: folds each event (and each CART_ABANDONED alert of the
 * same pass) into the user's daily buckets, evaluates the {@link SegmentBook} at that event time and emits an ENTER
 * or EXIT ({@link #CHANGES}) exactly when a membership changes, with the reason. Changes that come from time passing (a
 * window sliding past a bucket, a quiet period reaching 30 days, a recency cut point) are due at the earliest time any
 * membership can next change ({@link SegmentUserState#timer}), which the host's one timer per user honours, so they
 * fire even if the user sends nothing more. The due time is exact, not a periodic re-check: a user whose memberships
 * cannot change for 40 days costs nothing for 40 days, which is what makes a replay of a year of history affordable.
 *
 * <p>Inputs wait in the user's state until the watermark passes them and are applied in event-time order (events
 * before alerts at equal times), exactly as if each had its own timer: when the watermark reaches {@code W}, every due
 * time up to {@code W} (an input's time, or the next change by time passing) is handled in time order, each as that
 * timer would have been. Time never goes back for a user: an input behind the watermark is counted in its own day but
 * evaluated at the latest time already evaluated. State is bounded: buckets older than the horizon are dropped, and
 * when the user has been silent for the horizon (the longest window; 365 days) every remaining membership EXITs ("no
 * activity for the horizon") and the slice is cleared.
 *
 * <p>Rule changes arrive on the pass's broadcast input: accepted changes go to broadcast state ({@link
 * SegmentRules#DESCRIPTOR}) and every user with state is re-evaluated at once, at the pass's watermark, so a removed
 * segment's members EXIT and a new segment's members ENTER now, and each user's next change moves under the new rules.
 */
public final class SegmentGuest implements UserGuest<Alert, ControlMessage> {
    /** ENTER/EXIT changes, keyed by user in order (a side output of the pass). */
    public static final OutputTag<SegmentChange> CHANGES =
            new OutputTag<>("segment-changes", TypeInformation.of(SegmentChange.class));
    /** Rejected segment rule changes (stale versions, unknown ids), from the first subtask only. */
    public static final OutputTag<RejectedEvent> REJECTED =
            new OutputTag<>("rejected-segment-rules", TypeInformation.of(RejectedEvent.class));
    /**
     * Accumulator: users whose next change by time passing is still due when the input ends (at the end of a replay: a
     * membership change after the end of event time).
     */
    public static final String ACC_TIMERS_PENDING = "segmentTimersPending";
    static final String STATE = "segment-user-state";

    /** Inputs of one time: events before alerts, then by measure and amount (equal inputs are interchangeable). */
    private static final Comparator<SegmentInput> IN_TIME_ORDER = Comparator
            .comparingLong((SegmentInput in) -> in.timestamp)
            .thenComparing(in -> !in.activity)
            .thenComparingInt(in -> in.measure)
            .thenComparingDouble(in -> in.amount);

    private final SegmentRules rules;
    private final long sessionGapMs;
    private final ValueState<SegmentUserState> state;
    private final BroadcastState<String, SegmentRuleEntry> stored;
    private final int subtask;
    private final Setup host;
    private SegmentBook book;
    private Counter enters;
    private Counter exits;

    /** The guest for {@code configBook} (definitions, RFM scoring, horizon); its slice is named {@code segments}. */
    public static UserGuest.Factory<Alert, ControlMessage> factory(SegmentBook configBook, long sessionGapMs) {
        SegmentRules rules = new SegmentRules(configBook, configBook.rfm());
        return new Factory<>() {
            private static final long serialVersionUID = 1L;

            @Override
            public String sliceName() {
                return "segments";
            }

            @Override
            public UserGuest<Alert, ControlMessage> create(KeyedStateStore slice, Setup setup) throws Exception {
                return new SegmentGuest(rules, sessionGapMs, slice,
                        setup.operatorState().getBroadcastState(SegmentRules.DESCRIPTOR), setup);
            }
        };
    }

    private SegmentGuest(SegmentRules rules, long sessionGapMs, KeyedStateStore slice,
            BroadcastState<String, SegmentRuleEntry> stored, Setup setup) {
        this.rules = rules;
        this.sessionGapMs = sessionGapMs;
        this.stored = stored;
        this.subtask = setup.subtaskIndex();
        this.host = setup;
        this.state = slice.getState(new ValueStateDescriptor<>(STATE,
                TypeInformation.of(SegmentUserState.class).createSerializer(setup.serializers())));
    }

    @Override
    public void open(RuntimeContext context) throws Exception {
        rules.load(stored.entries());
        book = rules.book();
        enters = context.getMetricGroup().counter("segmentEnters");
        exits = context.getMetricGroup().counter("segmentExits");
        // the segment definitions in force (config and live changes), RFM not counted
        context.getMetricGroup().gauge("segmentDefinitionsInForce",
                (Gauge<Integer>) () -> book.definitions().size());
    }

    @Override
    public void onEvent(JourneyEvent event, long watermark, Emitter<Alert> out) throws Exception {
        if (event.isGroupCall()) {
            return; // an account the user belongs to, not activity: kept by the group guest (issue 15)
        }
        accept(SegmentInput.of(event), watermark, out);
    }

    /** CART_ABANDONED alerts of this pass: applied with the user's other inputs when the watermark passes them. */
    @Override
    public void onPassOutput(Alert alert, long timestamp) throws Exception {
        if (alert.kind == AlertKind.CART_ABANDONED) {
            SegmentUserState s = orNew(state.value());
            hold(s, SegmentInput.cartAbandoned(alert));
            state.update(s);
        }
    }

    private void accept(SegmentInput in, long watermark, Emitter<Alert> out) throws Exception {
        SegmentUserState s = orNew(state.value());
        if (in.timestamp > watermark) {
            hold(s, in);
            state.update(s);
            return;
        }
        apply(s, in, out); // behind the watermark: nothing earlier can come
        store(s);
    }

    private static SegmentUserState orNew(SegmentUserState s) {
        return s != null ? s : new SegmentUserState();
    }

    private static void hold(SegmentUserState s, SegmentInput in) {
        s.pending = Arrays.copyOf(s.pending, s.pending.length + 1);
        s.pending[s.pending.length - 1] = in;
    }

    @Override
    public void onWatermark(long watermark, Emitter<Alert> out) throws Exception {
        SegmentUserState s = state.value();
        if (s == null) {
            return;
        }
        boolean changed = false;
        for (long due = due(s); due != Long.MAX_VALUE && due <= watermark; due = due(s)) {
            fire(s, due, out);
            changed = true;
        }
        if (changed) {
            store(s);
        }
    }

    /** What a timer at {@code timestamp} did in the evaluator: the inputs up to it in time order, then a due change. */
    private void fire(SegmentUserState s, long timestamp, Emitter<Alert> out) {
        List<SegmentInput> due = new ArrayList<>();
        List<SegmentInput> later = new ArrayList<>();
        for (SegmentInput p : s.pending) {
            (p.timestamp <= timestamp ? due : later).add(p);
        }
        if (!due.isEmpty()) {
            s.pending = later.toArray(new SegmentInput[0]);
            due.sort(IN_TIME_ORDER);
            for (SegmentInput in : due) {
                apply(s, in, out);
            }
        }
        if (s.timer == timestamp) {
            s.timer = SegmentUserState.NO_TIMER;
            evaluate(s, Math.max(timestamp, s.evaluatedAt), out);
        }
    }

    /** The earliest due time: an input waiting for the watermark, or the next change by time passing. */
    private static long due(SegmentUserState s) {
        long due = s.timer != SegmentUserState.NO_TIMER ? s.timer : Long.MAX_VALUE;
        for (SegmentInput p : s.pending) {
            due = Math.min(due, p.timestamp);
        }
        return due;
    }

    @Override
    public long nextDue() throws Exception {
        SegmentUserState s = state.value();
        return s == null ? Long.MAX_VALUE : due(s);
    }

    @Override
    public String pendingAccumulator() {
        return ACC_TIMERS_PENDING;
    }

    @Override
    public boolean hasPending() throws Exception {
        SegmentUserState s = state.value();
        return s != null && s.timer != SegmentUserState.NO_TIMER;
    }

    /** Folds one input into the user's buckets and evaluates at its time (or the latest evaluated, if later). */
    private void apply(SegmentUserState s, SegmentInput in, Emitter<Alert> out) {
        // Changes due before this input (a window boundary, a quiet period) happen first, at their own time, as if
        // their timer had fired: whether the watermark reached them before this input arrived must not matter.
        while (s.timer != SegmentUserState.NO_TIMER && s.timer < in.timestamp) {
            long due = s.timer;
            s.timer = SegmentUserState.NO_TIMER;
            evaluate(s, Math.max(due, s.evaluatedAt), out);
        }
        DailyActivity a = s.activity;
        if (in.activity) {
            if (a.touch(in.timestamp, sessionGapMs)) {
                a.add(in.timestamp, DailyActivity.SESSION, 0);
            }
        }
        // An alert is no activity: quiet periods count from events only; the horizon also from the alert's day.
        a.add(in.timestamp, in.measure, in.amount);
        evaluate(s, Math.max(in.timestamp, s.evaluatedAt), out);
    }

    /** Writes the user's slice, or clears it when nothing is left (no history, membership, input or due change). */
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
     * state and every user with state is re-evaluated at once, at the current watermark.
     */
    @Override
    public void onControl(ControlMessage m, ControlContext<Alert> context) throws Exception {
        if (!m.isSegment()) {
            return;
        }
        RejectReason rejected = rules.apply(m);
        if (rejected != null) {
            if (subtask == 0) {
                context.output().emit(REJECTED, RejectedEvent.of(m.source, m.position, rejected,
                        rejectDetail(m, rejected), m.raw, System.currentTimeMillis()), context.currentWatermark());
            }
            return;
        }
        stored.put(m.ruleId, rules.accepted());
        book = rules.book();
        long now = context.currentWatermark();
        if (now == Long.MIN_VALUE) {
            return; // no event time yet: users are evaluated with the new rules at their next event
        }
        Emitter<Alert> out = context.output();
        context.forEachUser(key -> {
            SegmentUserState s = state.value();
            if (s != null && now > s.evaluatedAt && now < expiry(s.activity)) {
                diff(s, now, out);
                s.timer = nextTimer(s.activity, now);
                state.update(s);
            }
        });
    }

    private static String rejectDetail(ControlMessage m, RejectReason reason) {
        return reason == RejectReason.UNKNOWN_RULE
                ? "segment-id: '" + m.ruleId + "' is not a segment in force"
                : "version: " + m.version + " is not higher than the version in force of segment '" + m.ruleId + "'";
    }

    /**
     * Evaluates at {@code now} and sets the next change by time passing; at the horizon every membership EXITs and the
     * history is dropped (inputs not applied yet stay). The caller writes the state.
     */
    private void evaluate(SegmentUserState s, long now, Emitter<Alert> out) {
        DailyActivity a = s.activity;
        if (now >= expiry(a)) {
            for (int i = 0; i < s.segments.length; i++) {
                emit(out, change(s.segments[i], SegmentAction.EXIT, "no activity for " + book.horizonDays()
                        + "d: the user's segment state is dropped", s.versions[i], now, s.enteredAt[i]));
                exits.inc();
            }
            s.dropHistory();
            return;
        }
        diff(s, now, out);
        s.timer = nextTimer(a, now);
    }

    /** The earliest time a membership can change with no new input, or the horizon's expiry. */
    private long nextTimer(DailyActivity a, long now) {
        long next = Math.min(book.nextChange(a, now), expiry(a));
        return next == Long.MAX_VALUE ? SegmentUserState.NO_TIMER : next;
    }

    /** Emits the ENTERs and EXITs between the stored memberships and the book's at {@code now}, and stores them. */
    private void diff(SegmentUserState s, long now, Emitter<Alert> out) {
        DailyActivity a = s.activity;
        a.dropBefore(DailyActivity.day(now) - book.horizonDays() + 1);
        Map<String, Integer> current = book.evaluate(a, now);
        List<String> segments = new ArrayList<>();
        List<Long> since = new ArrayList<>();
        List<Integer> versions = new ArrayList<>();
        for (int i = 0; i < s.segments.length; i++) { // exits first, in segment order
            if (!current.containsKey(s.segments[i])) {
                emit(out, change(s.segments[i], SegmentAction.EXIT, book.explain(s.segments[i], a, now),
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
                emit(out, change(e.getKey(), SegmentAction.ENTER, book.explain(e.getKey(), a, now), e.getValue(), now,
                        now));
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

    private static void emit(Emitter<Alert> out, SegmentChange change) {
        out.emit(CHANGES, change, change.eventTime);
    }

    private SegmentChange change(String segment, SegmentAction action, String reason, int version, long eventTime,
            long enteredAt) {
        return SegmentChange.of(host.currentUser(), segment, action, reason, version, eventTime, enteredAt,
                System.currentTimeMillis());
    }
}
