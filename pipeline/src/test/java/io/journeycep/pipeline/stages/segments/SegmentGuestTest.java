package io.journeycep.pipeline.stages.segments;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.PojoRoundTrip;
import io.journeycep.patterns.segments.DailyActivity;
import io.journeycep.patterns.segments.RfmScoring;
import io.journeycep.patterns.segments.SegmentBook;
import io.journeycep.patterns.spec.BuiltInPatterns;
import io.journeycep.pipeline.control.ControlMessage;
import io.journeycep.pipeline.stages.pass.PassHarness;
import io.journeycep.sinks.AlertIds;
import io.journeycep.sinks.AlertKind;
import io.journeycep.sinks.SegmentAction;
import io.journeycep.sinks.SegmentChange;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Harness tests of the segment engine in the user pass ({@link SegmentGuest}): each shipped segment enters and exits
 * at the right event time, exits from time passing fire from the user's timer with no further events, CHURN_RISK
 * tiers replace each other, a CART_ABANDONED alert of the same pass makes a CART_ABANDONER, segment rules change live,
 * and a user silent for the horizon leaves no state and no timer behind.
 */
class SegmentGuestTest {
    private static final long DAY = DailyActivity.DAY_MS;
    private static final long HOUR = 3_600_000L;
    private static final long MIN = 60_000L;
    private static final long T0 = 20_000 * DAY; // a UTC midnight
    private static final long GAP = 30 * 60_000L;

    private static PassHarness harness(boolean rocksDb, boolean rfm) throws Exception {
        return harness(rocksDb, rfm, null);
    }

    /** The pass with the cart pattern (for CART_ABANDONED alerts) and the shipped segments. */
    private static PassHarness harness(boolean rocksDb, boolean rfm, OperatorSubtaskState snapshot) throws Exception {
        SegmentBook book = new SegmentBook(SegmentBook.shipped(new SegmentBook.Shipped()),
                rfm ? RfmScoring.defaults() : null, 365);
        return PassHarness.of(List.of(BuiltInPatterns.cartAbandonment(Duration.ofMinutes(30), Duration.ofMinutes(30))),
                book, GAP, rocksDb, snapshot);
    }

    private static JourneyEvent event(String user, EventType type, long ts, double price) {
        JourneyEvent e = new JourneyEvent();
        e.eventId = user + "-" + type + "-" + ts;
        e.type = type;
        e.userId = user;
        e.timestamp = ts;
        e.position = ts;
        e.itemId = "i1";
        e.price = price == 0 ? null : price;
        e.source = "test";
        return e;
    }

    private static SegmentInput input(String user, EventType type, long ts, double price) {
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

    private static void feed(PassHarness h, JourneyEvent e) throws Exception {
        h.event(e);
    }

    /** "ENTER u1 NEW_BUYER @<days after T0, with hours and minutes>" per change, in output order. */
    private static List<String> changes(PassHarness h) {
        List<String> out = new ArrayList<>();
        for (SegmentChange c : h.segmentChanges()) {
            out.add(c.action + " " + c.userId + " " + c.segment + " @" + at(c.eventTime));
        }
        return out;
    }

    /** The event time of the one CART_ABANDONED alert the pass emitted so far. */
    private static long abandonedAt(PassHarness h) {
        assertThat(h.alerts()).singleElement().satisfies(a -> assertThat(a.kind).isEqualTo(AlertKind.CART_ABANDONED));
        return h.alerts().get(0).eventTime;
    }

    private static String at(long t) {
        long d = (t - T0) / DAY;
        long rest = (t - T0) % DAY;
        if (rest == 0) {
            return d + "d";
        }
        return rest % HOUR == 0 ? d + "d+" + rest / HOUR + "h" : d + "d+" + rest / HOUR + "h" + (rest % HOUR) / MIN + "m";
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void aBuyerEntersAndTimePassingMovesThemThroughLifecycleSegmentsUntilTheStateIsDropped(boolean rocksDb)
            throws Exception {
        try (var h = harness(rocksDb, false)) {
            feed(h, event("u1", EventType.VIEW, T0 + 10 * HOUR, 0));
            feed(h, event("u1", EventType.PURCHASE, T0 + 11 * HOUR, 1200));
            assertThat(changes(h)).as("inputs wait for the watermark").isEmpty();
            h.beforeBarrier(); // in the user's value, as a checkpoint holds them
            assertThat(h.eventTimeTimers()).as("one timer per user").isEqualTo(1);
            h.watermark(T0 + 11 * HOUR);
            assertThat(changes(h)).containsExactly("ENTER u1 HIGH_VALUE @0d+11h", "ENTER u1 NEW_BUYER @0d+11h");
            assertThat(h.eventTimeTimers()).as("one timer per user").isEqualTo(1);

            h.watermark(T0 + 400 * DAY); // nothing more from u1
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
            assertThat(h.usersWithState()).as("no state left").isZero();
            assertThat(h.eventTimeTimers()).as("no timer left").isZero();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void comingBackEndsChurnRiskAndAnAbandonedCartMakesACartAbandonerForSevenDays(boolean rocksDb) throws Exception {
        try (var h = harness(rocksDb, false)) {
            feed(h, event("u2", EventType.VIEW, T0, 0));
            h.watermark(T0 + 31 * DAY);
            feed(h, event("u2", EventType.VIEW, T0 + 31 * DAY + HOUR - MIN, 0));
            feed(h, event("u2", EventType.CART_ADD, T0 + 31 * DAY + HOUR, 0));
            h.watermark(T0 + 39 * DAY);
            long abandoned = abandonedAt(h);
            assertThat(abandoned).isBetween(T0 + 31 * DAY + HOUR + 30 * MIN, T0 + 31 * DAY + HOUR + 31 * MIN);
            assertThat(changes(h)).containsExactly(
                    "ENTER u2 CHURN_RISK_30 @30d",
                    "EXIT u2 CHURN_RISK_30 @31d+0h59m",
                    "ENTER u2 CART_ABANDONER @" + at(abandoned), // the pass's own alert, in the same pass
                    "EXIT u2 CART_ABANDONER @38d");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void anAbandonedCartIsNoActivity(boolean rocksDb) throws Exception {
        try (var h = harness(rocksDb, false)) {
            feed(h, event("u9", EventType.VIEW, T0 + HOUR - MIN, 0));
            feed(h, event("u9", EventType.CART_ADD, T0 + HOUR, 0));
            h.watermark(T0 + 367 * DAY);
            assertThat(changes(h)).containsExactly(
                    "ENTER u9 CART_ABANDONER @" + at(abandonedAt(h)),
                    "EXIT u9 CART_ABANDONER @7d",
                    "ENTER u9 CHURN_RISK_30 @30d+1h", // quiet since the cart add, not since the alert
                    "EXIT u9 CHURN_RISK_30 @45d+1h", // exits first at one time
                    "ENTER u9 CHURN_RISK_45 @45d+1h",
                    "EXIT u9 CHURN_RISK_45 @60d+1h",
                    "ENTER u9 CHURN_RISK_60 @60d+1h",
                    "EXIT u9 CHURN_RISK_60 @366d");
            assertThat(h.usersWithState()).isZero();
            assertThat(h.eventTimeTimers()).isZero();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void changesDoNotDependOnHowTheWatermarkMovesPastTheAlertAndTheUsersLaterEvents(boolean rocksDb)
            throws Exception {
        List<String> inSteps;
        try (var h = harness(rocksDb, true)) {
            feed(h, event("u11", EventType.VIEW, T0 + HOUR - MIN, 0));
            feed(h, event("u11", EventType.CART_ADD, T0 + HOUR, 0));
            h.watermark(T0 + 2 * HOUR);
            feed(h, event("u11", EventType.PURCHASE, T0 + 3 * HOUR, 80));
            h.watermark(T0 + 10 * DAY);
            inSteps = changes(h);
        }
        try (var h = harness(rocksDb, true)) {
            feed(h, event("u11", EventType.VIEW, T0 + HOUR - MIN, 0));
            feed(h, event("u11", EventType.CART_ADD, T0 + HOUR, 0));
            feed(h, event("u11", EventType.PURCHASE, T0 + 3 * HOUR, 80)); // before the alert's watermark
            h.watermark(T0 + 10 * DAY);
            assertThat(changes(h)).isEqualTo(inSteps).contains("ENTER u11 CART_ABANDONER @" + at(abandonedAt(h)),
                    "ENTER u11 NEW_BUYER @0d+3h", "EXIT u11 CART_ABANDONER @7d");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void changesDoNotDependOnWhetherTheWatermarkReachedThemBeforeTheNextEvent(boolean rocksDb) throws Exception {
        List<String> withWatermarks;
        try (var h = harness(rocksDb, true)) {
            feed(h, event("u8", EventType.PURCHASE, T0 + 11 * HOUR, 1200));
            h.watermark(T0 + 40 * DAY);
            feed(h, event("u8", EventType.VIEW, T0 + 40 * DAY + HOUR, 0));
            h.watermark(T0 + 40 * DAY + HOUR);
            withWatermarks = changes(h);
        }
        try (var h = harness(rocksDb, true)) {
            feed(h, event("u8", EventType.PURCHASE, T0 + 11 * HOUR, 1200));
            feed(h, event("u8", EventType.VIEW, T0 + 40 * DAY + HOUR, 0)); // before any watermark
            h.watermark(T0 + 40 * DAY + HOUR);
            assertThat(changes(h)).isEqualTo(withWatermarks).contains(
                    "EXIT u8 NEW_BUYER @30d", "ENTER u8 CHURN_RISK_30 @30d+11h", "EXIT u8 CHURN_RISK_30 @40d+1h");
            assertThat(h.eventTimeTimers()).isEqualTo(1);
        }
    }

    @Test
    void aPowerUserHasFiveSessionsWithinSevenDays() throws Exception {
        try (var h = harness(false, false)) {
            for (int i = 0; i < 5; i++) {
                feed(h, event("u3", EventType.VIEW, T0 + i * DAY, 0));
                feed(h, event("u3", EventType.VIEW, T0 + i * DAY + GAP, 0)); // exactly the gap: same session
            }
            h.watermark(T0 + 8 * DAY);
            assertThat(changes(h)).containsExactly("ENTER u3 POWER_USER @4d", "EXIT u3 POWER_USER @7d");
        }
    }

    @Test
    void rfmSegmentsReplaceEachOtherAsRecencyFades() throws Exception {
        try (var h = harness(false, true)) {
            feed(h, event("u4", EventType.PURCHASE, T0, 100));
            h.watermark(T0 + 9 * DAY);
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
            h.watermark(T0 + 30 * DAY);
            List<SegmentChange> got = h.segmentChanges();
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
        SegmentInput in = input("u", EventType.VIEW, 1, 2);
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
            h.watermark(T0 + 2 * HOUR);
            h.control(segmentRule("RECENT_LOGIN", 1,
                    "{\"has-done\":[\"login\"],\"within\":\"7d\"}"));
            assertThat(changes(h)).as("members enter at once, at the watermark")
                    .containsExactly("ENTER u6 RECENT_LOGIN @0d+2h");
            h.control(segmentRule("RECENT_LOGIN", 1,
                    "{\"has-done\":[\"view\"],\"within\":\"7d\"}"));
            assertThat(h.segmentChanges()).hasSize(1);
            assertThat(h.rejected()).singleElement()
                    .satisfies(r -> assertThat(r.reason).isEqualTo("STALE_RULE_VERSION"));
            h.watermark(T0 + 3 * HOUR);
            h.control(segmentRule("RECENT_LOGIN", 2,
                    "{\"has-done\":[\"login\", \"view\"],\"within\":\"7d\"}"));
            assertThat(changes(h)).containsExactly("ENTER u6 RECENT_LOGIN @0d+2h", "ENTER u7 RECENT_LOGIN @0d+3h");
            snapshot = h.snapshot();
        }
        try (var h = harness(rocksDb, false, snapshot)) {
            // the restored rule makes the time-driven exit (7 days) from the timers alone
            h.watermark(T0 + 8 * DAY);
            assertThat(changes(h)).contains("EXIT u6 RECENT_LOGIN @7d", "EXIT u7 RECENT_LOGIN @7d");
            h.control(ControlMessage.segmentRuleRemoved("NEW_BUYER", 1, "kafka:control/0", 9,
                    new byte[0]));
            h.control(ControlMessage.segmentRuleRemoved("NOPE", 1, "kafka:control/0", 10,
                    new byte[0]));
            assertThat(h.rejected()).singleElement()
                    .satisfies(r -> assertThat(r.reason).isEqualTo("UNKNOWN_RULE"));
        }
    }
}
