package io.journeycep.patterns.segments;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.EventType;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;

/**
 * The segment stage sets one timer per user at {@code nextChange}: it must be exactly the first time the result
 * changes with no new input (earlier wastes a timer, later misses a change). Checked against brute force, midnight by
 * midnight, over random histories; windowed conditions and RFM only change at midnights.
 */
class NextChangeTest {
    private static final long DAY = DailyActivity.DAY_MS;
    private static final long T0 = 20_000 * DAY;
    private static final List<String> PURCHASE = List.of("purchase");

    private static DailyActivity randomHistory(Random r) {
        DailyActivity a = new DailyActivity();
        int days = 1 + r.nextInt(120);
        int events = r.nextInt(25);
        for (int i = 0; i < events; i++) {
            long ts = T0 + (long) r.nextInt(days) * DAY + r.nextInt((int) DAY);
            int measure = r.nextInt(3) == 0 ? EventType.VIEW.ordinal() : EventType.PURCHASE.ordinal();
            a.touch(ts, 30 * 60_000L);
            a.add(ts, measure, r.nextInt(4) == 0 ? 0 : 10 * (1 + r.nextInt(60)));
        }
        return a;
    }

    /** A time at or after the history's last event, as the stage evaluates (time never goes back for a user). */
    private static long now(DailyActivity a, Random r) {
        long last = a.lastActivity == Long.MIN_VALUE ? T0 : a.lastActivity;
        return last + (long) r.nextInt(100) * DAY + r.nextInt((int) DAY);
    }

    /** The first midnight after {@code now} (within 400 days) at which {@code result} differs, or MAX_VALUE. */
    private static <T> long bruteForce(BiFunction<DailyActivity, Long, T> result, DailyActivity a, long now) {
        T current = result.apply(a, now);
        for (long m = (DailyActivity.day(now) + 1L) * DAY; m <= now + 400 * DAY; m += DAY) {
            if (!java.util.Objects.equals(result.apply(a, m), current)) {
                return m;
            }
        }
        return Long.MAX_VALUE;
    }

    @Test
    void windowedConditionsSayExactlyWhenTheirResultNextChanges() {
        List<SegmentCondition> conditions = List.of(
                SegmentConditions.hasDone(PURCHASE, 30),
                SegmentConditions.hasNotDone(PURCHASE, 7),
                SegmentConditions.count(PURCHASE, 60, SegmentCondition.Comparison.AT_LEAST, 3),
                SegmentConditions.count(List.of("purchase", "view"), 14, SegmentCondition.Comparison.MORE_THAN, 2),
                SegmentConditions.count(PURCHASE, 90, SegmentCondition.Comparison.EQUALS, 2),
                SegmentConditions.count(PURCHASE, 45, SegmentCondition.Comparison.LESS_THAN, 4),
                SegmentConditions.sumOfPrice(PURCHASE, 60, SegmentCondition.Comparison.AT_LEAST, 250),
                SegmentConditions.sumOfPrice(PURCHASE, 30, SegmentCondition.Comparison.AT_MOST, 100));
        Random r = new Random(42);
        int withTimer = 0;
        for (int run = 0; run < 400; run++) {
            DailyActivity a = randomHistory(r);
            long now = now(a, r);
            for (SegmentCondition c : conditions) {
                long expected = bruteForce(c::test, a, now);
                assertThat(c.nextChange(a, now)).as("%s at day %d of %s", c.explain(a, now),
                        DailyActivity.day(now), java.util.Arrays.toString(a.days)).isEqualTo(expected);
                withTimer += expected == Long.MAX_VALUE ? 0 : 1;
            }
        }
        assertThat(withTimer).as("the histories exercise both outcomes").isBetween(100, 3100);
    }

    @Test
    void rfmSaysExactlyWhenTheSegmentNextChanges() {
        RfmScoring rfm = RfmScoring.defaults();
        Random r = new Random(7);
        int changing = 0;
        for (int run = 0; run < 400; run++) {
            DailyActivity a = randomHistory(r);
            long now = now(a, r);
            long expected = bruteForce(rfm::segment, a, now);
            assertThat(rfm.nextChange(a, now)).as("%s at day %d", rfm.explain(a, now), DailyActivity.day(now))
                    .isEqualTo(expected);
            changing += expected == Long.MAX_VALUE ? 0 : 1;
        }
        assertThat(changing).isGreaterThan(100);
    }
}
