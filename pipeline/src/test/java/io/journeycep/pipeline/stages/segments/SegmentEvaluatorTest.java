package io.journeycep.pipeline.stages.segments;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.EventType;
import io.journeycep.patterns.PojoRoundTrip;
import io.journeycep.patterns.segments.DailyActivity;
import io.journeycep.patterns.segments.RfmScoring;
import io.journeycep.patterns.segments.SegmentBook;
import io.journeycep.pipeline.control.ControlMessage;
import io.journeycep.sinks.AlertIds;
import io.journeycep.sinks.SegmentAction;
import io.journeycep.sinks.SegmentChange;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Harness tests of {@link SegmentEvaluator}: each shipped segment enters and exits at the right event time, exits from
 * time passing fire from timers with no further events, CHURN_RISK tiers replace each other, and a user silent for
 * the horizon leaves no state and no timer behind.
 */
class SegmentEvaluatorTest {
    private static final long DAY = DailyActivity.DAY_MS;
    private static final long HOUR = 3_600_000L;
    private static final long T0 = 20_000 * DAY; // a UTC midnight
    private static final long GAP = 30 * 60_000L;

    private static KeyedBroadcastOperatorTestHarness<String, SegmentInput, ControlMessage, SegmentChange> harness(
            boolean rocksDb, boolean rfm) throws Exception {
        return harness(rocksDb, rfm, null);
    }

    private static KeyedBroadcastOperatorTestHarness<String, SegmentInput, ControlMessage, SegmentChange> harness(
            boolean rocksDb, boolean rfm, OperatorSubtaskState snapshot) throws Exception {
        SegmentBook book = new SegmentBook(SegmentBook.shipped(new SegmentBook.Shipped()),
                rfm ? RfmScoring.defaults() : null, 365);
        var h = new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(new SegmentEvaluator(book, GAP), List.of(SegmentRules.DESCRIPTOR)),
                (SegmentInput in) -> in.userKey, Types.STRING, 1, 1, 0);
        if (rocksDb) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        if (snapshot != null) {
            h.initializeState(snapshot);
        }
        h.open();
        // the control stream is idle (ControlWatermarks): only the events' watermarks count
        h.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.IDLE);
        return h;
    }

    private static SegmentInput event(String user, EventType type, long ts, double price) {
        SegmentInput in = new SegmentInput();
        in.userKey = user;
        in.timestamp = ts;
        in.measure = type.ordinal();
        in.amount = price;
        in.activity = true;
        return in;
    }

    private static SegmentInput abandoned(String user, long ts) {
        SegmentInput in = new SegmentInput();
        in.userKey = user;
        in.timestamp = ts;
        in.measure = DailyActivity.CART_ABANDONED;
        return in;
    }

    private static void feed(KeyedBroadcastOperatorTestHarness<String, SegmentInput, ControlMessage, SegmentChange> h,
            SegmentInput in) throws Exception {
        h.processElement(new StreamRecord<>(in, in.timestamp));
    }

    /** "ENTER NEW_BUYER @<days after T0, with fraction>" per change, in output order. */
    private static List<String> changes(KeyedBroadcastOperatorTestHarness<String, SegmentInput, ControlMessage, SegmentChange> h) {
        List<String> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r && r.getValue() instanceof SegmentChange c) {
                out.add(c.action + " " + c.userId + " " + c.segment + " @" + at(c.eventTime));
            }
        }
        return out;
    }

    private static List<SegmentChange> records(
            KeyedBroadcastOperatorTestHarness<String, SegmentInput, ControlMessage, SegmentChange> h) {
        List<SegmentChange> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r && r.getValue() instanceof SegmentChange c) {
                out.add(c);
            }
        }
        return out;
    }

    private static String at(long t) {
        long d = (t - T0) / DAY;
        long rest = (t - T0) % DAY;
        return rest == 0 ? d + "d" : d + "d+" + rest / HOUR + "h";
    }

    private static long stateKeys(KeyedBroadcastOperatorTestHarness<String, SegmentInput, ControlMessage, SegmentChange> h)
            throws Exception {
        KeyedStateBackend<String> backend = ((AbstractStreamOperator<?>) h.getOperator()).getKeyedStateBackend();
        try (Stream<String> keys = backend.getKeys(SegmentEvaluator.STATE, VoidNamespace.INSTANCE)) {
            return keys.count();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void aBuyerEntersAndTimePassingMovesThemThroughLifecycleSegmentsUntilTheStateIsDropped(boolean rocksDb)
            throws Exception {
        try (var h = harness(rocksDb, false)) {
            feed(h, event("u1", EventType.VIEW, T0 + 10 * HOUR, 0));
            feed(h, event("u1", EventType.PURCHASE, T0 + 11 * HOUR, 1200));
            assertThat(changes(h)).as("inputs wait for the watermark").isEmpty();
            assertThat(h.numEventTimeTimers()).as("one timer per input time").isEqualTo(2);
            h.processWatermark(new Watermark(T0 + 11 * HOUR));
            assertThat(changes(h)).containsExactly("ENTER u1 HIGH_VALUE @0d+11h", "ENTER u1 NEW_BUYER @0d+11h");
            assertThat(h.numEventTimeTimers()).as("one timer per user").isEqualTo(1);

            h.processWatermark(new Watermark(T0 + 400 * DAY)); // nothing more from u1
            assertThat(changes(h)).containsExactly(
                    "ENTER u1 HIGH_VALUE @0d+11h",
                    "ENTER u1 NEW_BUYER @0d+11h",
                    "EXIT u1 NEW_BUYER @30d", // the first purchase's day left the 30-day window at midnight
                    "ENTER u1 CHURN_RISK_30 @30d+11h", // exactly 30 days after the last event
                    "EXIT u1 CHURN_RISK_30 @45d+11h", // the tiers replace each other
                    "ENTER u1 CHURN_RISK_45 @45d+11h",
                    "EXIT u1 CHURN_RISK_45 @60d+11h",
                    "ENTER u1 CHURN_RISK_60 @60d+11h",
                    "ENTER u1 LAPSED @180d", // no purchase within 180 days (whole days)
                    "EXIT u1 HIGH_VALUE @365d", // the purchase left the 365-day window
                    "EXIT u1 LAPSED @365d",
                    "EXIT u1 CHURN_RISK_60 @366d"); // silent for the horizon: the state is dropped
            assertThat(stateKeys(h)).as("no state left").isZero();
            assertThat(h.numEventTimeTimers()).as("no timer left").isZero();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void comingBackEndsChurnRiskAndAnAbandonedCartMakesACartAbandonerForSevenDays(boolean rocksDb) throws Exception {
        try (var h = harness(rocksDb, false)) {
            feed(h, event("u2", EventType.VIEW, T0, 0));
            h.processWatermark(new Watermark(T0 + 31 * DAY));
            feed(h, event("u2", EventType.CART_ADD, T0 + 31 * DAY + HOUR, 0));
            feed(h, abandoned("u2", T0 + 31 * DAY + 2 * HOUR));
            h.processWatermark(new Watermark(T0 + 39 * DAY));
            assertThat(changes(h)).containsExactly(
                    "ENTER u2 CHURN_RISK_30 @30d",
                    "EXIT u2 CHURN_RISK_30 @31d+1h",
                    "ENTER u2 CART_ABANDONER @31d+2h",
                    "EXIT u2 CART_ABANDONER @38d");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void anAlertThatOvertakesTheUsersEventsIsNoActivity(boolean rocksDb) throws Exception {
        // the CART_ABANDONED alert reaches the operator on another path than the events, so it can come first
        try (var h = harness(rocksDb, false)) {
            feed(h, abandoned("u9", T0 + 2 * HOUR));
            feed(h, event("u9", EventType.VIEW, T0, 0));
            feed(h, event("u9", EventType.CART_ADD, T0 + HOUR, 0));
            h.processWatermark(new Watermark(T0 + 367 * DAY));
            assertThat(changes(h)).containsExactly(
                    "ENTER u9 CART_ABANDONER @0d+2h",
                    "EXIT u9 CART_ABANDONER @7d",
                    "ENTER u9 CHURN_RISK_30 @30d+1h", // quiet since the cart add, not since the alert
                    "EXIT u9 CHURN_RISK_30 @45d+1h", // exits first at one time
                    "ENTER u9 CHURN_RISK_45 @45d+1h",
                    "EXIT u9 CHURN_RISK_45 @60d+1h",
                    "ENTER u9 CHURN_RISK_60 @60d+1h",
                    "EXIT u9 CHURN_RISK_60 @366d");
            assertThat(stateKeys(h)).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
        try (var h = harness(rocksDb, false)) {
            feed(h, abandoned("u10", T0 + 2 * HOUR)); // an alert alone still leaves no state behind
            h.processWatermark(new Watermark(T0 + 367 * DAY));
            assertThat(changes(h)).containsExactly("ENTER u10 CART_ABANDONER @0d+2h", "EXIT u10 CART_ABANDONER @7d");
            assertThat(stateKeys(h)).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void changesDoNotDependOnTheArrivalOrderOfAnAlertAndTheUsersLaterEvents(boolean rocksDb) throws Exception {
        // the alert travels another path: it may arrive before or after the user's events of later times
        List<String> alertFirst;
        try (var h = harness(rocksDb, true)) {
            feed(h, event("u11", EventType.CART_ADD, T0 + HOUR, 0));
            feed(h, abandoned("u11", T0 + 2 * HOUR));
            feed(h, event("u11", EventType.PURCHASE, T0 + 3 * HOUR, 80));
            h.processWatermark(new Watermark(T0 + 10 * DAY));
            alertFirst = changes(h);
        }
        try (var h = harness(rocksDb, true)) {
            feed(h, event("u11", EventType.CART_ADD, T0 + HOUR, 0));
            feed(h, event("u11", EventType.PURCHASE, T0 + 3 * HOUR, 80));
            feed(h, abandoned("u11", T0 + 2 * HOUR));
            h.processWatermark(new Watermark(T0 + 10 * DAY));
            assertThat(changes(h)).isEqualTo(alertFirst).contains("ENTER u11 CART_ABANDONER @0d+2h",
                    "ENTER u11 NEW_BUYER @0d+3h", "EXIT u11 CART_ABANDONER @7d");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void changesDoNotDependOnWhetherTheWatermarkReachedThemBeforeTheNextEvent(boolean rocksDb) throws Exception {
        List<String> withWatermarks;
        try (var h = harness(rocksDb, true)) {
            feed(h, event("u8", EventType.PURCHASE, T0 + 11 * HOUR, 1200));
            h.processWatermark(new Watermark(T0 + 40 * DAY));
            feed(h, event("u8", EventType.VIEW, T0 + 40 * DAY + HOUR, 0));
            h.processWatermark(new Watermark(T0 + 40 * DAY + HOUR));
            withWatermarks = changes(h);
        }
        try (var h = harness(rocksDb, true)) {
            feed(h, event("u8", EventType.PURCHASE, T0 + 11 * HOUR, 1200));
            feed(h, event("u8", EventType.VIEW, T0 + 40 * DAY + HOUR, 0)); // before any watermark
            h.processWatermark(new Watermark(T0 + 40 * DAY + HOUR));
            assertThat(changes(h)).isEqualTo(withWatermarks).contains(
                    "EXIT u8 NEW_BUYER @30d", "ENTER u8 CHURN_RISK_30 @30d+11h", "EXIT u8 CHURN_RISK_30 @40d+1h");
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
        }
    }

    @Test
    void aPowerUserHasFiveSessionsWithinSevenDays() throws Exception {
        try (var h = harness(false, false)) {
            for (int i = 0; i < 5; i++) {
                feed(h, event("u3", EventType.VIEW, T0 + i * DAY, 0));
                feed(h, event("u3", EventType.VIEW, T0 + i * DAY + GAP, 0)); // exactly the gap: same session
            }
            h.processWatermark(new Watermark(T0 + 8 * DAY));
            assertThat(changes(h)).containsExactly("ENTER u3 POWER_USER @4d", "EXIT u3 POWER_USER @7d");
        }
    }

    @Test
    void rfmSegmentsReplaceEachOtherAsRecencyFades() throws Exception {
        try (var h = harness(false, true)) {
            feed(h, event("u4", EventType.PURCHASE, T0, 100));
            h.processWatermark(new Watermark(T0 + 9 * DAY));
            assertThat(changes(h)).containsExactly(
                    "ENTER u4 NEW_BUYER @0d",
                    "ENTER u4 RFM_512 @0d",
                    "EXIT u4 RFM_512 @8d",
                    "ENTER u4 RFM_412 @8d");
        }
    }

    @Test
    void changesCarryDeterministicIdsReasonsAndTheirEnterTimeAndTheStateIsAPojo() throws Exception {
        try (var h = harness(false, false)) {
            feed(h, event("u5", EventType.PURCHASE, T0, 10));
            h.processWatermark(new Watermark(T0 + 30 * DAY));
            List<SegmentChange> got = records(h);
            SegmentChange enter = got.get(0);
            SegmentChange exit = got.get(1);
            assertThat(enter.segment).isEqualTo("NEW_BUYER");
            assertThat(enter.reason).isEqualTo("first purchase 0d ago (within 30d: yes)");
            assertThat(exit.action).isEqualTo(SegmentAction.EXIT);
            assertThat(exit.reason).isEqualTo("first purchase 30d ago (within 30d: no)");
            assertThat(exit.enteredAt).isEqualTo(T0);
            assertThat(exit.changeId).isEqualTo(
                    AlertIds.ofSegmentChange("u5", "NEW_BUYER", SegmentAction.EXIT, 1, T0 + 30 * DAY));
        }
        SegmentUserState s = new SegmentUserState();
        s.activity.touch(T0, GAP);
        s.activity.add(T0, EventType.PURCHASE.ordinal(), 3);
        s.segments = new String[] {"NEW_BUYER"};
        s.enteredAt = new long[] {T0};
        s.versions = new int[] {1};
        s.timer = T0 + DAY;
        s.pending = new SegmentInput[] {abandoned("u", T0 + HOUR)};
        assertThat(PojoRoundTrip.roundTrip(SegmentUserState.class, s)).isEqualTo(s);
        SegmentInput in = event("u", EventType.VIEW, 1, 2);
        assertThat(PojoRoundTrip.roundTrip(SegmentInput.class, in)).isEqualTo(in);
    }

    private static ControlMessage segmentRule(String id, int version, String when) {
        return ControlMessage.segmentRule(id, version, "{\"id\":\"" + id + "\",\"version\":" + version
                + ",\"when\":" + when + "}", "kafka:control/0", version, new byte[0]);
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void segmentRulesChangeLiveThroughTheControlTopicAndSurviveARestore(boolean rocksDb) throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(rocksDb, false)) {
            feed(h, event("u6", EventType.LOGIN, T0 + HOUR, 0));
            feed(h, event("u7", EventType.VIEW, T0 + HOUR, 0));
            h.processWatermark(new Watermark(T0 + 2 * HOUR));
            h.processBroadcastElement(segmentRule("RECENT_LOGIN", 1,
                    "{\"has-done\":[\"login\"],\"within\":\"7d\"}"), T0 + 2 * HOUR);
            assertThat(changes(h)).as("members enter at once, at the watermark")
                    .containsExactly("ENTER u6 RECENT_LOGIN @0d+2h");
            h.processBroadcastElement(segmentRule("RECENT_LOGIN", 1,
                    "{\"has-done\":[\"view\"],\"within\":\"7d\"}"), T0 + 2 * HOUR);
            assertThat(records(h)).hasSize(1);
            assertThat(h.getSideOutput(SegmentEvaluator.REJECTED)).singleElement()
                    .satisfies(r -> assertThat(r.getValue().reason).isEqualTo("STALE_RULE_VERSION"));
            h.processWatermark(new Watermark(T0 + 3 * HOUR));
            h.processBroadcastElement(segmentRule("RECENT_LOGIN", 2,
                    "{\"has-done\":[\"login\", \"view\"],\"within\":\"7d\"}"), T0 + 3 * HOUR);
            assertThat(changes(h)).containsExactly("ENTER u6 RECENT_LOGIN @0d+2h", "ENTER u7 RECENT_LOGIN @0d+3h");
            snapshot = h.snapshot(1L, T0 + 3 * HOUR);
        }
        try (var h = harness(rocksDb, false, snapshot)) {
            // the restored rule makes the time-driven exit (7 days) from the timers alone
            h.processWatermark(new Watermark(T0 + 8 * DAY));
            assertThat(changes(h)).contains("EXIT u6 RECENT_LOGIN @7d", "EXIT u7 RECENT_LOGIN @7d");
            h.processBroadcastElement(ControlMessage.segmentRuleRemoved("NEW_BUYER", 1, "kafka:control/0", 9,
                    new byte[0]), T0 + 8 * DAY);
            h.processBroadcastElement(ControlMessage.segmentRuleRemoved("NOPE", 1, "kafka:control/0", 10,
                    new byte[0]), T0 + 8 * DAY);
            assertThat(h.getSideOutput(SegmentEvaluator.REJECTED)).singleElement()
                    .satisfies(r -> assertThat(r.getValue().reason).isEqualTo("UNKNOWN_RULE"));
        }
    }
}
