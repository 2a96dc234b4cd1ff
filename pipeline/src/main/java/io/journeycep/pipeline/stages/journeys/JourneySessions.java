package io.journeycep.pipeline.stages.journeys;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.journey.JourneyStates;
import io.journeycep.patterns.journey.SessionBoundary;
import io.journeycep.patterns.journey.UserTransitionModel;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Per user (keyed by {@link JourneyEvent#userKey()}): cuts the user's events into sessions (DESIGN §3,
 * {@link SessionBoundary}) and, when a session closes, emits its distinct transitions {@code START → type … → EXIT}
 * with their multiplicities (to the {@link TransitionCounter}s) and, for a session of at least {@code minTransitions}
 * transitions, a {@link ClosedSession} on {@link #CLOSED_SESSIONS} (to the {@link PathScorer}).
 *
 * <p>Order: an event is held until the watermark passes its timestamp (a timer at its timestamp), then the due events
 * are taken by timestamp and, at equal timestamps, by source position (arrival order), like the pattern guests of the user pass.
 * Events that arrive behind the watermark (an anonymous path the identity stitcher re-keys to its user on a link) are
 * taken at once, in arrival order; one older than the open session's last event joins that session at its end, and a
 * session they close is stamped just after the watermark, never behind the counters' watermark.
 *
 * <p>A session closes when an event starts a new one (another session id, or without ids more than the gap after the
 * previous event), or when its user is quiet: an event-time timer at {@code last event + gap + 1 ms} (exactly the gap
 * later is still the same session). With session ids that timer also closes the session: a later event with the same
 * id starts a new path. At the end of a bounded input the watermark reaches the end of time and every session closes.
 * Records emitted on a close carry the firing timer's time ({@code closeTime}), never behind the watermark.
 *
 * <p><b>The user's own model.</b> Every closed session's transitions are added, at its close time, to the user's
 * {@link UserTransitionModel} (decayed counts, half-life {@code halfLifeMs}). A scored session's
 * {@link ClosedSession} carries the user's model of its distinct pairs as it was before the session was added. The
 * model is cleared by an event-time timer at {@code last close + horizonMs} (the <em>horizon timer</em>): a user none
 * of whose sessions closed for the horizon has no model left; each close moves the timer.
 *
 * <p><b>Timers.</b> Flink keeps one timer per (key, timestamp), so one timer may stand for several purposes: a held
 * event's time, the gap timer, the horizon timer. {@link #onTimer} therefore decides from state what is due (held
 * events at or before it, a session quiet for more than the gap, a model past its horizon). The gap timer is not moved
 * on every event (two timer writes per event on RocksDB): the one registered stays, and when it fires while the session
 * is still open it is re-armed at {@code last event + gap + 1}; a session that starts when an event closes the previous
 * one takes over that one's gap timer. A moved horizon timer is deleted only when no other purpose still needs its
 * time.
 *
 * <p><b>State access.</b> Per event: one append to the held events, then, when the watermark passes it, one read of the
 * held events and one read and write of the open session (its pairs and path states included), and an append to its
 * event ids. The
 * user's model is read only when a session closes (the open session carries its horizon).
 *
 * <p>State is bounded: the open session's scalars, its distinct pairs (at most 14 × 14), its first
 * {@code maxPathLength} states and event ids (all transitions are still counted and scored), and the held events
 * (until the watermark passes them). All of it, and the gap timer, are cleared when the session closes. The user's
 * model (a sparse array of decayed pair counts, typically a few hundred bytes) lives until the horizon passes.
 *
 * <p>An erasure marker (README "Privacy") deletes all of the user's state, the open session without closing it; run
 * it in an {@link io.journeycep.pipeline.stages.erasure.ErasingKeyedProcessOperator}, which deletes the key's timers.
 */
public class JourneySessions extends KeyedProcessFunction<String, JourneyEvent, SessionTransition> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<ClosedSession> CLOSED_SESSIONS =
            new OutputTag<>("closed-sessions", TypeInformation.of(ClosedSession.class));

    static final String HELD_STATE = "held-events";
    public static final String OPEN_STATE = "open-session";
    static final String EVENT_IDS_STATE = "session-event-ids";
    static final String USER_MODEL_STATE = "user-model";

    private final long gapMs;
    private final int minTransitions;
    private final int maxPathLength;
    private final SessionBoundary boundary;
    private final long halfLifeMs;
    private final long horizonMs;

    private transient ListState<HeldEvent> held;
    private transient ValueState<OpenSession> open;
    private transient ListState<String> eventIds;
    private transient ValueState<UserTransitionModel> userModel;

    /**
     * @param halfLifeMs half-life of the user's own counts (event time)
     * @param horizonMs the user's model is cleared when none of their sessions closed for this long (event time)
     */
    public JourneySessions(long gapMs, int minTransitions, int maxPathLength, long halfLifeMs, long horizonMs) {
        if (maxPathLength < 2) {
            throw new IllegalArgumentException("max path length must be at least 2, was " + maxPathLength);
        }
        if (halfLifeMs <= 0 || horizonMs <= 0) {
            throw new IllegalArgumentException("half-life and horizon must be > 0 ms, were " + halfLifeMs + " and "
                    + horizonMs);
        }
        this.halfLifeMs = halfLifeMs;
        this.horizonMs = horizonMs;
        this.boundary = new SessionBoundary(gapMs);
        this.gapMs = gapMs;
        this.minTransitions = minTransitions;
        this.maxPathLength = maxPathLength;
    }

    @Override
    public void open(OpenContext openContext) {
        held = getRuntimeContext().getListState(new ListStateDescriptor<>(HELD_STATE, HeldEvent.class));
        open = getRuntimeContext().getState(new ValueStateDescriptor<>(OPEN_STATE, OpenSession.class));
        eventIds = getRuntimeContext().getListState(new ListStateDescriptor<>(EVENT_IDS_STATE, Types.STRING));
        userModel = getRuntimeContext().getState(
                new ValueStateDescriptor<>(USER_MODEL_STATE, UserTransitionModel.class));
    }

    @Override
    public void processElement(JourneyEvent event, Context ctx, Collector<SessionTransition> out) throws Exception {
        if (event.isErasure()) {
            // README "Privacy": the open session, held events and the user's own counts go, and the session is not
            // closed (no transitions, no score); the timers: see ErasingKeyedProcessOperator
            held.clear();
            open.clear();
            eventIds.clear();
            userModel.clear();
            return;
        }
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
        // Behind the watermark: taken now (every held event is later), closing at watermark + 1 if it must
        OpenSession s = open.value();
        Model model = new Model(s);
        long registeredHorizon = model.horizon();
        s = take(s, h, model, watermark + 1, ctx, out);
        armGapTimer(s, Math.max(s.lastTime + gapMs + 1, watermark + 1), watermark, ctx);
        s.modelHorizon = model.horizon();
        open.update(s);
        model.store();
        if (model.horizon() != registeredHorizon) {
            List<HeldEvent> stillHeld = new ArrayList<>();
            Iterable<HeldEvent> all = held.get();
            if (all != null) {
                all.forEach(stillHeld::add);
            }
            moveHorizonTimer(ctx, Long.MIN_VALUE, stillHeld, s.gapTimer, registeredHorizon, model.horizon());
        }
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
        Model model = new Model(s);
        long registeredHorizon = model.horizon();
        if (!due.isEmpty()) {
            due.sort(Comparator.comparingLong((HeldEvent h) -> h.timestamp).thenComparingLong(h -> h.position));
            for (HeldEvent e : due) {
                s = take(s, e, model, timestamp, ctx, out);
            }
            if (later.isEmpty()) {
                held.clear();
            } else {
                held.update(later);
            }
        }
        if (s != null && timestamp > s.lastTime + gapMs) {
            close(s, model, timestamp, ctx, out);
            s = null;
        }
        if (model.horizon() != Long.MIN_VALUE && timestamp >= model.horizon()) { // no session closed for the horizon
            model.expire();
        }
        if (s == null) {
            open.clear();
        } else {
            armGapTimer(s, s.lastTime + gapMs + 1, timestamp, ctx);
            s.modelHorizon = model.horizon();
            open.update(s);
        }
        model.store();
        if (model.horizon() != registeredHorizon) {
            moveHorizonTimer(ctx, timestamp, later, s == null ? Long.MIN_VALUE : s.gapTimer, registeredHorizon,
                    model.horizon());
        }
    }

    /**
     * The user's model while a callback works on it: read from state only when a session closes or its horizon is not
     * known from the open session; written back by {@link #store} only when it changed.
     */
    private final class Model {
        private UserTransitionModel value;
        private boolean loaded;
        private boolean changed;
        private boolean expired;
        private long horizon;

        Model(OpenSession s) throws Exception {
            if (s != null && s.modelHorizon != null) {
                horizon = s.modelHorizon;
            } else {
                load();
            }
        }

        private void load() throws Exception {
            if (!loaded) {
                value = userModel.value();
                loaded = true;
                horizon = horizonTimer(value);
            }
        }

        UserTransitionModel get() throws Exception {
            load();
            return value;
        }

        long horizon() {
            return horizon;
        }

        void set(UserTransitionModel model) {
            value = model;
            loaded = true;
            changed = true;
            expired = false;
            horizon = horizonTimer(model);
        }

        /** Past its horizon: cleared (without reading it). */
        void expire() {
            value = null;
            loaded = true;
            changed = false;
            expired = true;
            horizon = Long.MIN_VALUE;
        }

        void store() throws Exception {
            if (expired) {
                userModel.clear();
            } else if (changed) {
                userModel.update(value);
            }
        }
    }

    /** Adds one event to the open session, first closing it (at {@code closeTime}) when the event starts a new one. */
    private OpenSession take(OpenSession s, HeldEvent e, Model model, long closeTime, Context ctx,
            Collector<SessionTransition> out) throws Exception {
        long gapTimer = Long.MIN_VALUE;
        if (s != null && boundary.startsNewSession(s.lastTime, s.sessionId, e.timestamp, e.sessionId)) {
            close(s, model, closeTime, ctx, out);
            gapTimer = s.gapTimer; // still registered: the new session's gap check if it is early enough
            s = null;
        }
        if (s == null) {
            s = new OpenSession();
            s.sessionKey = ctx.getCurrentKey() + '|' + e.eventId;
            s.sessionId = e.sessionId;
            s.firstTime = e.timestamp;
            s.lastTime = e.timestamp;
            s.gapTimer = gapTimer;
            s.lastState = JourneyStates.START;
            appendToPath(s, JourneyStates.START, null);
        }
        addTransition(s, e.state);
        appendToPath(s, e.state, e.eventId);
        // an event taken behind the watermark may be older than the session's last one: it joins at the end
        s.lastTime = Math.max(s.lastTime, e.timestamp);
        return s;
    }

    /**
     * Makes sure a timer at or before {@code wanted} (the time the session's gap check is due) will fire: the
     * session's registered gap timer stays while it is still ahead of {@code now} and not after {@code wanted};
     * otherwise one is registered at {@code wanted}. A gap timer that fires too early finds the session still open and
     * comes back here; one left behind by a session that closed early finds nothing to do.
     */
    private static void armGapTimer(OpenSession s, long wanted, long now, Context ctx) {
        if (s.gapTimer > now && s.gapTimer <= wanted) {
            return;
        }
        ctx.timerService().registerEventTimeTimer(wanted);
        s.gapTimer = wanted;
    }

    /** When the user's model is cleared: a horizon after its latest close ({@link Long#MIN_VALUE}: no model). */
    private long horizonTimer(UserTransitionModel model) {
        if (model == null) {
            return Long.MIN_VALUE;
        }
        long at = model.updatedAt + horizonMs;
        return at < model.updatedAt ? Long.MAX_VALUE : at; // saturate
    }

    /**
     * Moves the horizon timer from what was registered to what is wanted. Timers are one per (key, time): the old
     * time is deleted only when no held event, not the gap timer and not the firing timer itself has it.
     */
    private static void moveHorizonTimer(Context ctx, long timestamp, List<HeldEvent> later, long gapTimer,
            long registered, long wanted) {
        Set<Long> needed = new HashSet<>();
        needed.add(timestamp);
        needed.add(gapTimer);
        needed.add(wanted);
        for (HeldEvent h : later) {
            needed.add(h.timestamp);
        }
        if (registered != Long.MIN_VALUE && !needed.contains(registered)) {
            ctx.timerService().deleteEventTimeTimer(registered);
        }
        if (wanted != Long.MIN_VALUE) {
            ctx.timerService().registerEventTimeTimer(wanted);
        }
    }

    private static void addTransition(OpenSession s, String to) {
        s.addPair(JourneyStates.code(s.lastState) * 16 + JourneyStates.code(to));
        s.transitions++;
        s.lastState = to;
    }

    private void appendToPath(OpenSession s, String state, String eventId) throws Exception {
        if (s.pathLength < maxPathLength) {
            s.appendToPath(JourneyStates.code(state));
            if (eventId != null) {
                eventIds.add(eventId);
            }
            s.pathLength++;
        }
    }

    /**
     * Ends the session with its EXIT transition at {@code closeTime}, emits it, adds it to the user's model (created
     * when there is none), and clears the session's state (not the held events).
     */
    private void close(OpenSession s, Model ref, long closeTime, Context ctx, Collector<SessionTransition> out)
            throws Exception {
        UserTransitionModel model = ref.get();
        if (model != null && closeTime >= horizonTimer(model)) {
            model = null; // past its horizon (its timer has this very time): the session starts a new model
        }
        addTransition(s, JourneyStates.EXIT);
        appendToPath(s, JourneyStates.EXIT, null);
        boolean scored = s.transitions >= minTransitions;
        Map<String, Long> sorted = new TreeMap<>();
        for (int i = 0; i < s.pairCodes.length; i++) {
            sorted.put(JourneyStates.CODED.get(s.pairCodes[i] / 16) + '>' + JourneyStates.CODED.get(s.pairCodes[i] % 16),
                    s.pairCounts[i]);
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
            for (int i = 0; i < s.pathLength; i++) {
                c.path.add(JourneyStates.CODED.get(s.path[i]));
            }
            eventIds.get().forEach(c.eventIds::add);
            c.truncated = c.path.size() < s.transitions + 1;
            for (String pair : sorted.keySet()) { // the user's model before this session
                String from = pair.substring(0, pair.indexOf('>'));
                String to = pair.substring(pair.indexOf('>') + 1);
                c.userPairs.add(model == null ? new UserPairCount(from, to, 0, 0) : new UserPairCount(from, to,
                        model.count(from, to, closeTime, halfLifeMs), model.fromTotal(from, closeTime, halfLifeMs)));
            }
            ctx.output(CLOSED_SESSIONS, c);
        }
        if (model == null) {
            model = new UserTransitionModel();
        }
        for (Map.Entry<String, Long> entry : sorted.entrySet()) {
            String pair = entry.getKey();
            model.add(pair.substring(0, pair.indexOf('>')), pair.substring(pair.indexOf('>') + 1), entry.getValue(),
                    closeTime, halfLifeMs);
        }
        eventIds.clear();
        open.clear();
        ref.set(model);
    }
}
