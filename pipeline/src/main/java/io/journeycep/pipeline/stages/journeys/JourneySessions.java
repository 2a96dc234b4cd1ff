package io.journeycep.pipeline.stages.journeys;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.journey.JourneyStates;
import io.journeycep.patterns.journey.SessionBoundary;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
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
 * Per user (keyed by {@link JourneyEvent#userKey()}): cuts the user's events into sessions (DESIGN §3,
 * {@link SessionBoundary}) and, when a session closes, emits its distinct transitions {@code START → type … → EXIT}
 * with their multiplicities (to the {@link TransitionCounter}s) and, for a session of at least {@code minTransitions}
 * transitions, a {@link ClosedSession} on {@link #CLOSED_SESSIONS} (to the {@link PathScorer}).
 *
 * <p>Order: an event is held until the watermark passes its timestamp (a timer at its timestamp), then the due events
 * are taken by timestamp and, at equal timestamps, by source position (arrival order), like {@code PatternLookback}.
 * Events that arrive behind the watermark (an anonymous path the identity stitcher re-keys to its user on a link) are
 * taken at the next watermark; one older than the open session's last event joins that session at its end.
 *
 * <p>A session closes when an event starts a new one (another session id, or without ids more than the gap after the
 * previous event), or when its user is quiet: an event-time timer at {@code last event + gap + 1 ms} (exactly the gap
 * later is still the same session). With session ids that timer also closes the session: a later event with the same
 * id starts a new path. At the end of a bounded input the watermark reaches the end of time and every session closes.
 * Records emitted on a close carry the firing timer's time ({@code closeTime}), never behind the watermark.
 *
 * <p>State is bounded: the open session's scalars, its distinct pairs (at most 13 × 13), its first
 * {@code maxPathLength} states and event ids (all transitions are still counted and scored), and the held events
 * (until the watermark passes them). All of it, and the gap timer, are cleared when the session closes.
 */
public class JourneySessions extends KeyedProcessFunction<String, JourneyEvent, SessionTransition> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<ClosedSession> CLOSED_SESSIONS =
            new OutputTag<>("closed-sessions", TypeInformation.of(ClosedSession.class));

    static final String HELD_STATE = "held-events";
    static final String OPEN_STATE = "open-session";
    static final String PATH_STATE = "session-path";
    static final String EVENT_IDS_STATE = "session-event-ids";
    static final String PAIRS_STATE = "session-pairs";

    private final long gapMs;
    private final int minTransitions;
    private final int maxPathLength;
    private final SessionBoundary boundary;

    private transient ListState<HeldEvent> held;
    private transient ValueState<OpenSession> open;
    private transient ListState<String> path;
    private transient ListState<String> eventIds;
    private transient MapState<String, Long> pairs;

    public JourneySessions(long gapMs, int minTransitions, int maxPathLength) {
        if (maxPathLength < 2) {
            throw new IllegalArgumentException("max path length must be at least 2, was " + maxPathLength);
        }
        this.boundary = new SessionBoundary(gapMs);
        this.gapMs = gapMs;
        this.minTransitions = minTransitions;
        this.maxPathLength = maxPathLength;
    }

    @Override
    public void open(OpenContext openContext) {
        held = getRuntimeContext().getListState(new ListStateDescriptor<>(HELD_STATE, HeldEvent.class));
        open = getRuntimeContext().getState(new ValueStateDescriptor<>(OPEN_STATE, OpenSession.class));
        path = getRuntimeContext().getListState(new ListStateDescriptor<>(PATH_STATE, Types.STRING));
        eventIds = getRuntimeContext().getListState(new ListStateDescriptor<>(EVENT_IDS_STATE, Types.STRING));
        pairs = getRuntimeContext().getMapState(new MapStateDescriptor<>(PAIRS_STATE, Types.STRING, Types.LONG));
    }

    @Override
    public void processElement(JourneyEvent event, Context ctx, Collector<SessionTransition> out) throws Exception {
        HeldEvent h = new HeldEvent();
        h.eventId = event.eventId;
        h.state = JourneyStates.of(event.type);
        h.sessionId = event.sessionId;
        h.timestamp = event.timestamp;
        h.position = event.position;
        long watermark = ctx.timerService().currentWatermark();
        if (event.timestamp > watermark) {
            held.add(h);
            ctx.timerService().registerEventTimeTimer(event.timestamp);
            return;
        }
        // Behind the watermark (an anonymous path re-keyed by the identity stitcher): taken now, in arrival order
        // (every held event is later). Anything it closes gets a close time just after the watermark, never behind
        // the counters' watermark, and the gap timer is never set in the past.
        OpenSession s = open.value();
        long registered = s == null ? Long.MIN_VALUE : s.gapTimer;
        s = take(s, h, watermark + 1, ctx, out);
        s.gapTimer = Math.max(s.lastTime + gapMs + 1, watermark + 1);
        open.update(s);
        moveGapTimer(registered, s.gapTimer, Long.MIN_VALUE, held.get(), ctx);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<SessionTransition> out) throws Exception {
        List<HeldEvent> due = new ArrayList<>();
        List<HeldEvent> later = new ArrayList<>();
        Iterable<HeldEvent> all = held.get();
        if (all != null) {
            for (HeldEvent h : all) {
                (h.timestamp <= timestamp ? due : later).add(h);
            }
        }
        OpenSession s = open.value();
        long registered = s == null ? Long.MIN_VALUE : s.gapTimer;
        if (!due.isEmpty()) {
            due.sort(Comparator.comparingLong((HeldEvent h) -> h.timestamp).thenComparingLong(h -> h.position));
            for (HeldEvent e : due) {
                s = take(s, e, timestamp, ctx, out);
            }
            if (later.isEmpty()) {
                held.clear();
            } else {
                held.update(later);
            }
        }
        if (s != null && timestamp > s.lastTime + gapMs) {
            close(s, timestamp, ctx, out);
            s = null;
        }
        if (s == null) {
            open.clear();
        } else {
            s.gapTimer = Math.max(s.lastTime + gapMs + 1, s.gapTimer);
            open.update(s);
        }
        moveGapTimer(registered, s == null ? Long.MIN_VALUE : s.gapTimer, timestamp, later, ctx);
    }

    /** Adds one event to the open session, first closing it (at {@code closeTime}) when the event starts a new one. */
    private OpenSession take(OpenSession s, HeldEvent e, long closeTime, Context ctx,
            Collector<SessionTransition> out) throws Exception {
        if (s != null && boundary.startsNewSession(s.lastTime, s.sessionId, e.timestamp, e.sessionId)) {
            close(s, closeTime, ctx, out);
            s = null;
        }
        if (s == null) {
            s = new OpenSession();
            s.sessionKey = ctx.getCurrentKey() + '|' + e.eventId;
            s.sessionId = e.sessionId;
            s.firstTime = e.timestamp;
            s.lastTime = e.timestamp;
            s.gapTimer = Long.MIN_VALUE;
            s.lastState = JourneyStates.START;
            appendToPath(s, JourneyStates.START, null);
        }
        addTransition(s, e.state);
        appendToPath(s, e.state, e.eventId);
        // an event taken behind the watermark may be older than the session's last one: it joins at the end
        s.lastTime = Math.max(s.lastTime, e.timestamp);
        return s;
    }

    /** Timers are one per (key, time): the old gap timer is kept when the firing one or a held event shares it. */
    private static void moveGapTimer(long registered, long wanted, long firing, Iterable<HeldEvent> stillHeld,
            Context ctx) {
        if (registered == wanted) {
            return;
        }
        boolean heldAtRegistered = false;
        if (stillHeld != null) {
            for (HeldEvent h : stillHeld) {
                heldAtRegistered |= h.timestamp == registered;
            }
        }
        if (registered != Long.MIN_VALUE && registered != firing && !heldAtRegistered) {
            ctx.timerService().deleteEventTimeTimer(registered);
        }
        if (wanted != Long.MIN_VALUE) {
            ctx.timerService().registerEventTimeTimer(wanted);
        }
    }

    private void addTransition(OpenSession s, String to) throws Exception {
        String pair = s.lastState + '>' + to;
        Long n = pairs.get(pair);
        pairs.put(pair, n == null ? 1L : n + 1);
        s.transitions++;
        s.lastState = to;
    }

    private void appendToPath(OpenSession s, String state, String eventId) throws Exception {
        if (s.pathLength < maxPathLength) {
            path.add(state);
            if (eventId != null) {
                eventIds.add(eventId);
            }
            s.pathLength++;
        }
    }

    /** Ends the session with its EXIT transition, emits it, and clears its state (not the held events). */
    private void close(OpenSession s, long closeTime, Context ctx, Collector<SessionTransition> out)
            throws Exception {
        addTransition(s, JourneyStates.EXIT);
        appendToPath(s, JourneyStates.EXIT, null);
        boolean scored = s.transitions >= minTransitions;
        Map<String, Long> sorted = new TreeMap<>();
        for (Map.Entry<String, Long> entry : pairs.entries()) {
            sorted.put(entry.getKey(), entry.getValue());
        }
        for (Map.Entry<String, Long> entry : sorted.entrySet()) {
            String pair = entry.getKey();
            SessionTransition t = new SessionTransition();
            t.sessionKey = s.sessionKey;
            t.userKey = ctx.getCurrentKey();
            t.closeTime = closeTime;
            t.from = pair.substring(0, pair.indexOf('>'));
            t.to = pair.substring(pair.indexOf('>') + 1);
            t.occurrences = entry.getValue();
            t.scored = scored;
            out.collect(t);
        }
        if (scored) {
            ClosedSession c = new ClosedSession();
            c.sessionKey = s.sessionKey;
            c.userKey = ctx.getCurrentKey();
            c.sessionId = s.sessionId;
            c.firstTime = s.firstTime;
            c.lastTime = s.lastTime;
            c.closeTime = closeTime;
            c.transitions = s.transitions;
            c.distinctPairs = sorted.size();
            path.get().forEach(c.path::add);
            eventIds.get().forEach(c.eventIds::add);
            c.truncated = c.path.size() < s.transitions + 1;
            ctx.output(CLOSED_SESSIONS, c);
        }
        pairs.clear();
        path.clear();
        eventIds.clear();
        open.clear();
    }
}
