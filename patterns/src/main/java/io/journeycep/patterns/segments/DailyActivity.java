package io.journeycep.patterns.segments;

import io.journeycep.model.EventType;
import io.journeycep.model.PrimitiveArrays;

import java.util.Arrays;
import java.util.Objects;

/**
 * A user's history as daily buckets (DESIGN §3: bucketed counts, never raw events): per UTC day and measure, a count
 * and a sum of prices. Measures are the canonical event types, {@link #CART_ABANDONED} (the user's CART_ABANDONED
 * alerts) and {@link #SESSION} (session starts). Only days and measures that happened are stored, sorted by (day,
 * measure), in parallel arrays: about 17 bytes per (day, measure) the user was active in, so a user active on 10 days
 * of the year with 2 kinds of events holds ~340 bytes. Days older than the horizon are dropped on every add.
 *
 * <p>A Flink POJO (arrays of primitives), held in keyed state by the segment stage.
 */
public class DailyActivity {
    public static final long DAY_MS = 86_400_000L;
    /** Measure of the user's CART_ABANDONED alerts. */
    public static final int CART_ABANDONED = EventType.values().length;
    /** Measure of session starts (an event more than the session gap after the user's previous one). */
    public static final int SESSION = CART_ABANDONED + 1;
    public static final int MEASURES = SESSION + 1;

    public int[] days = new int[0];
    public byte[] measures = new byte[0];
    public int[] counts = new int[0];
    public double[] sums = new double[0];
    /** Time of the user's latest event (any type), or {@link Long#MIN_VALUE} before the first. */
    public long lastActivity = Long.MIN_VALUE;

    public DailyActivity() {}

    public static int day(long ts) {
        return (int) Math.floorDiv(ts, DAY_MS);
    }

    public boolean isEmpty() {
        return days.length == 0;
    }

    /** Adds one occurrence of {@code measure} at {@code ts} with {@code amount} (a price, or 0). */
    public void add(long ts, int measure, double amount) {
        int day = day(ts);
        int i = find(day, measure);
        if (i >= 0) {
            counts[i]++;
            sums[i] += amount;
            return;
        }
        int at = -i - 1;
        days = PrimitiveArrays.insert(days, at, day);
        measures = PrimitiveArrays.insert(measures, at, (byte) measure);
        counts = PrimitiveArrays.insert(counts, at, 1);
        sums = PrimitiveArrays.insert(sums, at, amount);
    }

    /** Marks an event at {@code ts}; returns whether it starts a session (first event, or more than the gap after the last). */
    public boolean touch(long ts, long sessionGapMs) {
        boolean starts = lastActivity == Long.MIN_VALUE || ts - lastActivity > sessionGapMs;
        lastActivity = Math.max(lastActivity, ts);
        return starts;
    }

    /** Occurrences of the measures in {@code mask} (bit per measure) on days {@code [fromDay, toDay]}. */
    public long count(long mask, int fromDay, int toDay) {
        long n = 0;
        for (int i = 0; i < days.length; i++) {
            if (days[i] >= fromDay && days[i] <= toDay && (mask & (1L << measures[i])) != 0) {
                n += counts[i];
            }
        }
        return n;
    }

    /** Sum of prices of the measures in {@code mask} on days {@code [fromDay, toDay]}. */
    public double sum(long mask, int fromDay, int toDay) {
        double s = 0;
        for (int i = 0; i < days.length; i++) {
            if (days[i] >= fromDay && days[i] <= toDay && (mask & (1L << measures[i])) != 0) {
                s += sums[i];
            }
        }
        return s;
    }

    /** The earliest day ≥ {@code fromDay} with one of the measures, or {@link Integer#MAX_VALUE}. */
    public int earliestDay(long mask, int fromDay) {
        for (int i = 0; i < days.length; i++) { // sorted by day
            if (days[i] >= fromDay && (mask & (1L << measures[i])) != 0) {
                return days[i];
            }
        }
        return Integer.MAX_VALUE;
    }

    /** The latest day with one of the measures, or {@link Integer#MIN_VALUE}. */
    public int latestDay(long mask) {
        for (int i = days.length - 1; i >= 0; i--) {
            if ((mask & (1L << measures[i])) != 0) {
                return days[i];
            }
        }
        return Integer.MIN_VALUE;
    }

    /** Drops the buckets of days before {@code fromDay}. */
    public void dropBefore(int fromDay) {
        int k = 0;
        while (k < days.length && days[k] < fromDay) {
            k++;
        }
        if (k > 0) {
            days = Arrays.copyOfRange(days, k, days.length);
            measures = Arrays.copyOfRange(measures, k, measures.length);
            counts = Arrays.copyOfRange(counts, k, counts.length);
            sums = Arrays.copyOfRange(sums, k, sums.length);
        }
    }

    /** Bytes of the bucket arrays' contents (for the state-size benchmark). */
    public int bucketBytes() {
        return days.length * (4 + 1 + 4 + 8);
    }

    private int find(int day, int measure) {
        int lo = 0;
        int hi = days.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = days[mid] != day ? Integer.compare(days[mid], day) : Integer.compare(measures[mid], measure);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }




    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DailyActivity)) {
            return false;
        }
        DailyActivity that = (DailyActivity) o;
        return lastActivity == that.lastActivity && Arrays.equals(days, that.days)
                && Arrays.equals(measures, that.measures) && Arrays.equals(counts, that.counts)
                && Arrays.equals(sums, that.sums);
    }

    @Override
    public int hashCode() {
        return Objects.hash(lastActivity, Arrays.hashCode(days), Arrays.hashCode(measures), Arrays.hashCode(counts),
                Arrays.hashCode(sums));
    }
}
