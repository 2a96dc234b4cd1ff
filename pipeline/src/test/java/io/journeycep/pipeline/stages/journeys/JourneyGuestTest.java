package io.journeycep.pipeline.stages.journeys;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import io.journeycep.pipeline.stages.pass.PassHarness;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Harness tests of {@link JourneyGuest} in the user's pass: boundaries, arrival order, truncation, the user's own model
 * and its horizon, its due times (as the separate operator's timers were), and that state and timers drop to zero.
 */
class JourneyGuestTest {
    private static final long MIN = 60_000L;
    private static final long GAP = 30 * MIN;
    private static final long DAY = 24 * 60 * MIN;
    private static final long HALF_LIFE = 30 * DAY;
    private static final long HORIZON = 90 * DAY;

    private static PassHarness harness(boolean rocksDb, int maxPathLength) throws Exception {
        return PassHarness.journeys(new JourneyGuest.Settings(GAP, 4, maxPathLength, HALF_LIFE, HORIZON), rocksDb);
    }

    static JourneyEvent event(String user, String id, EventType type, long ts, long position, String sessionId) {
        JourneyEvent e = new JourneyEvent();
        e.eventId = id;
        e.type = type;
        e.userId = user;
        e.timestamp = ts;
        e.position = position;
        e.sessionId = sessionId;
        return e;
    }

    private static void feed(PassHarness h, JourneyEvent e) throws Exception {
        h.event(e);
    }

    /** Per session key: "from>to" → occurrences. */
    private static Map<String, Map<String, Long>> sessions(PassHarness h) {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        for (SessionTransition t : h.transitions()) {
            out.computeIfAbsent(t.sessionKey, k -> new TreeMap<>()).put(t.from + ">" + t.to, t.occurrences);
        }
        return out;
    }

    private static List<ClosedSession> closed(PassHarness h) {
        return h.closedSessions();
    }

    /** Users with session state: held events, an open session or its event ids. */
    private static long keysWithState(PassHarness h) throws Exception {
        return h.statesByUser().values().stream().filter(states -> states.containsKey("journeys/" + JourneyGuest.HELD)
                || states.containsKey("journeys/" + JourneyGuest.OPEN)
                || states.containsKey("journeys/" + JourneyGuest.EVENT_IDS)).count();
    }

    private static long keysWithUserModel(PassHarness h) throws Exception {
        return h.statesByUser().values().stream()
                .filter(states -> states.containsKey("journeys/" + JourneyGuest.USER_MODEL)).count();
    }

    /**
     * The guest's due times over all users: what the separate sessions operator had as timers. When there are none,
     * the pass has no timer and no value left either.
     */
    private static int dueTimes(PassHarness h) throws Exception {
        int n = 0;
        for (Map<String, Object> states : h.statesByUser().values()) {
            long[] due = (long[]) states.get("journeys/" + JourneyGuest.DUE);
            n += due == null ? 0 : due.length;
        }
        if (n == 0) {
            assertThat(h.eventTimeTimers()).as("the pass's timers").isZero();
            assertThat(h.usersWithState()).as("users with a value in the pass").isZero();
        } else {
            assertThat(h.eventTimeTimers()).as("the pass's timers").isPositive();
        }
        return n;
    }

    /** Per session key: its close time. */
    private static Map<String, Long> closeTimes(PassHarness h) {
        Map<String, Long> out = new TreeMap<>();
        for (SessionTransition t : h.transitions()) {
            out.put(t.sessionKey, t.closeTime);
        }
        return out;
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void exactlyThirtyMinutesIsTheSameSessionOneMillisecondMoreIsANewOne(boolean rocksDb) throws Exception {
        try (var h = harness(rocksDb, 50)) {
            feed(h, event("u1", "a1", EventType.VIEW, 0, 1, null));
            feed(h, event("u1", "a2", EventType.CART_ADD, GAP, 2, null)); // exactly the gap: same session
            feed(h, event("u1", "a3", EventType.VIEW, 2 * GAP + 1, 3, null)); // gap + 1 ms: new session
            h.watermark(2 * GAP + 1);
            Map<String, Map<String, Long>> s = sessions(h);
            assertThat(s).containsOnlyKeys("u1|a1");
            assertThat(s.get("u1|a1")).containsExactlyInAnyOrderEntriesOf(
                    Map.of("START>view", 1L, "view>cart_add", 1L, "cart_add>EXIT", 1L));
            assertThat(dueTimes(h)).as("the open session's gap timer, the closed one's horizon timer")
                    .isEqualTo(2);

            h.watermark(3 * GAP + 1); // quiet for the gap: still open
            assertThat(sessions(h)).hasSize(1);
            h.watermark(3 * GAP + 2); // quiet for more than the gap: closed by its timer
            assertThat(sessions(h)).containsOnlyKeys("u1|a1", "u1|a3");
            assertThat(sessions(h).get("u1|a3")).containsExactlyInAnyOrderEntriesOf(
                    Map.of("START>view", 1L, "view>EXIT", 1L));
            assertThat(keysWithState(h)).as("no session state left").isZero();
            assertThat(keysWithUserModel(h)).as("the user's model stays").isEqualTo(1);
            assertThat(dueTimes(h)).as("only the model's horizon timer").isEqualTo(1);
            h.watermark(3 * GAP + 2 + HORIZON); // a horizon after the last close
            assertThat(keysWithUserModel(h)).isZero();
            assertThat(dueTimes(h)).as("no timers left").isZero();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void sessionIdsCutSessionsEqualTimestampsKeepArrivalOrderAndLongPathsAreTruncatedButFullyCounted(
            boolean rocksDb) throws Exception {
        try (var h = harness(rocksDb, 4)) {
            // out of order within the allowed lateness, equal timestamps: arrival (position) decides
            feed(h, event("u2", "b3", EventType.PURCHASE, 1_000, 3, "s1"));
            feed(h, event("u2", "b1", EventType.VIEW, 1_000, 1, "s1"));
            feed(h, event("u2", "b2", EventType.CART_ADD, 1_000, 2, "s1"));
            feed(h, event("u2", "b4", EventType.VIEW, 2_000, 4, "s1"));
            feed(h, event("u2", "b5", EventType.VIEW, 3_000, 5, "s1"));
            feed(h, event("u2", "c1", EventType.LOGIN, 4_000, 6, "s2")); // another session id
            h.watermark(Long.MAX_VALUE); // end of input closes everything
            Map<String, Map<String, Long>> s = sessions(h);
            assertThat(s.get("u2|b1")).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "START>view", 1L, "view>cart_add", 1L, "cart_add>purchase", 1L, "purchase>view", 1L,
                    "view>view", 1L, "view>EXIT", 1L));
            assertThat(s.get("u2|c1")).containsExactlyInAnyOrderEntriesOf(
                    Map.of("START>login", 1L, "login>EXIT", 1L));
            List<ClosedSession> scored = closed(h);
            assertThat(scored).as("only the session with >= 4 transitions is scored").hasSize(1);
            ClosedSession c = scored.get(0);
            assertThat(c.sessionId).isEqualTo("s1");
            assertThat(c.transitions).isEqualTo(6);
            assertThat(c.distinctPairs).isEqualTo(6);
            assertThat(c.path).containsExactly("START", "view", "cart_add", "purchase");
            assertThat(c.eventIds).containsExactly("b1", "b2", "b3");
            assertThat(c.truncated).isTrue();
            assertThat(c.closeTime).as("closed when s2 began").isEqualTo(4_000);
            assertThat(c.userPairs).as("the user's first session: an empty model before it")
                    .extracting(UserPairCount::toString).containsExactly(
                            "START>view 0.0/0.0", "cart_add>purchase 0.0/0.0", "purchase>view 0.0/0.0",
                            "view>EXIT 0.0/0.0", "view>cart_add 0.0/0.0", "view>view 0.0/0.0");
            assertThat(keysWithState(h)).isZero();
            assertThat(keysWithUserModel(h)).as("the end of input passes every horizon").isZero();
            assertThat(dueTimes(h)).isZero();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void aQuietGapLongerThanTheGapClosesASessionEvenWithTheSameSessionId(boolean rocksDb) throws Exception {
        try (var h = harness(rocksDb, 50)) {
            long t1 = 26 * MIN + 2_000;
            long t2 = 85 * MIN + 58_000;
            feed(h, event("u3", "d1", EventType.VIEW, t1, 1037, "x"));
            h.watermark(t1 + 5_000);
            feed(h, event("u3", "d2", EventType.VIEW, t2, 1143, "x"));
            h.watermark(Long.MAX_VALUE);
            assertThat(sessions(h)).containsOnlyKeys("u3|d1", "u3|d2");
        }
    }

    /**
     * Events behind the watermark (an anonymous path the identity stitcher re-keys to its user on a link) are taken at
     * once into the open session; whatever they close is stamped after the watermark, never behind the counters'.
     */
    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void eventsBehindTheWatermarkJoinTheOpenSessionAndNothingClosesBehindTheWatermark(boolean rocksDb)
            throws Exception {
        try (var h = harness(rocksDb, 50)) {
            feed(h, event("u4", "k1", EventType.VIEW, 10 * MIN, 1, null));
            h.watermark(12 * MIN);
            // released by a link: older than the watermark, and one older than the session's last event
            feed(h, event("u4", "a1", EventType.VIEW, 11 * MIN, 2, null));
            feed(h, event("u4", "a2", EventType.CART_ADD, 9 * MIN, 3, null));
            assertThat(dueTimes(h)).as("just the gap timer").isEqualTo(1);
            feed(h, event("u4", "k2", EventType.PURCHASE, 13 * MIN, 4, null));
            h.watermark(13 * MIN + GAP + 1);
            Map<String, Map<String, Long>> s = sessions(h);
            assertThat(s).as("one path").containsOnlyKeys("u4|k1");
            assertThat(s.get("u4|k1")).containsExactlyInAnyOrderEntriesOf(Map.of("START>view", 1L, "view>view", 1L,
                    "view>cart_add", 1L, "cart_add>purchase", 1L, "purchase>EXIT", 1L));
            assertThat(closed(h)).singleElement().satisfies(c -> {
                assertThat(c.eventIds).containsExactly("k1", "a1", "a2", "k2");
                assertThat(c.lastTime).isEqualTo(13 * MIN);
            });
            assertThat(keysWithState(h)).isZero();
            assertThat(dueTimes(h)).as("only the user model's horizon timer").isEqualTo(1);

            // a late event after its session's gap: a session of its own, closed just after the watermark
            h.watermark(100 * MIN);
            feed(h, event("u4", "z1", EventType.VIEW, 20 * MIN, 5, null));
            feed(h, event("u4", "z2", EventType.VIEW, 90 * MIN, 6, null)); // more than the gap later: a new one
            List<Long> closeTimes = new ArrayList<>();
            for (SessionTransition t : h.transitions()) {
                if (t.sessionKey.equals("u4|z1")) {
                    closeTimes.add(t.closeTime);
                }
            }
            assertThat(closeTimes).isNotEmpty().allMatch(t -> t == 100 * MIN + 1);
            h.watermark(90 * MIN + GAP);
            assertThat(sessions(h)).as("z2's session keeps its own gap").containsOnlyKeys("u4|k1", "u4|z1");
            h.watermark(90 * MIN + GAP + 1);
            assertThat(sessions(h)).containsOnlyKeys("u4|k1", "u4|z1", "u4|z2");
            assertThat(keysWithState(h)).isZero();
            assertThat(dueTimes(h)).as("only the user model's horizon timer").isEqualTo(1);
            h.watermark(90 * MIN + GAP + 1 + HORIZON);
            assertThat(keysWithUserModel(h)).isZero();
            assertThat(dueTimes(h)).isZero();
        }
    }

    /**
     * The gap timer is not moved on every event: the first one fires while the session is still open and is re-armed,
     * and the session still closes exactly a gap and 1 ms after its last event.
     */
    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void anEarlyGapTimerIsReArmedAndTheSessionClosesAGapAfterItsLastEvent(boolean rocksDb) throws Exception {
        try (var h = harness(rocksDb, 50)) {
            feed(h, event("u7", "g1", EventType.VIEW, 0, 1, null));
            h.watermark(0);
            feed(h, event("u7", "g2", EventType.VIEW, 20 * MIN, 2, null));
            feed(h, event("u7", "g3", EventType.CART_ADD, 40 * MIN, 3, null));
            h.watermark(40 * MIN);
            assertThat(dueTimes(h)).as("one gap timer (re-armed at 30 min + 1 ms)").isEqualTo(1);
            h.watermark(40 * MIN + GAP);
            assertThat(sessions(h)).as("quiet for exactly the gap: still open").isEmpty();
            assertThat(dueTimes(h)).as("re-armed when it fired").isEqualTo(1);
            h.watermark(40 * MIN + GAP + 1);
            assertThat(closeTimes(h)).containsExactly(Map.entry("u7|g1", 40 * MIN + GAP + 1));
            assertThat(sessions(h).get("u7|g1")).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "START>view", 1L, "view>view", 1L, "view>cart_add", 1L, "cart_add>EXIT", 1L));
            assertThat(keysWithState(h)).isZero();
            assertThat(dueTimes(h)).as("only the model's horizon timer").isEqualTo(1);
        }
    }

    @org.junit.jupiter.api.Test
    void theOpenSessionAndHeldEventsAreStoredAsPojosWithoutKryo() throws Exception {
        OpenSession s = new OpenSession();
        s.sessionKey = "u1|a1";
        s.lastState = "view";
        s.gapTimer = 42;
        s.addPair(1 * 16 + 2);
        s.addPair(1 * 16 + 2);
        s.appendToPath(0);
        s.pathLength = 1;
        s.modelHorizon = Long.MIN_VALUE;
        assertThat(io.journeycep.patterns.PojoRoundTrip.roundTrip(OpenSession.class, s))
                .usingRecursiveComparison().isEqualTo(s);
        HeldEvent h = new HeldEvent();
        h.eventId = "a1";
        h.state = "view";
        h.timestamp = 7;
        assertThat(io.journeycep.patterns.PojoRoundTrip.roundTrip(HeldEvent.class, h))
                .usingRecursiveComparison().isEqualTo(h);
    }

    /** Feeds a session of view, view, cart_add, purchase at {@code t} (one minute apart). */
    private static long shop(PassHarness h, String user, String prefix, long t, long position) throws Exception {
        EventType[] types = {EventType.VIEW, EventType.VIEW, EventType.CART_ADD, EventType.PURCHASE};
        for (int i = 0; i < types.length; i++) {
            feed(h, event(user, prefix + i, types[i], t + i * MIN, position + i, null));
        }
        return t + 3 * MIN + GAP + 1; // when its gap timer closes it
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void theUserModelAndItsHorizonTimerAreClearedWhenNoSessionClosedForTheHorizon(boolean rocksDb) throws Exception {
        try (var h = harness(rocksDb, 50)) {
            long close = shop(h, "u4", "a", 0, 1);
            h.watermark(close);
            assertThat(closeTimes(h)).containsEntry("u4|a0", close);
            assertThat(keysWithState(h)).isZero();
            assertThat(keysWithUserModel(h)).isEqualTo(1);
            assertThat(dueTimes(h)).as("the horizon timer").isEqualTo(1);

            h.watermark(close + HORIZON - 1);
            assertThat(keysWithUserModel(h)).as("one ms before the horizon").isEqualTo(1);
            assertThat(dueTimes(h)).isEqualTo(1);
            h.watermark(close + HORIZON);
            assertThat(keysWithUserModel(h)).as("cleared at the horizon").isZero();
            assertThat(keysWithState(h)).isZero();
            assertThat(dueTimes(h)).as("no timers left").isZero();

            // a later session starts from an empty model
            long again = shop(h, "u4", "b", close + HORIZON + DAY, 10);
            h.watermark(again);
            assertThat(closed(h)).hasSize(2);
            assertThat(closed(h).get(1).userPairs).allSatisfy(u -> assertThat(u.count + u.fromTotal).isZero());
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void aLaterSessionRefreshesTheHorizonAndSeesTheDecayedCountsOfTheEarlierOnes(boolean rocksDb) throws Exception {
        try (var h = harness(rocksDb, 50)) {
            long first = shop(h, "u5", "a", 0, 1);
            h.watermark(first);
            long second = shop(h, "u5", "b", first + 60 * DAY, 10); // two half-lives later, within the horizon
            h.watermark(second);
            assertThat(dueTimes(h)).as("one horizon timer, moved").isEqualTo(1);

            ClosedSession c = closed(h).get(1);
            double w = Math.pow(0.5, (double) (second - first) / HALF_LIFE); // about 1/4
            Map<String, UserPairCount> user = new TreeMap<>();
            c.userPairs.forEach(u -> user.put(u.from + ">" + u.to, u));
            assertThat(user.keySet()).containsExactly(
                    "START>view", "cart_add>purchase", "purchase>EXIT", "view>cart_add", "view>view");
            assertThat(user.get("START>view").count).isCloseTo(w, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(user.get("view>view").fromTotal).as("view>view and view>cart_add")
                    .isCloseTo(2 * w, org.assertj.core.data.Offset.offset(1e-12));

            h.watermark(first + HORIZON);
            assertThat(keysWithUserModel(h)).as("the first close's horizon has passed, the second's not")
                    .isEqualTo(1);
            assertThat(dueTimes(h)).isEqualTo(1);
            h.watermark(second + HORIZON);
            assertThat(keysWithUserModel(h)).isZero();
            assertThat(dueTimes(h)).isZero();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void timersSharedBetweenPurposesAreKept(boolean rocksDb) throws Exception {
        try (var h = harness(rocksDb, 50)) {
            long first = shop(h, "u6", "a", 0, 1);
            long horizon1 = first + HORIZON;
            // an event held for exactly the first horizon time, and a second session that moves the horizon on
            feed(h, event("u6", "late", EventType.LOGIN, horizon1, 100, null));
            long second = shop(h, "u6", "b", 10 * DAY, 10);
            long lateClose = horizon1 + GAP + 1;
            // a session whose gap timer falls on the horizon of the login's session
            long third = shop(h, "u6", "c", lateClose + HORIZON - 3 * MIN - GAP - 1, 200);
            assertThat(third).isEqualTo(lateClose + HORIZON);
            h.watermark(horizon1 - 1);
            assertThat(closeTimes(h)).containsOnlyKeys("u6|a0", "u6|b0");
            h.watermark(Long.MAX_VALUE);
            assertThat(closeTimes(h)).as("the held event's timer survived the horizon's move")
                    .containsEntry("u6|late", lateClose)
                    .containsEntry("u6|c0", third);
            ClosedSession c = closed(h).stream().filter(s -> s.sessionKey.equals("u6|c0")).findFirst().orElseThrow();
            // closed exactly at the horizon: the model had expired, so an empty one before it
            assertThat(c.userPairs).allSatisfy(u -> assertThat(u.fromTotal).isZero());
            assertThat(keysWithState(h)).isZero();
            assertThat(keysWithUserModel(h)).isZero();
            assertThat(dueTimes(h)).isZero();
        }
    }
}
