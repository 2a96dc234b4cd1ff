package io.journeycep.pipeline.stages.journeys;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Harness tests of {@link JourneySessions}: boundaries, arrival order, truncation, and that state and timers drop to zero. */
class JourneySessionsTest {
    private static final long MIN = 60_000L;
    private static final long GAP = 30 * MIN;

    private static KeyedOneInputStreamOperatorTestHarness<String, JourneyEvent, SessionTransition> harness(
            boolean rocksDb, int maxPathLength) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new JourneySessions(GAP, 4, maxPathLength)),
                JourneyEvent::userKey,
                Types.STRING);
        if (rocksDb) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        h.open();
        return h;
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

    private static void feed(KeyedOneInputStreamOperatorTestHarness<String, JourneyEvent, SessionTransition> h,
            JourneyEvent e) throws Exception {
        h.processElement(new StreamRecord<>(e, e.timestamp));
    }

    /** Per session key: "from>to" → occurrences. */
    private static Map<String, Map<String, Long>> sessions(
            KeyedOneInputStreamOperatorTestHarness<String, JourneyEvent, SessionTransition> h) {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r && r.getValue() instanceof SessionTransition t) {
                out.computeIfAbsent(t.sessionKey, k -> new TreeMap<>()).put(t.from + ">" + t.to, t.occurrences);
            }
        }
        return out;
    }

    private static List<ClosedSession> closed(
            KeyedOneInputStreamOperatorTestHarness<String, JourneyEvent, SessionTransition> h) {
        List<ClosedSession> out = new ArrayList<>();
        var side = h.getSideOutput(JourneySessions.CLOSED_SESSIONS);
        if (side != null) {
            side.forEach(r -> out.add(r.getValue()));
        }
        return out;
    }

    private static long keysWithState(
            KeyedOneInputStreamOperatorTestHarness<String, JourneyEvent, SessionTransition> h) {
        long n = 0;
        for (String state : List.of(JourneySessions.HELD_STATE, JourneySessions.OPEN_STATE,
                JourneySessions.PATH_STATE, JourneySessions.EVENT_IDS_STATE, JourneySessions.PAIRS_STATE)) {
            try (Stream<String> keys =
                    h.getOperator().<String>getKeyedStateBackend().getKeys(state, VoidNamespace.INSTANCE)) {
                n += keys.count();
            }
        }
        return n;
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void exactlyThirtyMinutesIsTheSameSessionOneMillisecondMoreIsANewOne(boolean rocksDb) throws Exception {
        try (var h = harness(rocksDb, 50)) {
            feed(h, event("u1", "a1", EventType.VIEW, 0, 1, null));
            feed(h, event("u1", "a2", EventType.CART_ADD, GAP, 2, null)); // exactly the gap: same session
            feed(h, event("u1", "a3", EventType.VIEW, 2 * GAP + 1, 3, null)); // gap + 1 ms: new session
            h.processWatermark(new Watermark(2 * GAP + 1));
            Map<String, Map<String, Long>> s = sessions(h);
            assertThat(s).containsOnlyKeys("u1|a1");
            assertThat(s.get("u1|a1")).containsExactlyInAnyOrderEntriesOf(
                    Map.of("START>view", 1L, "view>cart_add", 1L, "cart_add>EXIT", 1L));
            assertThat(h.numEventTimeTimers()).as("the open session's gap timer").isEqualTo(1);

            h.processWatermark(new Watermark(3 * GAP + 1)); // quiet for the gap: still open
            assertThat(sessions(h)).hasSize(1);
            h.processWatermark(new Watermark(3 * GAP + 2)); // quiet for more than the gap: closed by its timer
            assertThat(sessions(h)).containsOnlyKeys("u1|a1", "u1|a3");
            assertThat(sessions(h).get("u1|a3")).containsExactlyInAnyOrderEntriesOf(
                    Map.of("START>view", 1L, "view>EXIT", 1L));
            assertThat(keysWithState(h)).as("no state left").isZero();
            assertThat(h.numEventTimeTimers()).as("no timers left").isZero();
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
            h.processWatermark(new Watermark(Long.MAX_VALUE)); // end of input closes everything
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
            assertThat(keysWithState(h)).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void aQuietGapLongerThanTheGapClosesASessionEvenWithTheSameSessionId(boolean rocksDb) throws Exception {
        try (var h = harness(rocksDb, 50)) {
            long t1 = 26 * MIN + 2_000;
            long t2 = 85 * MIN + 58_000;
            feed(h, event("u3", "d1", EventType.VIEW, t1, 1037, "x"));
            h.processWatermark(new Watermark(t1 + 5_000));
            feed(h, event("u3", "d2", EventType.VIEW, t2, 1143, "x"));
            h.processWatermark(new Watermark(Long.MAX_VALUE));
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
            h.processWatermark(new Watermark(12 * MIN));
            // released by a link: older than the watermark, and one older than the session's last event
            feed(h, event("u4", "a1", EventType.VIEW, 11 * MIN, 2, null));
            feed(h, event("u4", "a2", EventType.CART_ADD, 9 * MIN, 3, null));
            assertThat(h.numEventTimeTimers()).as("just the gap timer").isEqualTo(1);
            feed(h, event("u4", "k2", EventType.PURCHASE, 13 * MIN, 4, null));
            h.processWatermark(new Watermark(13 * MIN + GAP + 1));
            Map<String, Map<String, Long>> s = sessions(h);
            assertThat(s).as("one path").containsOnlyKeys("u4|k1");
            assertThat(s.get("u4|k1")).containsExactlyInAnyOrderEntriesOf(Map.of("START>view", 1L, "view>view", 1L,
                    "view>cart_add", 1L, "cart_add>purchase", 1L, "purchase>EXIT", 1L));
            assertThat(closed(h)).singleElement().satisfies(c -> {
                assertThat(c.eventIds).containsExactly("k1", "a1", "a2", "k2");
                assertThat(c.lastTime).isEqualTo(13 * MIN);
            });
            assertThat(keysWithState(h)).isZero();
            assertThat(h.numEventTimeTimers()).isZero();

            // a late event after its session's gap: a session of its own, closed just after the watermark
            h.processWatermark(new Watermark(100 * MIN));
            feed(h, event("u4", "z1", EventType.VIEW, 20 * MIN, 5, null));
            feed(h, event("u4", "z2", EventType.VIEW, 90 * MIN, 6, null)); // more than the gap later: a new one
            List<Long> closeTimes = new ArrayList<>();
            for (Object o : h.getOutput()) {
                if (o instanceof StreamRecord<?> r && r.getValue() instanceof SessionTransition t
                        && t.sessionKey.equals("u4|z1")) {
                    closeTimes.add(t.closeTime);
                }
            }
            assertThat(closeTimes).isNotEmpty().allMatch(t -> t == 100 * MIN + 1);
            h.processWatermark(new Watermark(90 * MIN + GAP));
            assertThat(sessions(h)).as("z2's session keeps its own gap").containsOnlyKeys("u4|k1", "u4|z1");
            h.processWatermark(new Watermark(90 * MIN + GAP + 1));
            assertThat(sessions(h)).containsOnlyKeys("u4|k1", "u4|z1", "u4|z2");
            assertThat(keysWithState(h)).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }
}
