package io.journeycep.patterns.velocity;

import static io.journeycep.patterns.velocity.VelocityTestSupport.MIN;
import static io.journeycep.patterns.velocity.VelocityTestSupport.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.journeycep.patterns.velocity.VelocityRule.Aggregate;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

class SlidingWindowAggregateTest {

    private static final long W = 10 * MIN;

    private static SlidingWindowAggregate count() {
        return new SlidingWindowAggregate(Aggregate.COUNT, W);
    }

    @Test
    void bothWindowEdgesAreInclusive() {
        SlidingWindowAggregate w = count();
        w.addCount(T0, "a");
        w.addCount(T0 + W, "b");
        assertThat(w.valueAt(T0 + W)).isEqualByComparingTo("2"); // exactly one window apart: together
        assertThat(w.valueAt(T0 + W + 1)).isEqualByComparingTo("1"); // one ms later "a" has left
        assertThat(w.valueAt(T0 + W - 1)).isEqualByComparingTo("1"); // "b" not yet in
        assertThat(w.valueBefore(T0 + W)).isEqualByComparingTo("1"); // an instant before "b"
        assertThat(w.windowStart(T0 + W)).isEqualTo(T0);
        assertThat(w.evidenceAt(T0 + W)).containsExactly("a", "b");
    }

    @Test
    void sameTimestampCoalescesIntoOneBucket() {
        SlidingWindowAggregate w = count();
        for (int i = 0; i < 7; i++) {
            w.addCount(T0, "e" + i);
        }
        assertThat(w.size()).isEqualTo(1);
        assertThat(w.valueAt(T0)).isEqualByComparingTo("7");
        assertThat(w.valueBefore(T0)).isEqualByComparingTo("0");
    }

    @Test
    void sumIsExactDecimalAndIgnoresMissingOrNegativeValues() {
        SlidingWindowAggregate w = new SlidingWindowAggregate(Aggregate.SUM, W);
        assertThat(w.addValue(T0, BigDecimal.valueOf(0.1), "a")).isTrue();
        assertThat(w.addValue(T0 + 1, BigDecimal.valueOf(0.2), "b")).isTrue();
        assertThat(w.addValue(T0 + 2, null, "c")).isFalse();
        assertThat(w.addValue(T0 + 3, BigDecimal.valueOf(-5), "d")).isFalse();
        assertThat(w.addValue(T0 + 1, BigDecimal.valueOf(0.05), "e")).isTrue(); // coalesced with "b"
        assertThat(w.valueAt(T0 + 3)).isEqualByComparingTo("0.35"); // 0.1 + 0.2 + 0.05, no binary rounding
        assertThat(w.size()).isEqualTo(2);
        assertThat(w.evidenceAt(T0 + 3)).containsExactly("a", "b", "e");
    }

    @Test
    void distinctCountCountsValuesNotEvents() {
        SlidingWindowAggregate w = new SlidingWindowAggregate(Aggregate.DISTINCT_COUNT, W);
        w.addDistinct(T0, "u-1", "a");
        w.addDistinct(T0 + MIN, "u-2", "b");
        w.addDistinct(T0 + 2 * MIN, "u-1", "c");
        w.addDistinct(T0 + 2 * MIN, "u-1", "d"); // same value, same time: same bucket
        assertThat(w.addDistinct(T0 + 3 * MIN, null, "e")).isFalse();
        assertThat(w.valueAt(T0 + 2 * MIN)).isEqualByComparingTo("2");
        assertThat(w.size()).isEqualTo(3);
        assertThat(w.distinctValuesAt(T0 + 2 * MIN, 10)).containsExactly("u-1", "u-2");
        // evidence: the latest occurrence of each value, whether or not the earlier ones were compacted yet
        assertThat(w.evidenceAt(T0 + 2 * MIN + 1)).containsExactly("b", "c", "d");
        w.settle(T0 + 2 * MIN);
        assertThat(w.size()).isEqualTo(2);
        assertThat(w.evidenceAt(T0 + 2 * MIN + 1)).containsExactly("b", "c", "d");
        // u-1's earlier occurrence leaves, its later one keeps it in the window
        assertThat(w.valueAt(T0 + W + MIN)).isEqualByComparingTo("2");
        assertThat(w.valueAt(T0 + W + MIN + 1)).isEqualByComparingTo("1");
    }

    @Test
    void settlingKeepsOnlyTheLatestSettledOccurrenceOfADistinctValue() {
        SlidingWindowAggregate w = new SlidingWindowAggregate(Aggregate.DISTINCT_COUNT, W);
        for (int i = 0; i < 100; i++) {
            w.addDistinct(T0 + i * 1_000L, "u-" + (i % 3), "e" + i);
        }
        w.addDistinct(T0 + 5 * MIN, "u-0", "ahead"); // not yet settled: stays its own bucket
        w.settle(T0 + 99_000L);
        assertThat(w.size()).isEqualTo(4);
        assertThat(w.valueAt(T0 + 99_000L + 1)).isEqualByComparingTo("3");
        // the latest occurrences: u-1 at 97 s, u-2 at 98 s, u-0 at 99 s (and "ahead" at 5 min)
        assertThat(w.valueAt(T0 + W + 97_000L)).isEqualByComparingTo("3");
        assertThat(w.valueAt(T0 + W + 98_000L)).isEqualByComparingTo("2"); // u-1 left
        assertThat(w.valueAt(T0 + W + 100_000L)).isEqualByComparingTo("1"); // u-0 is held by "ahead"
        assertThat(w.valueAt(T0 + W + 5 * MIN + 1)).isEqualByComparingTo("0");
    }

    @Test
    void settlingEvictsEverythingOutsideLaterWindowsAndRefusesLateEvents() {
        SlidingWindowAggregate w = count();
        for (int i = 0; i < 1_000; i++) {
            w.addCount(T0 + i * MIN, "e" + i);
            w.settle(T0 + i * MIN);
            assertThat(w.size()).isLessThanOrEqualTo(11); // [t − 10 min, t] at one event per minute
        }
        assertThat(w.addCount(T0 + 999 * MIN, "late")).isFalse();
        assertThat(w.isLate(T0 + 999 * MIN)).isTrue();
        assertThatThrownBy(() -> w.valueAt(T0 + 999 * MIN)).isInstanceOf(IllegalStateException.class);
        assertThat(w.valueAt(T0 + 999 * MIN + 1)).isEqualByComparingTo("10");
        w.settle(T0 + 999 * MIN + W);
        assertThat(w.isEmpty()).isTrue();
    }

    @Test
    void evidenceIsBoundedToTheLatestFifty() {
        SlidingWindowAggregate w = count();
        for (int i = 0; i < 120; i++) {
            w.addCount(T0 + i, String.format("e%03d", i));
        }
        for (int i = 0; i < 80; i++) {
            w.addCount(T0 + 200, String.format("s%03d", i)); // one bucket keeps its 50 smallest ids
        }
        assertThat(w.buckets.get(w.size() - 1).eventIds).hasSize(SlidingWindowAggregate.MAX_EVIDENCE);
        List<String> ids = w.evidenceAt(T0 + 119);
        assertThat(ids).hasSize(50).startsWith("e070").endsWith("e119");
        assertThat(w.valueAt(T0 + 200)).isEqualByComparingTo("200");
    }

    @Test
    void outOfOrderInputGivesTheOrderedResult() {
        Random random = new Random(7);
        for (Aggregate kind : Aggregate.values()) {
            List<long[]> events = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                events.add(new long[] {T0 + random.nextInt(30) * MIN + random.nextInt(3), i, random.nextInt(6)});
            }
            List<long[]> shuffled = new ArrayList<>(events);
            Collections.shuffle(shuffled, random);
            events.sort((a, b) -> Long.compare(a[0], b[0]));
            SlidingWindowAggregate ordered = fill(kind, events);
            SlidingWindowAggregate mixed = fill(kind, shuffled);
            assertThat(mixed).isEqualTo(ordered);
            for (long t = T0; t <= T0 + 45 * MIN; t += MIN / 2) {
                assertThat(mixed.valueAt(t)).as("%s at %d", kind, t).isEqualByComparingTo(ordered.valueAt(t));
                assertThat(mixed.evidenceAt(t)).isEqualTo(ordered.evidenceAt(t));
            }
        }
    }

    private static SlidingWindowAggregate fill(Aggregate kind, List<long[]> events) {
        SlidingWindowAggregate w = new SlidingWindowAggregate(kind, W);
        for (long[] e : events) {
            String id = "e" + e[1];
            switch (kind) {
                case COUNT:
                    w.addCount(e[0], id);
                    break;
                case SUM:
                    w.addValue(e[0], BigDecimal.valueOf(e[2] * 0.1), id);
                    break;
                default:
                    w.addDistinct(e[0], "v" + e[2], id);
            }
        }
        return w;
    }

    @Test
    void isAFlinkPojoWithoutKryo() throws Exception {
        for (Aggregate kind : Aggregate.values()) {
            SlidingWindowAggregate w = fill(kind, List.of(new long[] {T0, 1, 2}, new long[] {T0 + 5, 2, 3}));
            w.settle(T0 + 1);
            assertThat(roundTrip(SlidingWindowAggregate.class, w)).isEqualTo(w);
        }
        VelocityDetector d = VelocityDetector.forRule(VelocityRule.defaults().get(2));
        d.alerted = true;
        d.lastAlertTime = T0;
        d.window.addDistinct(T0, "u-1", "e1");
        VelocityDetector back = roundTrip(VelocityDetector.class, d);
        assertThat(back.window).isEqualTo(d.window);
        assertThat(back.alerted).isTrue();
        assertThat(back.lastAlertTime).isEqualTo(T0);
        for (VelocityRule rule : VelocityRule.defaults()) {
            assertThat(roundTrip(VelocityRule.class, rule)).isEqualTo(rule);
        }
        assertThat(roundTrip(VelocityRule.class, new VelocityRule())).isEqualTo(new VelocityRule());
    }

    static <T> T roundTrip(Class<T> type, T value) throws Exception {
        return io.journeycep.patterns.PojoRoundTrip.roundTrip(type, value);
    }
}
