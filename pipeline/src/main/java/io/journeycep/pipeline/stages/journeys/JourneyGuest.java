package io.journeycep.pipeline.stages.journeys;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.journey.JourneyStates;
import io.journeycep.patterns.journey.SessionBoundary;
import io.journeycep.patterns.journey.UserTransitionModel;
import io.journeycep.patterns.pass.UserGuest;
import io.journeycep.pipeline.control.ControlMessage;
import io.journeycep.pipeline.stages.identity.IdentityStitcher;
import io.journeycep.sinks.Alert;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.util.OutputTag;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The journey sessions (DESIGN §3) as a guest of the user's pass: cuts the user's journey steps into sessions
 * ({@link SessionBoundary}) and, when a session closes, emits its distinct transitions {@code START → type … → EXIT}
 * with their multiplicities ({@link #TRANSITIONS}, to the {@link TransitionCounter}s) and, for a session of at least
 * {@code minTransitions} transitions, a {@link ClosedSession} ({@link #CLOSED_SESSIONS}, to the {@link PathScorer}).
 * It takes the events routed to the journeys ({@link JourneyEvent#forJourneys()}: the identity stitcher holds an
 * anonymous path until a link re-keys it), never {@code identify} or {@code alias} calls.
 *
 * <p>Order: an event is held until the watermark passes its timestamp, then the due events are taken by timestamp and,
 * at equal timestamps, by source position (arrival order). Events that arrive behind the watermark (an anonymous path
 * the stitcher re-keys to its user on a link) are taken at once, in arrival order; one older than the open session's
 * last event joins that session at its end, and a session they close is stamped just after the watermark, never behind
 * the counters' watermark.
 *
 * <p>A session closes when an event starts a new one (another session id, or without ids more than the gap after the
 * previous event), or when its user is quiet: at {@code last event + gap + 1 ms} (exactly the gap later is still the
 * same session). With session ids that also closes the session: a later event with the same id starts a new path.
 * Records emitted on a close carry the close time ({@code closeTime}), never behind the watermark.
 *
 * <p><b>The user's own model.</b> Every closed session's transitions are added, at its close time, to the user's
 * {@link UserTransitionModel} (decayed counts, half-life {@code halfLifeMs}). A scored session's {@link ClosedSession}
 * carries the user's model of its distinct pairs as it was before the session was added. The model is cleared at
 * {@code last close + horizonMs}: a user none of whose sessions closed for the horizon has no model left.
 *
 * <p><b>Due times.</b> The host gives the user one timer, at the earliest time any guest needs, and hands over the
 * watermark when it fires. This guest keeps its own due times ({@link #DUE}: the held events' times, the gap check, the
 * model's horizon) and works through every one up to the watermark in time order, each exactly as the separate
 * operator this guest replaces handled its timer of that time (one event-time timer per time and purpose, deduplicated
 * per time as Flink does): the close times, and so every output, are the same. The gap check is not moved on every
 * event: when it comes while the session is still open it is re-armed at {@code last event + gap + 1}.
 *
 * <p>State, the guest's slice of the user's value: the held events (until the watermark passes them), the open
 * session's scalars, its distinct pairs (at most 14 × 14), its first {@code maxPathLength} states and event ids (all
 * transitions are still counted and scored), the due times, and the user's model (a sparse array of decayed pair
 * counts, typically a few hundred bytes) until the horizon passes. Everything else is cleared when the session closes;
 * a user with no session and no model has no slice. An erasure marker deletes the whole value (the host).
 */
public final class JourneyGuest implements UserGuest<Alert, ControlMessage> {
    /** Distinct transitions of each closed session, with their multiplicities (a side output of the pass). */
    public static final OutputTag<SessionTransition> TRANSITIONS =
            new OutputTag<>("session-transitions", TypeInformation.of(SessionTransition.class));
    /** Closed sessions long enough to score (a side output of the pass). */
    public static final OutputTag<ClosedSession> CLOSED_SESSIONS =
            new OutputTag<>("closed-sessions", TypeInformation.of(ClosedSession.class));
    /** Accumulator: users with an open session when the input ended (a replay's summary). */
    public static final String ACC_OPEN_SESSIONS = "openSessions";

    static final String HELD = "held-events";
    static final String OPEN = "open-session";
    static final String EVENT_IDS = "session-event-ids";
    static final String USER_MODEL = "user-model";
    static final String DUE = "due-times";

    /** What the guest does, the journeys' settings. */
    public static final class Settings implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        final long gapMs;
        final int minTransitions;
        final int maxPathLength;
        final long halfLifeMs;
        final long horizonMs;

        /**
         * @param halfLifeMs half-life of the user's own counts (event time)
         * @param horizonMs the user's model is cleared when none of their sessions closed for this long (event time)
         */
        public Settings(long gapMs, int minTransitions, int maxPathLength, long halfLifeMs, long horizonMs) {
            if (gapMs <= 0) {
                throw new IllegalArgumentException("session gap must be > 0 ms, was " + gapMs);
            }
            if (maxPathLength < 2) {
                throw new IllegalArgumentException("max path length must be at least 2, was " + maxPathLength);
            }
            if (halfLifeMs <= 0 || horizonMs <= 0) {
                throw new IllegalArgumentException("half-life and horizon must be > 0 ms, were " + halfLifeMs
                        + " and " + horizonMs);
            }
            this.gapMs = gapMs;
            this.minTransitions = minTransitions;
            this.maxPathLength = maxPathLength;
            this.halfLifeMs = halfLifeMs;
            this.horizonMs = horizonMs;
        }
    }

    private final Settings settings;
    private final SessionBoundary boundary;
    private final Setup host;
    private final ValueState<List<HeldEvent>> held;
    private final ValueState<OpenSession> open;
    private final ValueState<List<String>> eventIds;
    private final ValueState<UserTransitionModel> userModel;
    private final ValueState<long[]> due;

    public static UserGuest.Factory<Alert, ControlMessage> factory(Settings settings) {
        return new Factory<>() {
            private static final long serialVersionUID = 1L;

            @Override
            public String sliceName() {
                return "journeys";
            }

            @Override
            public UserGuest<Alert, ControlMessage> create(KeyedStateStore slice, Setup setup) {
                return new JourneyGuest(settings, slice, setup);
            }
        };
    }

    private JourneyGuest(Settings settings, KeyedStateStore slice, Setup setup) {
        this.settings = settings;
        this.boundary = new SessionBoundary(settings.gapMs);
        this.host = setup;
        var serializers = setup.serializers();
        held = slice.getState(new ValueStateDescriptor<>(HELD,
                Types.LIST(TypeInformation.of(HeldEvent.class)).createSerializer(serializers)));
        open = slice.getState(new ValueStateDescriptor<>(OPEN,
                TypeInformation.of(OpenSession.class).createSerializer(serializers)));
        eventIds = slice.getState(new ValueStateDescriptor<>(EVENT_IDS,
                Types.LIST(Types.STRING).createSerializer(serializers)));
        userModel = slice.getState(new ValueStateDescriptor<>(USER_MODEL,
                TypeInformation.of(UserTransitionModel.class).createSerializer(serializers)));
        due = slice.getState(new ValueStateDescriptor<>(DUE,
                PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO.createSerializer(serializers)));
    }

    @Override
    public void open(RuntimeContext context) {}

    @Override
    public boolean takes(JourneyEvent event) {
        return event.forJourneys() && !IdentityStitcher.isNoJourneyStepCall(event);
    }

    @Override
    public void onEvent(JourneyEvent event, long watermark, Emitter<Alert> out) throws Exception {
        HeldEvent h = new HeldEvent();
        h.eventId = event.eventId;
        h.state = JourneyStates.of(event.type);
        h.sessionId = event.sessionId;
        h.timestamp = event.timestamp;
        h.position = event.position;
        DueTimes times = new DueTimes();
        if (event.timestamp > watermark) {
            List<HeldEvent> all = held.value();
            all = all == null ? new ArrayList<>() : all;
            all.add(h);
            held.update(all);
            times.add(event.timestamp);
            times.store();
            return;
        }
        // Behind the watermark: taken now (every held event is later), closing at watermark + 1 if it must
        Emitting emit = new Emitting(out, event.timestamp);
        OpenSession s = open.value();
        Model model = new Model(s);
        long registeredHorizon = model.horizon();
        s = take(s, h, model, watermark + 1, emit);
        armGapTimer(s, Math.max(s.lastTime + settings.gapMs + 1, watermark + 1), watermark, times);
        s.modelHorizon = model.horizon();
        open.update(s);
        model.store();
        if (model.horizon() != registeredHorizon) {
            List<HeldEvent> stillHeld = held.value();
            moveHorizonTimer(times, Long.MIN_VALUE, stillHeld == null ? List.of() : stillHeld, s.gapTimer,
                    registeredHorizon, model.horizon());
        }
        times.store();
    }

    @Override
    public void onWatermark(long watermark, Emitter<Alert> out) throws Exception {
        DueTimes times = new DueTimes();
        while (!times.isEmpty() && times.first() <= watermark) {
            long next = times.first();
            times.remove(next);
            onDue(next, times, new Emitting(out, next));
        }
        times.store();
    }

    @Override
    public long nextDue() throws Exception {
        long[] times = due.value();
        return times == null || times.length == 0 ? Long.MAX_VALUE : times[0];
    }

    @Override
    public String pendingAccumulator() {
        return ACC_OPEN_SESSIONS;
    }

    @Override
    public boolean hasPending() throws Exception {
        return open.value() != null;
    }

    /** One due time, handled as the separate operator's timer of that time was. */
    private void onDue(long timestamp, DueTimes times, Emitting out) throws Exception {
        List<HeldEvent> dueEvents = new ArrayList<>();
        List<HeldEvent> later = new ArrayList<>();
        List<HeldEvent> all = held.value();
        if (all != null) {
            for (HeldEvent h : all) {
                (h.timestamp <= timestamp ? dueEvents : later).add(h);
            }
        }
        OpenSession s = open.value();
        Model model = new Model(s);
        long registeredHorizon = model.horizon();
        if (!dueEvents.isEmpty()) {
            dueEvents.sort(Comparator.comparingLong((HeldEvent h) -> h.timestamp).thenComparingLong(h -> h.position));
            for (HeldEvent e : dueEvents) {
                s = take(s, e, model, timestamp, out);
            }
            held.update(later.isEmpty() ? null : later);
        }
        if (s != null && timestamp > s.lastTime + settings.gapMs) {
            close(s, model, timestamp, out);
            s = null;
        }
        if (model.horizon() != Long.MIN_VALUE && timestamp >= model.horizon()) { // no session closed for the horizon
            model.expire();
        }
        if (s == null) {
            open.update(null);
        } else {
            armGapTimer(s, s.lastTime + settings.gapMs + 1, timestamp, times);
            s.modelHorizon = model.horizon();
            open.update(s);
        }
        model.store();
        if (model.horizon() != registeredHorizon) {
            moveHorizonTimer(times, timestamp, later, s == null ? Long.MIN_VALUE : s.gapTimer, registeredHorizon,
                    model.horizon());
        }
    }

    /**
     * The guest's due times while a call works on them, sorted and distinct as Flink keeps one timer per (key, time):
     * what the operator this guest replaces registered and deleted as timers.
     */
    private final class DueTimes {
        private long[] times;
        private boolean changed;

        DueTimes() throws Exception {
            long[] stored = due.value();
            times = stored == null ? new long[0] : stored;
        }

        boolean isEmpty() {
            return times.length == 0;
        }

        long first() {
            return times[0];
        }

        void add(long time) {
            int at = Arrays.binarySearch(times, time);
            if (at < 0) {
                int insert = -at - 1;
                long[] grown = new long[times.length + 1];
                System.arraycopy(times, 0, grown, 0, insert);
                grown[insert] = time;
                System.arraycopy(times, insert, grown, insert + 1, times.length - insert);
                times = grown;
                changed = true;
            }
        }

        void remove(long time) {
            int at = Arrays.binarySearch(times, time);
            if (at >= 0) {
                long[] shrunk = new long[times.length - 1];
                System.arraycopy(times, 0, shrunk, 0, at);
                System.arraycopy(times, at + 1, shrunk, at, times.length - at - 1);
                times = shrunk;
                changed = true;
            }
        }

        void store() throws Exception {
            if (changed) {
                due.update(times.length == 0 ? null : times);
            }
        }
    }

    /** The records of one call, with the event time the separate operator gave them (its element's or timer's). */
    private static final class Emitting {
        private final Emitter<Alert> out;
        private final long timestamp;

        Emitting(Emitter<Alert> out, long timestamp) {
            this.out = out;
            this.timestamp = timestamp;
        }

        void transition(SessionTransition t) {
            out.emit(TRANSITIONS, t, timestamp);
        }

        void closed(ClosedSession c) {
            out.emit(CLOSED_SESSIONS, c, timestamp);
        }
    }

    /**
     * The user's model while a call works on it: read only when a session closes or its horizon is not known from the
     * open session; written back by {@link #store} only when it changed.
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

        /** Past its horizon: cleared. */
        void expire() {
            value = null;
            loaded = true;
            changed = false;
            expired = true;
            horizon = Long.MIN_VALUE;
        }

        void store() throws Exception {
            if (expired) {
                userModel.update(null);
            } else if (changed) {
                userModel.update(value);
            }
        }
    }

    /** Adds one event to the open session, first closing it (at {@code closeTime}) when the event starts a new one. */
    private OpenSession take(OpenSession s, HeldEvent e, Model model, long closeTime, Emitting out) throws Exception {
        long gapTimer = Long.MIN_VALUE;
        if (s != null && boundary.startsNewSession(s.lastTime, s.sessionId, e.timestamp, e.sessionId)) {
            close(s, model, closeTime, out);
            gapTimer = s.gapTimer; // still due: the new session's gap check if it is early enough
            s = null;
        }
        if (s == null) {
            s = new OpenSession();
            s.sessionKey = host.currentUser() + '|' + e.eventId;
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
     * Makes sure a gap check at or before {@code wanted} will come: the session's gap check stays while it is still
     * ahead of {@code now} and not after {@code wanted}; otherwise one is added at {@code wanted}. A check that comes
     * too early finds the session still open and comes back here; one left behind by a session that closed early finds
     * nothing to do.
     */
    private static void armGapTimer(OpenSession s, long wanted, long now, DueTimes times) {
        if (s.gapTimer > now && s.gapTimer <= wanted) {
            return;
        }
        times.add(wanted);
        s.gapTimer = wanted;
    }

    /** When the user's model is cleared: a horizon after its latest close ({@link Long#MIN_VALUE}: no model). */
    private long horizonTimer(UserTransitionModel model) {
        if (model == null) {
            return Long.MIN_VALUE;
        }
        long at = model.updatedAt + settings.horizonMs;
        return at < model.updatedAt ? Long.MAX_VALUE : at; // saturate
    }

    /**
     * Moves the horizon's due time from what was registered to what is wanted. Due times are one per time: the old
     * time is removed only when no held event, not the gap check and not the time being handled has it.
     */
    private static void moveHorizonTimer(DueTimes times, long timestamp, List<HeldEvent> later, long gapTimer,
            long registered, long wanted) {
        Set<Long> needed = new HashSet<>();
        needed.add(timestamp);
        needed.add(gapTimer);
        needed.add(wanted);
        for (HeldEvent h : later) {
            needed.add(h.timestamp);
        }
        if (registered != Long.MIN_VALUE && !needed.contains(registered)) {
            times.remove(registered);
        }
        if (wanted != Long.MIN_VALUE) {
            times.add(wanted);
        }
    }

    private static void addTransition(OpenSession s, String to) {
        s.addPair(JourneyStates.code(s.lastState) * 16 + JourneyStates.code(to));
        s.transitions++;
        s.lastState = to;
    }

    private void appendToPath(OpenSession s, String state, String eventId) throws Exception {
        if (s.pathLength < settings.maxPathLength) {
            s.appendToPath(JourneyStates.code(state));
            if (eventId != null) {
                List<String> ids = eventIds.value();
                ids = ids == null ? new ArrayList<>() : ids;
                ids.add(eventId);
                eventIds.update(ids);
            }
            s.pathLength++;
        }
    }

    /**
     * Ends the session with its EXIT transition at {@code closeTime}, emits it, adds it to the user's model (created
     * when there is none), and clears the session's state (not the held events).
     */
    private void close(OpenSession s, Model ref, long closeTime, Emitting out) throws Exception {
        UserTransitionModel model = ref.get();
        if (model != null && closeTime >= horizonTimer(model)) {
            model = null; // past its horizon (due at this very time): the session starts a new model
        }
        addTransition(s, JourneyStates.EXIT);
        appendToPath(s, JourneyStates.EXIT, null);
        boolean scored = s.transitions >= settings.minTransitions;
        Map<String, Long> sorted = new TreeMap<>();
        for (int i = 0; i < s.pairCodes.length; i++) {
            sorted.put(JourneyStates.CODED.get(s.pairCodes[i] / 16) + '>' + JourneyStates.CODED.get(s.pairCodes[i] % 16),
                    s.pairCounts[i]);
        }
        String user = host.currentUser();
        for (Map.Entry<String, Long> entry : sorted.entrySet()) {
            String pair = entry.getKey();
            SessionTransition t = new SessionTransition();
            t.sessionKey = s.sessionKey;
            t.userKey = user;
            t.closeTime = closeTime;
            t.from = pair.substring(0, pair.indexOf('>'));
            t.to = pair.substring(pair.indexOf('>') + 1);
            t.occurrences = entry.getValue();
            t.scored = scored;
            out.transition(t);
        }
        if (scored) {
            ClosedSession c = new ClosedSession();
            c.sessionKey = s.sessionKey;
            c.userKey = user;
            c.sessionId = s.sessionId;
            c.firstTime = s.firstTime;
            c.lastTime = s.lastTime;
            c.closeTime = closeTime;
            c.transitions = s.transitions;
            c.distinctPairs = sorted.size();
            for (int i = 0; i < s.pathLength; i++) {
                c.path.add(JourneyStates.CODED.get(s.path[i]));
            }
            List<String> ids = eventIds.value();
            if (ids != null) {
                c.eventIds.addAll(ids);
            }
            c.truncated = c.path.size() < s.transitions + 1;
            for (String pair : sorted.keySet()) { // the user's model before this session
                String from = pair.substring(0, pair.indexOf('>'));
                String to = pair.substring(pair.indexOf('>') + 1);
                c.userPairs.add(model == null ? new UserPairCount(from, to, 0, 0) : new UserPairCount(from, to,
                        model.count(from, to, closeTime, settings.halfLifeMs),
                        model.fromTotal(from, closeTime, settings.halfLifeMs)));
            }
            out.closed(c);
        }
        if (model == null) {
            model = new UserTransitionModel();
        }
        for (Map.Entry<String, Long> entry : sorted.entrySet()) {
            String pair = entry.getKey();
            model.add(pair.substring(0, pair.indexOf('>')), pair.substring(pair.indexOf('>') + 1), entry.getValue(),
                    closeTime, settings.halfLifeMs);
        }
        eventIds.update(null);
        open.update(null);
        ref.set(model);
    }
}
