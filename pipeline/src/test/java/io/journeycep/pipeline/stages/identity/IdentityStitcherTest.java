package io.journeycep.pipeline.stages.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.PojoRoundTrip;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Harness tests of {@link IdentityStitcher}: forward stitching on the main output, re-keying of held anonymous paths
 * for the journeys, late links, and that link and pending state and their timers drop to zero.
 */
class IdentityStitcherTest {
    private static final long MIN = 60_000L;
    private static final long GAP = 30 * MIN;
    private static final long TTL = 24 * 60 * MIN;

    private static KeyedOneInputStreamOperatorTestHarness<String, JourneyEvent, JourneyEvent> harness(
            boolean rocksDb, int maxPending) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new IdentityStitcher(true, GAP, TTL, maxPending)),
                new IdentityStitcher.Key(),
                Types.STRING);
        if (rocksDb) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        h.open();
        return h;
    }

    private static JourneyEvent event(String id, EventType type, String user, String anon, long ts) {
        JourneyEvent e = new JourneyEvent();
        e.eventId = id;
        e.type = type;
        e.sourceEventName = type.wireName();
        e.userId = user;
        e.anonymousId = anon;
        e.timestamp = ts;
        e.position = ts;
        e.itemId = "p-1";
        e.price = 10.0;
        return e;
    }

    private static JourneyEvent identify(String id, String user, String anon, long ts) {
        JourneyEvent e = event(id, EventType.OTHER, user, anon, ts);
        e.sourceEventName = "identify";
        return e;
    }

    private static JourneyEvent alias(String id, String user, String previousId, long ts) {
        JourneyEvent e = event(id, EventType.OTHER, user, previousId, ts);
        e.sourceEventName = "alias";
        return e;
    }

    private static void feed(KeyedOneInputStreamOperatorTestHarness<String, JourneyEvent, JourneyEvent> h,
            JourneyEvent e) throws Exception {
        h.processElement(new StreamRecord<>(e, e.timestamp));
    }

    /** What the detectors take of the output, as "eventId@userKey". */
    private static List<String> main(KeyedOneInputStreamOperatorTestHarness<String, JourneyEvent, JourneyEvent> h) {
        List<String> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r && r.getValue() instanceof JourneyEvent e && e.forDetectors()) {
                out.add(e.eventId + "@" + e.userKey());
            }
        }
        return out;
    }

    /** What the journeys take of the output (their steps: no identify calls), as "eventId@userKey". */
    private static List<String> journeys(
            KeyedOneInputStreamOperatorTestHarness<String, JourneyEvent, JourneyEvent> h) {
        List<String> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r && r.getValue() instanceof JourneyEvent e && e.forJourneys()
                    && !IdentityStitcher.isNoJourneyStepCall(e)) {
                out.add(e.eventId + "@" + e.userKey());
            }
        }
        return out;
    }

    private static long keysWithState(KeyedOneInputStreamOperatorTestHarness<String, JourneyEvent, JourneyEvent> h)
            throws Exception {
        long n = 0;
        for (String state : List.of(IdentityStitcher.IDENTITY_STATE, IdentityStitcher.PENDING_STATE)) {
            try (Stream<String> keys =
                    h.getOperator().<String>getKeyedStateBackend().getKeys(state, VoidNamespace.INSTANCE)) {
                n += keys.count();
            }
        }
        return n;
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void anAnonymousPathThatBecomesKnownIsReleasedUnderTheUserAndLaterEventsAreStitched(boolean rocksDb)
            throws Exception {
        try (var h = harness(rocksDb, 500)) {
            feed(h, event("v1", EventType.VIEW, null, "a-9", 1 * MIN));
            feed(h, event("c1", EventType.CART_ADD, null, "a-9", 2 * MIN));
            h.processWatermark(new Watermark(2 * MIN));
            assertThat(main(h)).as("patterns and velocity get them at once, anonymous")
                    .containsExactly("v1@anon:a-9", "c1@anon:a-9");
            assertThat(journeys(h)).as("the journeys wait for a link").isEmpty();
            assertThat(h.numEventTimeTimers()).as("the release timer").isEqualTo(1);

            feed(h, identify("i1", "u-42", "a-9", 3 * MIN));
            feed(h, event("p1", EventType.PURCHASE, "u-42", "a-9", 4 * MIN));
            feed(h, event("v2", EventType.VIEW, null, "a-9", 5 * MIN)); // anonymous-only, after the link
            feed(h, event("s1", EventType.VIEW, "u-42", null, 6 * MIN)); // server side: user id only

            assertThat(main(h)).containsExactly("v1@anon:a-9", "c1@anon:a-9", "i1@u-42", "p1@u-42", "v2@u-42",
                    "s1@u-42");
            assertThat(journeys(h)).as("the held path re-keyed, identify left out, the rest stitched")
                    .containsExactly("v1@u-42", "c1@u-42", "p1@u-42", "v2@u-42", "s1@u-42");
            assertThat(h.numEventTimeTimers()).as("only the link's expiry timer").isEqualTo(1);

            h.processWatermark(new Watermark(5 * MIN + TTL)); // exactly the TTL after the last event: kept
            assertThat(keysWithState(h)).isEqualTo(1);
            h.processWatermark(new Watermark(5 * MIN + TTL + 1));
            assertThat(keysWithState(h)).as("the link expired").isZero();
            assertThat(h.numEventTimeTimers()).isZero();

            feed(h, event("v3", EventType.VIEW, null, "a-9", 5 * MIN + TTL + 2 * MIN));
            assertThat(main(h)).last().as("after expiry the id is anonymous again").isEqualTo("v3@anon:a-9");
        }
    }

    /** An alias (previousId → userId) links as an identify with both ids does, and is no journey step either. */
    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void anAliasLinksThePreviousIdLikeAnIdentify(boolean rocksDb) throws Exception {
        List<List<String>> outputs = new ArrayList<>();
        for (boolean viaAlias : List.of(false, true)) {
            try (var h = harness(rocksDb, 500)) {
                feed(h, event("v1", EventType.VIEW, null, "a-9", 1 * MIN));
                feed(h, event("c1", EventType.CART_ADD, null, "a-9", 2 * MIN));
                h.processWatermark(new Watermark(2 * MIN));
                feed(h, viaAlias ? alias("l1", "u-42", "a-9", 3 * MIN) : identify("l1", "u-42", "a-9", 3 * MIN));
                feed(h, event("v2", EventType.VIEW, null, "a-9", 5 * MIN));
                outputs.add(List.of(String.join(",", main(h)), String.join(",", journeys(h))));
            }
        }
        assertThat(outputs.get(1)).isEqualTo(outputs.get(0));
        assertThat(outputs.get(1).get(1)).isEqualTo("v1@u-42,c1@u-42,v2@u-42");
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void aPathThatNeverBecomesKnownIsReleasedAnonymousAfterTheGapAndALateLinkDoesNotReKeyIt(boolean rocksDb)
            throws Exception {
        try (var h = harness(rocksDb, 500)) {
            feed(h, event("v1", EventType.VIEW, null, "a-1", 0));
            feed(h, event("v2", EventType.VIEW, null, "a-1", 10 * MIN));
            h.processWatermark(new Watermark(10 * MIN + GAP));
            assertThat(journeys(h)).as("exactly the gap after the last: still held").isEmpty();
            h.processWatermark(new Watermark(10 * MIN + GAP + 1));
            assertThat(journeys(h)).containsExactly("v1@anon:a-1", "v2@anon:a-1");
            assertThat(keysWithState(h)).as("an unlinked id with nothing held keeps nothing").isZero();
            assertThat(h.numEventTimeTimers()).isZero();

            feed(h, identify("i1", "u-1", "a-1", 10 * MIN + GAP + 2)); // late link
            feed(h, event("v3", EventType.VIEW, null, "a-1", 10 * MIN + GAP + 3));
            assertThat(journeys(h)).as("the released path stays anonymous; the link applies from now on")
                    .containsExactly("v1@anon:a-1", "v2@anon:a-1", "v3@u-1");
        }
    }

    @Test
    void anAnonymousEventBeforeTheLinkInEventTimeStaysAnonymousForTheDetectorsWhicheverArrivesFirst()
            throws Exception {
        try (var h = harness(false, 500)) {
            feed(h, identify("i1", "u-1", "a-1", 10 * MIN)); // the link overtook ...
            feed(h, event("c1", EventType.CART_ADD, null, "a-1", 9 * MIN)); // ... an earlier anonymous cart add
            feed(h, event("v1", EventType.VIEW, null, "a-1", 11 * MIN));
            assertThat(main(h)).containsExactly("i1@u-1", "c1@anon:a-1", "v1@u-1");
            assertThat(journeys(h)).containsExactly("c1@u-1", "v1@u-1");
        }
    }

    @Test
    void theLatestLinkWinsOnASharedDevice() throws Exception {
        try (var h = harness(false, 500)) {
            feed(h, identify("i1", "alice", "kiosk", 0));
            feed(h, event("v1", EventType.VIEW, null, "kiosk", MIN));
            feed(h, identify("i2", "bob", "kiosk", 2 * MIN));
            feed(h, event("v2", EventType.VIEW, null, "kiosk", 3 * MIN));
            assertThat(main(h)).containsExactly("i1@alice", "v1@alice", "i2@bob", "v2@bob");
        }
    }

    @Test
    void atMostMaxPendingEventsAreHeldThenTheHeldPathIsReleasedAnonymous() throws Exception {
        try (var h = harness(false, 2)) {
            feed(h, event("v1", EventType.VIEW, null, "a-1", 0));
            feed(h, event("v2", EventType.VIEW, null, "a-1", 1));
            feed(h, event("v3", EventType.VIEW, null, "a-1", 2));
            assertThat(journeys(h)).containsExactly("v1@anon:a-1", "v2@anon:a-1", "v3@anon:a-1");
            assertThat(keysWithState(h)).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void eventsWithoutAnAnonymousIdPassWithoutState() throws Exception {
        try (var h = harness(false, 500)) {
            feed(h, event("v1", EventType.VIEW, "u-1", null, 0));
            assertThat(main(h)).containsExactly("v1@u-1");
            assertThat(journeys(h)).containsExactly("v1@u-1");
            assertThat(keysWithState(h)).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void itsStateIsAPojo() throws Exception {
        AnonymousIdentity s = new AnonymousIdentity();
        s.userId = "u";
        s.lastSeen = 5;
        s.pending = 2;
        assertThat(PojoRoundTrip.roundTrip(AnonymousIdentity.class, s)).isEqualTo(s);
    }
}
