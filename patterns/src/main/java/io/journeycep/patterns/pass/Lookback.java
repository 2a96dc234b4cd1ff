package io.journeycep.patterns.pass;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.spec.EventMatcher;
import io.journeycep.patterns.spec.PatternSpec;
import io.journeycep.patterns.spec.SpecStep;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;

/**
 * A pattern's {@code starts-after} look-back: which events a user's pass remembers for it, which steps get them
 * attached, and when remembered events are of no more use.
 *
 * <p>Why a look-back instead of a step inside CEP: the {@code starts-after} events (views, for CART_ABANDONED) are the
 * bulk of a clickstream, and in CEP each would start a partial match with its own buffered element and timers for the
 * whole look-back (hundreds of events/s on RocksDB, docs/BENCHMARKS.md). Here such an event is one small entry in the
 * user's value, and CEP sees only the few events its pattern is about.
 *
 * <p>An event is remembered when it arrives, a step is released when the watermark passes it: every earlier look-back
 * event that is not late has arrived by then. A step that can start a match carries the remembered events at most
 * {@code within} before it ({@link SpecStep#priorEventIds}), inclusive; at equal timestamps only those that arrived
 * first (lower source position).
 */
public final class Lookback implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Look-back events attached to one step, newest kept: enough evidence, bounded size. */
    public static final int MAX_PRIORS_PER_STEP = 20;

    private final EnumSet<EventType> types;
    private final long millis;
    private final EventMatcher[] starters;

    /**
     * @param lookback the spec's {@code starts-after}: event types and how long before a step they count (inclusive)
     * @param starters the matchers of the steps that can take a match's first event: only their events get the
     *     look-back attached
     */
    public Lookback(PatternSpec.Lookback lookback, List<EventMatcher> starters) {
        if (lookback.within == null || lookback.within.isNegative() || lookback.within.isZero()) {
            throw new IllegalArgumentException("look-back must be positive, was " + lookback.within);
        }
        this.types = EnumSet.copyOf(lookback.eventTypes);
        this.millis = lookback.within.toMillis();
        this.starters = starters.toArray(new EventMatcher[0]);
    }

    /** The look-back of {@code spec} with the matchers of its steps that can start a match. */
    public static Lookback of(PatternSpec spec) {
        List<EventMatcher> starters = new ArrayList<>();
        for (int i : spec.stepsThatCanStart()) {
            starters.add(spec.steps.get(i).match);
        }
        return new Lookback(spec.startsAfter, starters);
    }

    /** Whether {@code event} is remembered. */
    public boolean remembers(JourneyEvent event) {
        return types.contains(event.type);
    }

    public static LookbackRef refOf(JourneyEvent event) {
        return new LookbackRef(event.eventId, event.timestamp, event.position, event.itemId);
    }

    /** Whether {@code step} can take a match's first event, and so gets the look-back attached. */
    public boolean canStart(SpecStep step) {
        for (EventMatcher m : starters) {
            if (m.matches(step)) {
                return true;
            }
        }
        return false;
    }

    /** Attaches the events in {@code [step - within, step]}; at equal timestamps only those that arrived first. */
    public void attach(SpecStep step, List<LookbackRef> refs) {
        List<LookbackRef> qualifying = new ArrayList<>();
        for (LookbackRef ref : refs) {
            boolean before = ref.timestamp < step.timestamp
                    || (ref.timestamp == step.timestamp && ref.seq < step.seq);
            if (before && ref.timestamp >= step.timestamp - millis) {
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
     * The remembered events a step still to come can use, once the watermark is at {@code watermark}: every such step
     * is later than the watermark (late events never reach the pass), so an event more than {@code within} before the
     * watermark can no longer qualify one.
     *
     * @return {@code refs} itself when nothing is dropped
     */
    public List<LookbackRef> prune(List<LookbackRef> refs, long watermark) {
        long oldestUseful = watermark - millis;
        List<LookbackRef> kept = null;
        for (int i = 0; i < refs.size(); i++) {
            LookbackRef ref = refs.get(i);
            if (ref.timestamp < oldestUseful) {
                if (kept == null) {
                    kept = new ArrayList<>(refs.subList(0, i));
                }
            } else if (kept != null) {
                kept.add(ref);
            }
        }
        return kept == null ? refs : kept;
    }

    /**
     * When the remembered events, the newest at {@code newest}, are all surely useless, rounded up to a look-back-sized
     * bucket: a user who keeps browsing asks for the same time until the bucket changes.
     */
    public long pruneTime(long newest) {
        long due = newest + millis + 1;
        return Math.floorDiv(due + millis - 1, millis) * millis;
    }
}
