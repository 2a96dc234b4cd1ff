package io.journeycep.pipeline.stages.erasure;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.Erasure;
import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.segments.SegmentBook;
import io.journeycep.patterns.spec.BuiltInPatterns;
import io.journeycep.patterns.spec.PatternSpec;
import io.journeycep.pipeline.stages.dedupe.DedupeAndLateFilter;
import io.journeycep.pipeline.stages.identity.IdentityStitcher;
import io.journeycep.pipeline.stages.journeys.JourneyGuest;
import io.journeycep.pipeline.stages.journeys.SessionTransition;
import io.journeycep.pipeline.stages.pass.PassHarness;
import io.journeycep.sinks.Alert;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Harness tests of erasure markers (README "Privacy") per keyed operator (segments: {@code SegmentErasureTest}): two users do the same things, one is erased;
 * afterwards that user's state and timers are gone (the counts halve: exactly the other user's are left), nothing about
 * the erased user is emitted (also when every timer fires), and the other user's output is as it would have been.
 */
class ErasureHarnessTest {
    private static final long MIN = 60_000L;
    private static final long T0 = 1_760_000_000_000L;

    private static JourneyEvent event(String id, EventType type, String user, long ts) {
        JourneyEvent e = new JourneyEvent();
        e.eventId = id;
        e.type = type;
        e.userId = user;
        e.timestamp = ts;
        e.position = ts - T0;
        e.itemId = "p-" + id;
        e.price = 20.0;
        e.source = "test";
        return e;
    }

    private static JourneyEvent marker(String user, long requestedAt) {
        return JourneyEvent.erasureMarker(Erasure.of("test@0", "sha256:x", requestedAt, new String[] {user}), user,
                null, requestedAt);
    }

    private static <T> List<T> records(AbstractStreamOperatorTestHarness<?> h, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r && type.isInstance(r.getValue())) {
                out.add(type.cast(r.getValue()));
            }
        }
        return out;
    }

    private static PatternSpec cart() {
        return BuiltInPatterns.cartAbandonment(Duration.ofMinutes(30), Duration.ofMinutes(30));
    }

    /** A view and a cart add per user: the cart is abandoned at 31 min unless the user is erased. */
    private static List<JourneyEvent> shopping(String user) {
        return List.of(event(user + "-v", EventType.VIEW, user, T0), event(user + "-c", EventType.CART_ADD, user,
                T0 + MIN));
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void theUserPassDeletesTheUsersValueAndTimerAndNeverReportsTheCart(boolean rocksDb) throws Exception {
        try (PassHarness pass = PassHarness.of(List.of(cart()),
                new SegmentBook(SegmentBook.shipped(new SegmentBook.Shipped()), null, 365), 30 * MIN, rocksDb, null)) {
            for (String user : List.of("u1", "u2")) {
                for (JourneyEvent e : shopping(user)) {
                    pass.event(e);
                }
            }
            // the cart adds leave the hold and start a match, the events are in the users' segments: each user has a
            // value and timers (the window's end, the look-back's cleanup, the next segment change)
            pass.watermark(T0 + 2 * MIN);
            assertThat(pass.usersWithState()).isEqualTo(2);
            int timers = pass.eventTimeTimers();
            assertThat(timers).isPositive().isEven();

            pass.event(marker("u1", T0 + 2 * MIN));
            assertThat(pass.usersWithState()).isEqualTo(1);
            assertThat(pass.eventTimeTimers()).isEqualTo(timers / 2);

            int changesBefore = pass.segmentChanges().size();
            pass.watermark(Long.MAX_VALUE);
            assertThat(pass.alerts()).extracting(a -> a.subjectKey + " " + a.kind)
                    .containsExactly("u2 CART_ABANDONED");
            assertThat(pass.segmentChanges().subList(changesBefore, pass.segmentChanges().size()))
                    .isNotEmpty()
                    .allSatisfy(c -> assertThat(c.userId).isEqualTo("u2"));
            assertThat(pass.usersWithState()).isZero();
            assertThat(pass.eventTimeTimers()).isZero();
        }
    }

    @Test
    void dedupeForgetsTheUsersIdsAndPassesTheMarkerWhateverTheWatermark() throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new DedupeAndLateFilter(Duration.ofHours(24))), JourneyEvent::userKey,
                Types.STRING);
        h.open();
        for (String user : List.of("u1", "u2")) {
            for (JourneyEvent e : shopping(user)) {
                h.processElement(new StreamRecord<>(e, e.timestamp));
            }
        }
        h.processWatermark(new Watermark(T0 + 10 * MIN));
        assertThat(h.numKeyedStateEntries()).isEqualTo(2); // one map of ids per user
        JourneyEvent m = marker("u1", T0); // behind the watermark: a marker is never late
        h.processElement(new StreamRecord<>(m, m.timestamp));
        assertThat(h.numKeyedStateEntries()).isEqualTo(1);
        JourneyEvent again = shopping("u1").get(0); // u1's ids are forgotten: the same event is new again
        again.timestamp = T0 + 11 * MIN;
        h.processElement(new StreamRecord<>(again, again.timestamp));
        assertThat(records(h, JourneyEvent.class)).last().isEqualTo(again);
        assertThat(records(h, JourneyEvent.class)).filteredOn(JourneyEvent::isErasure).containsExactly(m);
        assertThat(h.getSideOutput(DedupeAndLateFilter.LATE_EVENTS)).isNull();
        h.close();
    }

    @Test
    void identityStitcherDeletesTheAnonymousIdsLinkHeldEventsAndTimers() throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new IdentityStitcher(true, 30 * MIN, 30 * 24 * 60 * MIN, 500)),
                new IdentityStitcher.Key(), Types.STRING);
        h.open();
        for (String n : List.of("1", "2")) {
            JourneyEvent held = event("h" + n, EventType.VIEW, null, T0); // anonymous, held for the journeys
            held.anonymousId = "a" + n;
            JourneyEvent link = event("l" + n, EventType.LOGIN, "u" + n, T0 + MIN); // links a<n> to u<n>
            link.anonymousId = "a" + n;
            JourneyEvent other = event("o" + n, EventType.VIEW, null, T0 + 2 * MIN); // another anonymous id, held
            other.anonymousId = "b" + n;
            for (JourneyEvent e : List.of(held, link, other)) {
                h.processElement(new StreamRecord<>(e, e.timestamp));
            }
        }
        int timers = h.numEventTimeTimers();
        int entries = h.numKeyedStateEntries();
        int releasedBefore = journeySteps(h).size(); // a1's path, on the link
        JourneyEvent m = JourneyEvent.erasureMarker(Erasure.of("test@0", "sha256:x", T0, new String[] {"u1",
                "anon:a1", "anon:b1"}), null, "a1", T0 + 3 * MIN);
        JourneyEvent m2 = JourneyEvent.erasureMarker(m.erasure, null, "b1", T0 + 3 * MIN);
        h.processElement(new StreamRecord<>(m, m.timestamp));
        h.processElement(new StreamRecord<>(m2, m2.timestamp));
        assertThat(h.numEventTimeTimers()).isEqualTo(timers / 2);
        assertThat(h.numKeyedStateEntries()).isEqualTo(entries / 2);
        assertThat(records(h, JourneyEvent.class)).filteredOn(JourneyEvent::isErasure).containsExactly(m, m2);
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        // u2's anonymous path b2 is released unlinked; nothing of a1, b1 ever comes to the journeys
        assertThat(journeySteps(h).subList(releasedBefore, journeySteps(h).size()))
                .noneMatch(e -> !e.isErasure() && ("a1".equals(e.anonymousId) || "b1".equals(e.anonymousId)))
                .anyMatch(e -> "b2".equals(e.anonymousId));
        assertThat(h.numEventTimeTimers()).isZero();
        h.close();
    }

    /** What the journeys take of the stitcher's output: the events routed to them, no identify calls. */
    private static List<JourneyEvent> journeySteps(AbstractStreamOperatorTestHarness<?> h) {
        List<JourneyEvent> out = new ArrayList<>();
        for (JourneyEvent e : records(h, JourneyEvent.class)) {
            if (e.forJourneys() && !IdentityStitcher.isNoJourneyStepCall(e)) {
                out.add(e);
            }
        }
        return out;
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void journeySessionsDeleteTheOpenSessionHeldEventsUserModelAndTimers(boolean rocksDb) throws Exception {
        try (PassHarness pass = PassHarness.journeys(new JourneyGuest.Settings(30 * MIN, 1, 50,
                30 * 24 * 60 * MIN, 90 * 24 * 60 * MIN), rocksDb)) {
            for (String user : List.of("u1", "u2")) {
                for (JourneyEvent e : shopping(user)) { // a first session, closed by the gap
                    pass.event(e);
                }
                JourneyEvent later = event(user + "-l", EventType.VIEW, user, T0 + 60 * MIN); // an open one
                pass.event(later);
                JourneyEvent held = event(user + "-h", EventType.PURCHASE, user, T0 + 70 * MIN); // still held
                pass.event(held);
            }
            pass.watermark(T0 + 65 * MIN);
            int before = pass.transitions().size();
            int timers = pass.eventTimeTimers();
            assertThat(before).isPositive();
            assertThat(pass.usersWithState()).isEqualTo(2);
            assertThat(timers).isPositive().isEven();
            pass.event(marker("u1", T0 + 65 * MIN));
            assertThat(pass.usersWithState()).isEqualTo(1);
            assertThat(pass.eventTimeTimers()).isEqualTo(timers / 2);
            pass.watermark(Long.MAX_VALUE);
            List<SessionTransition> after = pass.transitions().subList(before, pass.transitions().size());
            assertThat(after).isNotEmpty().allSatisfy(t -> assertThat(t.sessionKey).doesNotContain("u1"));
            assertThat(pass.usersWithState()).isZero();
            assertThat(pass.eventTimeTimers()).isZero();
        }
    }
}
