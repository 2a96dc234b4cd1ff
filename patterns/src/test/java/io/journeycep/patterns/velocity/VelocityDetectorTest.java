package io.journeycep.patterns.velocity;

import static io.journeycep.patterns.velocity.VelocityTestSupport.HOUR;
import static io.journeycep.patterns.velocity.VelocityTestSupport.MIN;
import static io.journeycep.patterns.velocity.VelocityTestSupport.T0;
import static io.journeycep.patterns.velocity.VelocityTestSupport.event;
import static io.journeycep.patterns.velocity.VelocityTestSupport.withPrice;
import static io.journeycep.patterns.velocity.VelocityTestSupport.withUser;
import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.velocity.VelocityRule.Aggregate;
import io.journeycep.patterns.velocity.VelocityRule.Comparison;
import io.journeycep.patterns.velocity.VelocityRule.Dimension;
import io.journeycep.patterns.velocity.VelocityRule.Severity;
import io.journeycep.patterns.velocity.VelocityTestSupport.Driver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;

class VelocityDetectorTest {

    private static VelocityRule rule(String id) {
        return VelocityRule.defaults().stream().filter(r -> r.ruleId.equals(id)).findFirst().orElseThrow();
    }

    /** {@code n} events of one type, {@code gap} apart, starting at T0. */
    private static List<JourneyEvent> burst(EventType type, int n, long gap) {
        List<JourneyEvent> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(event("e" + i, type, T0 + i * gap));
        }
        return out;
    }

    // ---- at, below and above each default threshold, spread over exactly one window ----

    @ParameterizedTest(name = "{0}: {1} events")
    @CsvSource({
        "login-failed-per-user, 4, 0",
        "login-failed-per-user, 5, 1",
        "login-failed-per-user, 6, 1",
        "payment-failed-per-card, 2, 0",
        "payment-failed-per-card, 3, 1",
        "payment-failed-per-card, 4, 1",
        "purchases-per-ip, 9, 0",
        "purchases-per-ip, 10, 1",
        "purchases-per-ip, 11, 1",
    })
    void countDefaultsBelowAtAndAbove(String ruleId, int n, int alerts) {
        VelocityRule r = rule(ruleId);
        EventType type = r.eventTypes.iterator().next();
        // n events spread so the first and the last are exactly one window apart (both edges inclusive)
        List<JourneyEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(event("e" + i, type, T0 + (n == 1 ? 0 : i * r.windowMs / (n - 1))));
        }
        assertThat(events.get(n - 1).timestamp - events.get(0).timestamp).isEqualTo(r.windowMs);
        Driver d = new Driver(r, 0).feed(events).finish();
        assertThat(d.crossings).hasSize(alerts);
        if (alerts == 1) {
            VelocityCrossing c = d.crossings.get(0);
            int at = (int) r.threshold - 1; // the event that reaches the threshold
            assertThat(c.eventTime()).isEqualTo(events.get(at).timestamp);
            assertThat(c.value()).isEqualByComparingTo(String.valueOf((int) r.threshold));
            assertThat(c.windowEnd()).isEqualTo(c.eventTime());
            assertThat(c.windowStart()).isEqualTo(c.eventTime() - r.windowMs);
            assertThat(c.evidenceEventIds()).hasSize((int) r.threshold).endsWith("e" + at);
            assertThat(c.ruleVersion()).isEqualTo(1);
            assertThat(c.threshold()).isEqualTo(r.threshold);
        }
    }

    @Test
    void oneMillisecondTooSpreadIsBelowTheThreshold() {
        VelocityRule r = rule(VelocityRule.LOGIN_FAILED_PER_USER);
        List<JourneyEvent> events = burst(EventType.LOGIN_FAILED, 4, 150_000L); // 0, 2.5, 5, 7.5 min
        events.add(event("e4", EventType.LOGIN_FAILED, T0 + r.windowMs + 1)); // 10 min + 1 ms after the first
        assertThat(new Driver(r, 0).feed(events).finish().crossings).isEmpty();
        events.set(4, event("e4", EventType.LOGIN_FAILED, T0 + r.windowMs)); // exactly 10 min: counts
        assertThat(new Driver(r, 0).feed(events).finish().crossingTimes()).containsExactly(T0 + r.windowMs);
    }

    @Test
    void distinctUsersPerDeviceBelowAtAboveAndRepeatUsersDoNotCount() {
        VelocityRule r = rule(VelocityRule.DISTINCT_USERS_PER_DEVICE);
        List<JourneyEvent> events = new ArrayList<>();
        String[] users = {"u-1", "u-2", "u-1", "u-3", "u-2", "u-3", "u-1"};
        for (int i = 0; i < users.length; i++) {
            events.add(withUser(event("e" + i, EventType.LOGIN, T0 + i * HOUR), users[i]));
        }
        Driver three = new Driver(r, 0).feed(events).finish();
        assertThat(three.crossings).isEmpty(); // 7 events, 3 distinct users: below

        events.add(withUser(event("e7", EventType.VIEW, T0 + 24 * HOUR), "u-4")); // u-1's first login is exactly 24 h before
        Driver four = new Driver(r, 0).feed(events).finish();
        assertThat(four.crossingTimes()).containsExactly(T0 + 24 * HOUR);
        VelocityCrossing c = four.crossings.get(0);
        assertThat(c.value()).isEqualByComparingTo("4");
        assertThat(c.distinctValues()).containsExactly("u-1", "u-2", "u-3", "u-4");

        events.add(withUser(event("e8", EventType.VIEW, T0 + 25 * HOUR), "u-5")); // above: still one crossing
        assertThat(new Driver(r, 0).feed(events).finish().crossings).hasSize(1);
        // anonymous events carry no user id: they do not count as a user
        JourneyEvent anon = withUser(event("x", EventType.VIEW, T0 + 2), null);
        anon.anonymousId = "a-1";
        assertThat(VelocityDetector.forRule(r).add(r, anon)).isFalse();
    }

    @Test
    void sumOfPriceIsExactAtTheThreshold() {
        VelocityRule r = VelocityRule.of("spend-per-card", 1, EnumSet.of(EventType.PURCHASE), Dimension.CARD,
                Aggregate.SUM, VelocityField.PRICE, Comparison.GTE, 0.3, Duration.ofHours(1), Severity.LOW, null);
        List<JourneyEvent> events = new ArrayList<>();
        events.add(withPrice(event("a", EventType.PURCHASE, T0), 0.1));
        events.add(withPrice(event("b", EventType.PURCHASE, T0 + MIN), null)); // no price: ignored
        events.add(withPrice(event("c", EventType.PURCHASE, T0 + HOUR), 0.2)); // 0.1 + 0.2 == 0.3 exactly
        Driver d = new Driver(r, 0).feed(events).finish();
        assertThat(d.crossingTimes()).containsExactly(T0 + HOUR);
        assertThat(d.crossings.get(0).value()).isEqualByComparingTo("0.3");
        assertThat(d.crossings.get(0).evidenceEventIds()).containsExactly("a", "c");

        r.comparison = Comparison.GT; // strictly above: 0.3 is not enough
        assertThat(new Driver(r, 0).feed(events).finish().crossings).isEmpty();
        events.add(withPrice(event("d", EventType.PURCHASE, T0 + HOUR + 1), 0.01)); // "a" has left: 0.21
        assertThat(new Driver(r, 0).feed(events).finish().crossings).isEmpty();
    }

    @Test
    void greaterThanNeedsOneMore() {
        VelocityRule r = rule(VelocityRule.PAYMENT_FAILED_PER_CARD);
        r.comparison = Comparison.GT;
        assertThat(new Driver(r, 0).feed(burst(EventType.PAYMENT_FAILED, 3, MIN)).finish().crossings).isEmpty();
        assertThat(new Driver(r, 0).feed(burst(EventType.PAYMENT_FAILED, 4, MIN)).finish().crossingTimes())
                .containsExactly(T0 + 3 * MIN);
    }

    // ---- crossings and the cool-down ----

    @Test
    void staysAboveFiresOnce() {
        VelocityRule r = rule(VelocityRule.LOGIN_FAILED_PER_USER);
        // one failure a minute for 3 hours: the count never drops below 5 after the 5th
        Driver d = new Driver(r, 0).feed(burst(EventType.LOGIN_FAILED, 180, MIN)).finish();
        assertThat(d.crossingTimes()).containsExactly(T0 + 4 * MIN);
    }

    @Test
    void dropBelowThenRiseAfterTheCooldownFiresAgain() {
        VelocityRule r = rule(VelocityRule.LOGIN_FAILED_PER_USER); // cool-down = window = 10 min
        List<JourneyEvent> events = burst(EventType.LOGIN_FAILED, 5, 1_000L); // crossing at T0 + 4 s
        for (int i = 0; i < 5; i++) { // a second burst 30 min later
            events.add(event("f" + i, EventType.LOGIN_FAILED, T0 + 30 * MIN + i * 1_000L));
        }
        assertThat(new Driver(r, 0).feed(events).finish().crossingTimes())
                .containsExactly(T0 + 4_000L, T0 + 30 * MIN + 4_000L);
    }

    @Test
    void reCrossingInsideTheCooldownFiresWhenItEndsIfStillAbove() {
        VelocityRule r = rule(VelocityRule.PAYMENT_FAILED_PER_CARD); // >= 3 per 1 h
        r.cooldownMs = 2 * HOUR;
        List<JourneyEvent> events = new ArrayList<>();
        long[] times = {0, 1, 2, // crossing at 2 min
            70, 71, 72, // at 70 min the count fell to 1 (re-armed), 72 min re-crosses inside the cool-down
            100, 122, // 122 min: the cool-down ends exactly then (inclusive); [62, 122] holds 5 >= 3: fires
            123};
        for (long m : times) {
            events.add(event("m" + m, EventType.PAYMENT_FAILED, T0 + m * MIN));
        }
        Driver d = new Driver(r, 0).feed(events).finish();
        assertThat(d.crossingTimes()).containsExactly(T0 + 2 * MIN, T0 + 122 * MIN);
        assertThat(d.crossings.get(1).evidenceEventIds()).containsExactly("m70", "m71", "m72", "m100", "m122");
        assertThat(d.crossings.get(1).value()).isEqualByComparingTo("5");
    }

    @Test
    void zeroCooldownFiresOnEveryCrossingAndADipBetweenEventsCounts() {
        VelocityRule r = rule(VelocityRule.PAYMENT_FAILED_PER_CARD);
        r.threshold = 2;
        r.cooldownMs = 0L;
        // 0 and 30 min: 2 (cross). At 60 min + 1 ms the 0-min event has left: 1 (dip, between events).
        // 61 min: 2 again: a new crossing, although every evaluation at an event time saw >= 2.
        List<JourneyEvent> events = List.of(event("a", EventType.PAYMENT_FAILED, T0),
                event("b", EventType.PAYMENT_FAILED, T0 + 30 * MIN), event("c", EventType.PAYMENT_FAILED, T0 + 61 * MIN));
        assertThat(new Driver(r, 0).feed(events).finish().crossingTimes())
                .containsExactly(T0 + 30 * MIN, T0 + 61 * MIN);
        // 60 min exactly: no dip (the 0-min event is still in), one crossing only
        List<JourneyEvent> noDip = List.of(event("a", EventType.PAYMENT_FAILED, T0),
                event("b", EventType.PAYMENT_FAILED, T0 + 30 * MIN), event("c", EventType.PAYMENT_FAILED, T0 + 60 * MIN));
        assertThat(new Driver(r, 0).feed(noDip).finish().crossingTimes()).containsExactly(T0 + 30 * MIN);
    }

    // ---- out of order and state bound ----

    @Test
    void outOfOrderWithinTheLagGivesTheOrderedResult() {
        Random random = new Random(11);
        for (VelocityRule r : VelocityRule.defaults()) {
            r.cooldownMs = r.windowMs / 3;
            EventType type = r.eventTypes.contains(EventType.LOGIN_FAILED) ? EventType.LOGIN_FAILED
                    : r.eventTypes.contains(EventType.PAYMENT_FAILED) ? EventType.PAYMENT_FAILED : EventType.PURCHASE;
            List<JourneyEvent> ordered = new ArrayList<>();
            long t = T0;
            for (int i = 0; i < 400; i++) {
                t += random.nextInt(4) == 0 ? r.windowMs / 2 : random.nextInt((int) (r.windowMs / 8));
                ordered.add(withUser(event(String.format("e%04d", i), type, t), "u-" + random.nextInt(6)));
                if (random.nextInt(5) == 0) {
                    ordered.add(withUser(event(String.format("s%04d", i), type, t), "u-" + random.nextInt(6)));
                }
            }
            long lag = r.windowMs / 4;
            // shuffle within blocks spanning less than the lag, so nothing is late
            List<JourneyEvent> mixed = new ArrayList<>();
            for (int i = 0; i < ordered.size(); ) {
                int j = i + 1;
                while (j < ordered.size() && ordered.get(j).timestamp - ordered.get(i).timestamp < lag) {
                    j++;
                }
                List<JourneyEvent> block = new ArrayList<>(ordered.subList(i, j));
                Collections.shuffle(block, random);
                mixed.addAll(block);
                i = j;
            }
            Driver inOrder = new Driver(r, 0).feed(ordered).finish();
            Driver outOfOrder = new Driver(r, lag).feed(mixed).finish();
            assertThat(outOfOrder.late).isEmpty();
            assertThat(inOrder.crossings).as(r.ruleId).isNotEmpty();
            assertThat(outOfOrder.crossings).as(r.ruleId).isEqualTo(inOrder.crossings);
        }
    }

    @Test
    void stateIsEvictedAndTheDetectorCanBeDropped() {
        VelocityRule r = rule(VelocityRule.LOGIN_FAILED_PER_USER);
        Driver d = new Driver(r, 0);
        for (int i = 0; i < 10_000; i++) {
            d.feed(event("e" + i, EventType.LOGIN_FAILED, T0 + i * 30_000L)); // two a minute, for 3.5 days
        }
        assertThat(d.maxBuckets).isLessThanOrEqualTo(22); // 10 min of events plus the one being added
        long last = T0 + 9_999 * 30_000L;
        assertThat(d.detector.canBeDropped(last + r.windowMs, r.effectiveCooldownMs())).isFalse(); // not settled
        d.finish();
        assertThat(d.detector.window.isEmpty()).isTrue();
        long alertAt = T0 + 4 * 30_000L;
        assertThat(d.detector.canBeDropped(alertAt + r.effectiveCooldownMs() - 1, r.effectiveCooldownMs())).isFalse();
        assertThat(d.detector.canBeDropped(alertAt + r.effectiveCooldownMs(), r.effectiveCooldownMs())).isTrue();
        assertThat(d.crossingTimes()).containsExactly(T0 + 4 * 30_000L);
    }
}
