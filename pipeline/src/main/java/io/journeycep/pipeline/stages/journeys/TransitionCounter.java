package io.journeycep.pipeline.stages.journeys;

import io.journeycep.patterns.journey.JourneyStates;
import io.journeycep.sinks.TransitionCount;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The global Markov counts of one from-state (keyed by from-state): absolute counts per to-state and their total.
 *
 * <p><b>Scoring against the model before the session.</b> Transitions are not counted on arrival: they wait until the
 * watermark passes their session's {@code closeTime} (a timer), then the due ones are taken in the order
 * {@code (closeTime, sessionKey)}; for each session, its pairs from this state are first answered with the counts as
 * they are (a {@link TransitionAnswer}, only for scored sessions) and then counted. Every counter applies the same
 * total order, so each session is scored against exactly the sessions ordered before it, whatever the parallelism or
 * the arrival order: the scores are deterministic and consistent across from-states.
 *
 * <p><b>Flushing.</b> Absolute counts go to {@link #COUNTS} ({@code journey_transitions}) at most once per
 * {@code flushInterval} per from-state, from an event-time timer at the next multiple of the interval after a change.
 * Event time rather than processing time: on a bounded replay the watermark reaches the end of time, so the final
 * counts are always flushed (processing-time timers would be dropped at the end of input), and the flushed rows and
 * their {@code updated_at} (the flush's event time) are the same on every replay. On a live stream the quiet-period
 * watermark fallback keeps event time, and so the flushes, moving when traffic stops.
 *
 * <p>State: per from-state at most 13 counts (one per target) and a total, which never expire (they are the model),
 * plus the transitions waiting for the watermark and the next flush time.
 */
public class TransitionCounter extends KeyedProcessFunction<String, SessionTransition, TransitionAnswer> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<TransitionCount> COUNTS =
            new OutputTag<>("transition-counts", TypeInformation.of(TransitionCount.class));

    static final String PENDING_STATE = "pending-transitions";
    static final String COUNTS_STATE = "transition-counts";
    static final String TOTAL_STATE = "transition-total";
    static final String FLUSH_STATE = "next-flush";

    private final double alpha;
    private final long flushIntervalMs;

    /** Transitions waiting for the watermark, by their session's close time (each close time has its timer). */
    private transient MapState<Long, List<SessionTransition>> pending;
    private transient MapState<String, Long> counts;
    private transient ValueState<Long> total;
    private transient Counter flushed;
    private transient ValueState<Long> nextFlush;

    public TransitionCounter(double alpha, long flushIntervalMs) {
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("smoothing must be > 0, was " + alpha);
        }
        if (flushIntervalMs <= 0) {
            throw new IllegalArgumentException("flush interval must be > 0 ms, was " + flushIntervalMs);
        }
        this.alpha = alpha;
        this.flushIntervalMs = flushIntervalMs;
    }

    @Override
    public void open(OpenContext openContext) {
        flushed = getRuntimeContext().getMetricGroup().counter("transitionsFlushed");
        pending = getRuntimeContext().getMapState(new MapStateDescriptor<>(PENDING_STATE, Types.LONG,
                Types.LIST(TypeInformation.of(SessionTransition.class))));
        counts = getRuntimeContext().getMapState(new MapStateDescriptor<>(COUNTS_STATE, Types.STRING, Types.LONG));
        total = getRuntimeContext().getState(new ValueStateDescriptor<>(TOTAL_STATE, Types.LONG));
        nextFlush = getRuntimeContext().getState(new ValueStateDescriptor<>(FLUSH_STATE, Types.LONG));
    }

    @Override
    public void processElement(SessionTransition t, Context ctx, Collector<TransitionAnswer> out) throws Exception {
        List<SessionTransition> atTime = pending.get(t.closeTime);
        if (atTime == null) {
            atTime = new ArrayList<>();
        }
        atTime.add(t);
        pending.put(t.closeTime, atTime);
        ctx.timerService().registerEventTimeTimer(t.closeTime);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<TransitionAnswer> out) throws Exception {
        // Every close time has its own timer, so the due transitions are exactly those of this timestamp: one lookup,
        // not a scan of everything pending (a from-state key such as 'view' has the pending sessions of all users).
        List<SessionTransition> due = pending.get(timestamp);
        if (due == null) {
            due = new ArrayList<>();
        } else {
            due = new ArrayList<>(due);
            pending.remove(timestamp);
        }
        if (!due.isEmpty()) {
            due.sort(Comparator.comparingLong((SessionTransition t) -> t.closeTime)
                    .thenComparing(t -> t.sessionKey)
                    .thenComparing(t -> t.to));
            long sum = total.value() == null ? 0 : total.value();
            int i = 0;
            while (i < due.size()) {
                int end = i;
                while (end < due.size() && due.get(end).closeTime == due.get(i).closeTime
                        && due.get(end).sessionKey.equals(due.get(i).sessionKey)) {
                    end++;
                }
                for (int j = i; j < end; j++) { // answer with the counts before this session
                    SessionTransition t = due.get(j);
                    if (t.scored) {
                        out.collect(answer(t, sum));
                    }
                }
                for (int j = i; j < end; j++) { // then count it
                    SessionTransition t = due.get(j);
                    Long c = counts.get(t.to);
                    counts.put(t.to, (c == null ? 0 : c) + t.occurrences);
                    sum += t.occurrences;
                }
                i = end;
            }
            total.update(sum);
            if (nextFlush.value() == null) {
                long at = (Math.floorDiv(timestamp, flushIntervalMs) + 1) * flushIntervalMs;
                nextFlush.update(at);
                ctx.timerService().registerEventTimeTimer(at);
            }
        }
        Long flushAt = nextFlush.value();
        if (flushAt != null && flushAt <= timestamp) {
            flush(ctx.getCurrentKey(), timestamp, ctx);
            nextFlush.clear();
        }
    }

    private TransitionAnswer answer(SessionTransition t, long sum) throws Exception {
        Long c = counts.get(t.to);
        long count = c == null ? 0 : c;
        TransitionAnswer a = new TransitionAnswer();
        a.sessionKey = t.sessionKey;
        a.closeTime = t.closeTime;
        a.from = t.from;
        a.to = t.to;
        a.occurrences = t.occurrences;
        a.count = count;
        a.fromTotal = sum;
        a.probability = (count + alpha) / (sum + alpha * JourneyStates.TARGETS.size());
        return a;
    }

    private void flush(String from, long time, OnTimerContext ctx) throws Exception {
        Map<String, Long> row = new TreeMap<>();
        for (Map.Entry<String, Long> e : counts.entries()) {
            row.put(e.getKey(), e.getValue());
        }
        row.forEach((to, n) -> ctx.output(COUNTS, TransitionCount.of(from, to, n, time)));
        flushed.inc(row.size());
    }
}
