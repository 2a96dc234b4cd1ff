package io.journeycep.patterns.segments;

import io.journeycep.model.EventType;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * RFM scores (DESIGN §3) of a user with at least one purchase within the window: recency (days since the last
 * purchase; 5 when at most the first cut point, 4 at most the second, … 1 beyond the last), frequency (purchases within
 * the window) and monetary (sum of their prices within the window), each 1 + the number of cut points it reaches. The
 * user is in exactly one segment {@code RFM_<r><f><m>}, e.g. {@code RFM_545}.
 */
public final class RfmScoring implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String PREFIX = "RFM_";
    public static final int VERSION = 1;
    private static final long PURCHASE = 1L << EventType.PURCHASE.ordinal();

    final int windowDays;
    final int[] recencyDays;
    final double[] frequency;
    final double[] monetary;

    /** Each list: 4 ascending cut points. */
    public RfmScoring(int windowDays, List<Integer> recencyDays, List<Double> frequency, List<Double> monetary) {
        this.windowDays = windowDays;
        this.recencyDays = recencyDays.stream().mapToInt(Integer::intValue).toArray();
        this.frequency = frequency.stream().mapToDouble(Double::doubleValue).toArray();
        this.monetary = monetary.stream().mapToDouble(Double::doubleValue).toArray();
    }

    public static RfmScoring defaults() {
        return new RfmScoring(365, List.of(7, 30, 90, 180), List.of(2.0, 3.0, 5.0, 10.0),
                List.of(50.0, 200.0, 500.0, 1000.0));
    }

    /** The user's RFM segment at {@code now}, or {@code null} without a purchase within the window. */
    public String segment(DailyActivity a, long now) {
        int[] s = scores(a, now);
        return s == null ? null : PREFIX + s[0] + s[1] + s[2];
    }

    int[] scores(DailyActivity a, long now) {
        int today = DailyActivity.day(now);
        int from = today - windowDays + 1;
        long count = a.count(PURCHASE, from, today);
        if (count == 0) {
            return null;
        }
        int days = today - a.latestDay(PURCHASE);
        int r = 5;
        for (int cut : recencyDays) {
            if (days > cut) {
                r--;
            }
        }
        return new int[] {r, reached(count, frequency), reached(a.sum(PURCHASE, from, today), monetary)};
    }

    private static int reached(double v, double[] cuts) {
        int s = 1;
        for (double c : cuts) {
            if (v >= c) {
                s++;
            }
        }
        return s;
    }

    /**
     * When the segment can next change without a purchase, exactly: the candidates are the midnights at which a
     * purchase day leaves the window and the first recency cut point still ahead, and the segment is simulated at each
     * in turn (a purchase day leaving that moves no score costs no timer).
     */
    public long nextChange(DailyActivity a, long now) {
        String current = segment(a, now);
        if (current == null) {
            return Long.MAX_VALUE;
        }
        int today = DailyActivity.day(now);
        int from = today - windowDays + 1;
        long[] candidates = new long[a.days.length + 1];
        int n = 0;
        int last = a.latestDay(PURCHASE);
        for (int cut : recencyDays) {
            long day = (long) last + cut + 1; // the first day with days-since > cut
            if (day > today) {
                candidates[n++] = day * DailyActivity.DAY_MS;
                break;
            }
        }
        int previous = Integer.MIN_VALUE;
        for (int i = 0; i < a.days.length && a.days[i] <= today; i++) {
            if (a.days[i] >= from && a.days[i] != previous && (PURCHASE & (1L << a.measures[i])) != 0) {
                previous = a.days[i];
                candidates[n++] = (long) (a.days[i] + windowDays) * DailyActivity.DAY_MS;
            }
        }
        Arrays.sort(candidates, 0, n);
        for (int i = 0; i < n; i++) {
            if (!current.equals(segment(a, candidates[i]))) {
                return candidates[i];
            }
        }
        return Long.MAX_VALUE;
    }

    public String explain(DailyActivity a, long now) {
        int today = DailyActivity.day(now);
        int from = today - windowDays + 1;
        long count = a.count(PURCHASE, from, today);
        if (count == 0) {
            return "no purchase in " + windowDays + "d";
        }
        int[] s = scores(a, now);
        return String.format(Locale.ROOT, "recency %dd → %d, frequency %d purchases in %dd → %d, monetary %.2f → %d",
                today - a.latestDay(PURCHASE), s[0], count, windowDays, s[1], a.sum(PURCHASE, from, today), s[2]);
    }

    @Override
    public String toString() {
        return "RFM(window " + windowDays + "d, recency " + Arrays.toString(recencyDays) + ", frequency "
                + Arrays.toString(frequency) + ", monetary " + Arrays.toString(monetary) + ")";
    }
}
