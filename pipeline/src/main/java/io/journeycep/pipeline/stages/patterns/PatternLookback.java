package io.journeycep.pipeline.stages.patterns;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.spec.EventMatcher;
import io.journeycep.patterns.spec.PatternSpec;
import io.journeycep.patterns.spec.SpecInput;
import io.journeycep.patterns.spec.SpecStep;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Feeds the CEP stage of a pattern with {@code starts-after}: per user, remembers recent events of the
 * {@code starts-after} types and releases the events the pattern sees ({@link SpecInput}) as {@link SpecStep}s in
 * event-time order (ties by source position), each one that could start a match carrying the remembered events at
 * most the look-back before it ({@link SpecStep#priorEventIds}).
 *
 * <p>Why a look-back instead of a step inside CEP: the {@code starts-after} events (views, for CART_ABANDONED) are
 * the bulk of a clickstream, and in CEP each would start a partial match with its own buffered element and timers for
 * the whole look-back. On RocksDB that is what makes Flink CEP crawl (hundreds of events/s, see docs/BENCHMARKS.md).
 * Here such an event costs one RocksDB list append and one (de-duplicated) timer registration, and CEP sees only the
 * few events its pattern is about.
 *
 * <p>Out-of-order input inside the allowed lateness is handled like CEP handles it: a step is held until the watermark
 * passes its timestamp, so every earlier look-back event that is not late has arrived by then. Late events never
 * reach this function (the dedupe stage routes them to the late output).
 *
 * <p>An erasure marker (README "Privacy") deletes the user's look-back events and held steps and goes on to CEP; run
 * it in an {@link io.journeycep.pipeline.stages.erasure.ErasingKeyedProcessOperator}, which deletes the key's timers.
 *
 * <p>State is bounded by timers: held steps leave at their own timestamp; look-back events are pruned when the
 * watermark has passed them by the look-back, from a cleanup timer rounded up to a look-back-sized bucket so a busy
 * user registers at most one new timer per bucket.
 */
public class PatternLookback extends KeyedProcessFunction<String, JourneyEvent, SpecStep> {
    private static final long serialVersionUID = 1L;
    /** Look-back events attached to one step, newest kept: enough evidence, bounded size. */
    static final int MAX_PRIORS_PER_STEP = 20;
    static final String LOOKBACK_STATE = "lookback-events";
    static final String HELD_STATE = "held-steps";

    private final EnumSet<EventType> lookbackTypes;
    private final long lookbackMillis;
    private final SpecInput input;
    private final EventMatcher[] starters;

    private transient ListState<LookbackRef> recent;
    private transient ListState<SpecStep> held;

    /**
     * @param lookback the spec's {@code starts-after}: event types and how long before a step they count (inclusive)
     * @param input what the pattern sees
     * @param starters the matchers of the steps that can take a match's first event: only their events get the
     *     look-back attached
     */
    public PatternLookback(PatternSpec.Lookback lookback, SpecInput input, List<EventMatcher> starters) {
        if (lookback.within == null || lookback.within.isNegative() || lookback.within.isZero()) {
            throw new IllegalArgumentException("look-back must be positive, was " + lookback.within);
        }
        this.lookbackTypes = EnumSet.copyOf(lookback.eventTypes);
        this.lookbackMillis = lookback.within.toMillis();
        this.input = input;
        this.starters = starters.toArray(new EventMatcher[0]);
    }

    public Set<EventType> lookbackTypes() {
        return EnumSet.copyOf(lookbackTypes);
    }

    @Override
    public void open(OpenContext openContext) {
        recent = getRuntimeContext().getListState(new ListStateDescriptor<>(LOOKBACK_STATE, LookbackRef.class));
        held = getRuntimeContext().getListState(new ListStateDescriptor<>(HELD_STATE, SpecStep.class));
    }

    @Override
    public void processElement(JourneyEvent event, Context ctx, Collector<SpecStep> out) throws Exception {
        if (event.isErasure()) {
            // the user's look-back events and held steps go; the marker goes on to CEP (the timers: see
            // ErasingKeyedProcessOperator)
            recent.clear();
            held.clear();
            out.collect(SpecStep.erasureOf(event));
            return;
        }
        if (lookbackTypes.contains(event.type)) {
            recent.add(new LookbackRef(event.eventId, event.timestamp, event.position, event.itemId));
            ctx.timerService().registerEventTimeTimer(cleanupTime(event.timestamp));
        }
        if (input.accepts(event)) {
            held.add(SpecStep.of(event));
            ctx.timerService().registerEventTimeTimer(event.timestamp);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<SpecStep> out) throws Exception {
        List<LookbackRef> refs = toList(recent.get());
        List<SpecStep> due = new ArrayList<>();
        List<SpecStep> later = new ArrayList<>();
        for (SpecStep step : held.get()) {
            (step.timestamp <= timestamp ? due : later).add(step);
        }
        if (!due.isEmpty()) {
            due.sort(Comparator.comparingLong((SpecStep s) -> s.timestamp).thenComparingLong(s -> s.seq));
            for (SpecStep step : due) {
                if (canStart(step)) {
                    attach(step, refs);
                }
                out.collect(step);
            }
            held.update(later);
        }
        prune(refs, timestamp, ctx);
    }

    private boolean canStart(SpecStep step) {
        for (EventMatcher m : starters) {
            if (m.matches(step)) {
                return true;
            }
        }
        return false;
    }

    /** Attaches the events in {@code [step - lookback, step]}; at equal timestamps only those that arrived first. */
    private void attach(SpecStep step, List<LookbackRef> refs) {
        List<LookbackRef> qualifying = new ArrayList<>();
        for (LookbackRef ref : refs) {
            boolean before = ref.timestamp < step.timestamp
                    || (ref.timestamp == step.timestamp && ref.seq < step.seq);
            if (before && ref.timestamp >= step.timestamp - lookbackMillis) {
                qualifying.add(ref);
            }
        }
        qualifying.sort(Comparator.comparingLong((LookbackRef r) -> r.timestamp).thenComparingLong(r -> r.seq));
        if (qualifying.size() > MAX_PRIORS_PER_STEP) {
            qualifying = qualifying.subList(qualifying.size() - MAX_PRIORS_PER_STEP, qualifying.size());
        }
        step.priorEventIds = new String[qualifying.size()];
        step.priorItemIds = new String[qualifying.size()];
        for (int i = 0; i < qualifying.size(); i++) {
            step.priorEventIds[i] = qualifying.get(i).eventId;
            step.priorItemIds[i] = qualifying.get(i).itemId;
        }
        step.lastPriorTime = qualifying.isEmpty() ? Long.MIN_VALUE : qualifying.get(qualifying.size() - 1).timestamp;
    }

    /**
     * Drops look-back events no later step can use. Timers fire in timestamp order, so every step still held or still
     * to come has a timestamp above {@code now} (the firing timer's time, not the watermark, which may have jumped
     * past held ones): an event older than {@code now - lookback} can no longer qualify one.
     */
    private void prune(List<LookbackRef> refs, long now, OnTimerContext ctx) throws Exception {
        if (refs.isEmpty()) {
            return;
        }
        long oldestUseful = now - lookbackMillis;
        List<LookbackRef> kept = new ArrayList<>(refs.size());
        long newest = Long.MIN_VALUE;
        for (LookbackRef ref : refs) {
            if (ref.timestamp >= oldestUseful) {
                kept.add(ref);
                newest = Math.max(newest, ref.timestamp);
            }
        }
        if (kept.isEmpty()) {
            recent.clear();
        } else {
            if (kept.size() != refs.size()) {
                recent.update(kept);
            }
            ctx.timerService().registerEventTimeTimer(cleanupTime(newest));
        }
    }

    /** When an event at {@code time} is surely useless, rounded up to a look-back-sized bucket. */
    private long cleanupTime(long time) {
        long due = time + lookbackMillis + 1;
        long bucket = lookbackMillis;
        return Math.floorDiv(due + bucket - 1, bucket) * bucket;
    }

    private static <T> List<T> toList(Iterable<T> iterable) {
        List<T> list = new ArrayList<>();
        if (iterable != null) {
            iterable.forEach(list::add);
        }
        return list;
    }
}
