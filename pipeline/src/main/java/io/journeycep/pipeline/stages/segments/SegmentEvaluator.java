package io.journeycep.pipeline.stages.segments;

import io.journeycep.patterns.segments.DailyActivity;
import io.journeycep.patterns.segments.SegmentBook;
import io.journeycep.sinks.SegmentAction;
import io.journeycep.sinks.SegmentChange;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The segment engine (DESIGN §3), keyed by user: folds each event (and each CART_ABANDONED alert) into the user's
 * daily buckets, evaluates the {@link SegmentBook} at that event time and emits an ENTER or EXIT exactly when a
 * membership changes, with the reason. Changes that come from time passing (a window sliding past a bucket, a quiet
 * period reaching 30 days, a recency cut point) fire from one event-time timer per user, set at the earliest time any
 * membership can next change, so they fire even if the user sends nothing more (and, with the quiet-period watermark
 * fallback, even if the whole stream is quiet).
 *
 * <p>Time never goes back for a user: an out-of-order event is counted in its own day but evaluated at the latest
 * time already evaluated. State is bounded: buckets older than the horizon are dropped, and when the user has been
 * silent for the horizon (the longest window; 365 days) every remaining membership EXITs ("no activity for the
 * horizon") and the state and timer are cleared.
 */
public class SegmentEvaluator extends KeyedProcessFunction<String, SegmentInput, SegmentChange> {
    private static final long serialVersionUID = 1L;
    static final String STATE = "segment-user-state";

    private final SegmentBook book;
    private final long sessionGapMs;

    private transient ValueState<SegmentUserState> state;
    private transient Counter enters;
    private transient Counter exits;

    public SegmentEvaluator(SegmentBook book, long sessionGapMs) {
        this.book = book;
        this.sessionGapMs = sessionGapMs;
    }

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(new ValueStateDescriptor<>(STATE, SegmentUserState.class));
        enters = getRuntimeContext().getMetricGroup().counter("segmentEnters");
        exits = getRuntimeContext().getMetricGroup().counter("segmentExits");
    }

    @Override
    public void processElement(SegmentInput in, Context ctx, Collector<SegmentChange> out) throws Exception {
        SegmentUserState s = state.value();
        if (s == null) {
            s = new SegmentUserState();
        }
        DailyActivity a = s.activity;
        if (in.activity) {
            if (a.touch(in.timestamp, sessionGapMs)) {
                a.add(in.timestamp, DailyActivity.SESSION, 0);
            }
        }
        a.add(in.timestamp, in.measure, in.amount);
        long now = Math.max(in.timestamp, s.evaluatedAt);
        if (a.lastActivity == Long.MIN_VALUE) {
            a.lastActivity = in.timestamp; // an alert before any event (cannot happen upstream): still bounded
        }
        evaluate(s, now, ctx, out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<SegmentChange> out) throws Exception {
        SegmentUserState s = state.value();
        if (s == null || s.timer != timestamp) {
            return;
        }
        s.timer = SegmentUserState.NO_TIMER;
        evaluate(s, Math.max(timestamp, s.evaluatedAt), ctx, out);
    }

    private void evaluate(SegmentUserState s, long now, Context ctx, Collector<SegmentChange> out) throws Exception {
        DailyActivity a = s.activity;
        long expiry = expiry(a);
        String user = ctx.getCurrentKey();
        if (now >= expiry) {
            for (int i = 0; i < s.segments.length; i++) {
                out.collect(change(user, s.segments[i], SegmentAction.EXIT, "no activity for "
                        + book.horizonDays() + "d: the user's segment state is dropped", s.versions[i], now,
                        s.enteredAt[i]));
                exits.inc();
            }
            moveTimer(s, SegmentUserState.NO_TIMER, ctx);
            state.clear();
            return;
        }
        a.dropBefore(DailyActivity.day(now) - book.horizonDays() + 1);
        Map<String, SegmentBook.Member> current = book.evaluate(a, now);
        List<String> segments = new ArrayList<>();
        List<Long> since = new ArrayList<>();
        List<Integer> versions = new ArrayList<>();
        for (int i = 0; i < s.segments.length; i++) { // exits first, in segment order
            SegmentBook.Member m = current.get(s.segments[i]);
            if (m == null) {
                out.collect(change(user, s.segments[i], SegmentAction.EXIT, book.explain(s.segments[i], a, now),
                        s.versions[i], now, s.enteredAt[i]));
                exits.inc();
            } else {
                segments.add(s.segments[i]);
                since.add(s.enteredAt[i]);
                versions.add(s.versions[i]);
            }
        }
        for (Map.Entry<String, SegmentBook.Member> e : current.entrySet()) {
            if (s.indexOf(e.getKey()) < 0) {
                out.collect(change(user, e.getKey(), SegmentAction.ENTER, e.getValue().reason, e.getValue().version,
                        now, now));
                enters.inc();
                int at = 0;
                while (at < segments.size() && segments.get(at).compareTo(e.getKey()) < 0) {
                    at++;
                }
                segments.add(at, e.getKey());
                since.add(at, now);
                versions.add(at, e.getValue().version);
            }
        }
        s.segments = segments.toArray(new String[0]);
        s.enteredAt = since.stream().mapToLong(Long::longValue).toArray();
        s.versions = versions.stream().mapToInt(Integer::intValue).toArray();
        s.evaluatedAt = now;
        moveTimer(s, Math.min(book.nextChange(a, now), expiry), ctx);
        state.update(s);
    }

    /** When the user's state is dropped: the horizon after the day of their last activity has passed. */
    private long expiry(DailyActivity a) {
        return (DailyActivity.day(a.lastActivity) + (long) book.horizonDays() + 1) * DailyActivity.DAY_MS;
    }

    private static void moveTimer(SegmentUserState s, long wanted, Context ctx) {
        if (s.timer == wanted) {
            return;
        }
        if (s.timer != SegmentUserState.NO_TIMER) {
            ctx.timerService().deleteEventTimeTimer(s.timer);
        }
        if (wanted != SegmentUserState.NO_TIMER && wanted != Long.MAX_VALUE) {
            ctx.timerService().registerEventTimeTimer(wanted);
            s.timer = wanted;
        } else {
            s.timer = SegmentUserState.NO_TIMER;
        }
    }

    private static SegmentChange change(String user, String segment, SegmentAction action, String reason, int version,
            long eventTime, long enteredAt) {
        return SegmentChange.of(user, segment, action, reason, version, eventTime, enteredAt,
                System.currentTimeMillis());
    }
}
