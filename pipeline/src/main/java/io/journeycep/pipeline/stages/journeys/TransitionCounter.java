package io.journeycep.pipeline.stages.journeys;

import io.journeycep.patterns.cep.WatermarkBatches;
import io.journeycep.patterns.cep.WatermarkBatchingKeyedOperator;
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
import java.util.TreeSet;

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
 * <p><b>Batches.</b> The job runs this function in {@link WatermarkBatchingKeyedOperator}: a from-state's transitions
 * wait on the heap until the watermark passes the earliest close time among them and then come as one batch, which
 * does at its end what the timers up to the watermark would have done, in their order (close times and flushes),
 * with one read and one write of the counts ({@link #finishBatch}); what arrives behind the watermark or is handed
 * over before a checkpoint barrier takes the timers' way described here.
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
public class TransitionCounter extends KeyedProcessFunction<String, SessionTransition, TransitionAnswer>
        implements WatermarkBatches.Function<SessionTransition, TransitionAnswer> {
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

    /** In a batch ({@link WatermarkBatches}): its watermark and its transitions, which touch no state until its end. */
    private transient boolean inBatch;
    private transient long batchWatermark;
    private transient List<SessionTransition> batch;

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
        if (inBatch) {
            batch.add(t);
            return;
        }
        hold(t, ctx.timerService());
    }

    /** Waits in state for the watermark to pass its close time, with a timer then. */
    private void hold(SessionTransition t, org.apache.flink.streaming.api.TimerService timers) throws Exception {
        List<SessionTransition> atTime = pending.get(t.closeTime);
        if (atTime == null) {
            atTime = new ArrayList<>();
        }
        atTime.add(t);
        pending.put(t.closeTime, atTime);
        timers.registerEventTimeTimer(t.closeTime);
    }

    @Override
    public long timeOf(SessionTransition t) {
        return t.closeTime;
    }

    @Override
    public void startBatch(long watermark) {
        inBatch = true;
        batchWatermark = watermark;
        batch = new ArrayList<>();
    }

    /**
     * Does, in one go, what the timers at or before the batch's watermark would have done, in time order: the batch's
     * transitions and those waiting in state (handed over before a checkpoint) that are due, counted and answered at
     * their close time, and the flushes due between them; the counts are read and written once. Transitions not yet
     * due wait in state with their timer, as without batches. Timers left registered at or before the watermark fire
     * later into nothing.
     */
    @Override
    public void finishBatch(WatermarkBatches.Context<TransitionAnswer> context) throws Exception {
        inBatch = false;
        List<SessionTransition> transitions = batch;
        batch = null;
        long watermark = batchWatermark;
        TreeMap<Long, List<SessionTransition>> due = new TreeMap<>();
        for (SessionTransition t : transitions) {
            if (t.closeTime <= watermark) {
                due.computeIfAbsent(t.closeTime, k -> new ArrayList<>()).add(t);
            } else {
                hold(t, context.timerService());
            }
        }
        List<Long> takenFromState = new ArrayList<>();
        for (Map.Entry<Long, List<SessionTransition>> e : pending.entries()) {
            if (e.getKey() <= watermark) {
                due.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).addAll(e.getValue());
                takenFromState.add(e.getKey());
            }
        }
        for (Long time : takenFromState) {
            pending.remove(time);
        }
        Long flushAt = nextFlush.value();
        if (due.isEmpty() && (flushAt == null || flushAt > watermark)) {
            return;
        }
        Map<String, Long> model = new TreeMap<>();
        for (Map.Entry<String, Long> e : counts.entries()) {
            model.put(e.getKey(), e.getValue());
        }
        Map<String, Long> changed = new java.util.HashMap<>();
        long sum = total.value() == null ? 0 : total.value();
        long sumBefore = sum;
        // the times the timers would have fired at, in order: each close time due, and the flush when it is due
        TreeSet<Long> times = new TreeSet<>(due.keySet());
        if (flushAt != null && flushAt <= watermark) {
            times.add(flushAt);
        }
        while (!times.isEmpty()) {
            long time = times.pollFirst();
            List<SessionTransition> atTime = due.remove(time);
            if (atTime != null) {
                atTime.sort(IN_COUNTING_ORDER);
                sum = count(atTime, sum, model, changed, a -> context.emit(a, time));
                if (flushAt == null) {
                    flushAt = firstFlushAfter(time);
                    if (flushAt <= watermark) {
                        times.add(flushAt);
                    } else {
                        context.timerService().registerEventTimeTimer(flushAt);
                    }
                }
            }
            if (flushAt != null && flushAt <= time) {
                emitRows(context.currentKey(), time, model, (tag, row) -> context.emit(tag, row, time));
                flushAt = null;
            }
        }
        counts.putAll(changed);
        if (sum != sumBefore) {
            total.update(sum);
        }
        if (flushAt == null) {
            nextFlush.clear();
        } else {
            nextFlush.update(flushAt);
        }
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
            due.sort(IN_COUNTING_ORDER);
            Map<String, Long> model = new TreeMap<>();
            for (Map.Entry<String, Long> e : counts.entries()) {
                model.put(e.getKey(), e.getValue());
            }
            Map<String, Long> changed = new java.util.HashMap<>();
            long sum = count(due, total.value() == null ? 0 : total.value(), model, changed, out::collect);
            counts.putAll(changed);
            total.update(sum);
            if (nextFlush.value() == null) {
                long at = firstFlushAfter(timestamp);
                nextFlush.update(at);
                ctx.timerService().registerEventTimeTimer(at);
            }
        }
        Long flushAt = nextFlush.value();
        if (flushAt != null && flushAt <= timestamp) {
            Map<String, Long> model = new TreeMap<>();
            for (Map.Entry<String, Long> e : counts.entries()) {
                model.put(e.getKey(), e.getValue());
            }
            emitRows(ctx.getCurrentKey(), timestamp, model, (tag, row) -> ctx.output(tag, row));
            nextFlush.clear();
        }
    }

    /** The order in which due transitions are taken: close time, session, target. */
    private static final Comparator<SessionTransition> IN_COUNTING_ORDER =
            Comparator.comparingLong((SessionTransition t) -> t.closeTime)
                    .thenComparing(t -> t.sessionKey)
                    .thenComparing(t -> t.to);

    private long firstFlushAfter(long time) {
        return (Math.floorDiv(time, flushIntervalMs) + 1) * flushIntervalMs;
    }

    /**
     * Answers and counts {@code due} (in {@link #IN_COUNTING_ORDER}) against {@code model} (the from-state's counts
     * by target, changed in place; {@code changed} gets every count changed), session by session: each scored pair is
     * answered with the counts before its session, then the session is counted. Returns the new total.
     */
    private long count(List<SessionTransition> due, long sum, Map<String, Long> model, Map<String, Long> changed,
            java.util.function.Consumer<TransitionAnswer> out) {
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
                    out.accept(answer(t, sum, model));
                }
            }
            for (int j = i; j < end; j++) { // then count it
                SessionTransition t = due.get(j);
                long c = model.getOrDefault(t.to, 0L) + t.occurrences;
                model.put(t.to, c);
                changed.put(t.to, c);
                sum += t.occurrences;
            }
            i = end;
        }
        return sum;
    }

    private TransitionAnswer answer(SessionTransition t, long sum, Map<String, Long> model) {
        Long c = model.get(t.to);
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

    /** The from-state's absolute counts ({@code model}, by target in order) as rows of the {@link #COUNTS} output. */
    private void emitRows(String from, long time, Map<String, Long> model,
            java.util.function.BiConsumer<OutputTag<TransitionCount>, TransitionCount> out) {
        model.forEach((to, n) -> out.accept(COUNTS, TransitionCount.of(from, to, n, time)));
        flushed.inc(model.size());
    }
}
