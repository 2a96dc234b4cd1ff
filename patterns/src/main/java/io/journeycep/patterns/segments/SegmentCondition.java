package io.journeycep.patterns.segments;

import io.journeycep.model.Durations;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * A condition over a user's {@link DailyActivity} at an event time {@code now} (DESIGN §3 segment rules). Windows are
 * whole UTC days: "within 7d" at {@code now} means today (the UTC day of {@code now}) and the 6 days before, so a
 * bucket leaves the window at a midnight. Each condition also says when, without any new event, its value can next
 * change ({@link #nextChange}), which is where the segment stage sets its event-time timer.
 *
 * <p>Written in rules as one-key maps (see {@link SegmentConditions#parse}): {@code count}, {@code sum},
 * {@code has-done}, {@code has-not-done}, {@code first}, {@code quiet-for}, {@code all}, {@code any}, {@code not}.
 */
public abstract class SegmentCondition implements Serializable {
    private static final long serialVersionUID = 1L;

    SegmentCondition() {}

    public abstract boolean test(DailyActivity a, long now);

    /** The earliest time after {@code now} at which {@link #test} can change with no new input; MAX_VALUE if never. */
    public abstract long nextChange(DailyActivity a, long now);

    /** The values behind the current result, in words (the reason of an ENTER or EXIT). */
    public abstract String explain(DailyActivity a, long now);

    /** How many days of history this condition reads (the stage's state horizon is the largest). */
    public abstract int lookbackDays();

    // ------------------------------------------------------------------------------------------- leaves

    /** Comparison of an aggregate with a threshold. */
    public enum Comparison {
        AT_LEAST(">="), MORE_THAN(">"), AT_MOST("<="), LESS_THAN("<"), EQUALS("=");

        final String symbol;

        Comparison(String symbol) {
            this.symbol = symbol;
        }

        public String key() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        boolean holds(double value, double threshold) {
            switch (this) {
                case AT_LEAST:
                    return value >= threshold;
                case MORE_THAN:
                    return value > threshold;
                case AT_MOST:
                    return value <= threshold;
                case LESS_THAN:
                    return value < threshold;
                default:
                    return value == threshold;
            }
        }
    }

    /** count / sum of prices / has-done / has-not-done of measures within the last {@code days} days. */
    public static final class Windowed extends SegmentCondition {
        private static final long serialVersionUID = 1L;
        final String label;
        final long mask;
        final int days;
        final boolean sum;
        final Comparison comparison;
        final double threshold;

        Windowed(String label, long mask, int days, boolean sum, Comparison comparison, double threshold) {
            this.label = label;
            this.mask = mask;
            this.days = days;
            this.sum = sum;
            this.comparison = comparison;
            this.threshold = threshold;
        }

        double value(DailyActivity a, long now) {
            int today = DailyActivity.day(now);
            return sum ? a.sum(mask, today - days + 1, today) : a.count(mask, today - days + 1, today);
        }

        @Override
        public boolean test(DailyActivity a, long now) {
            return comparison.holds(value(a, now), threshold);
        }

        /**
         * Exact: with no new input the value only changes when a day's buckets leave the window (at the midnight
         * {@code days} after that day), so the result is simulated at each of those midnights and the first one at
         * which it differs is returned. A bucket leaving that changes nothing (a second purchase of a has-done, a
         * count that stays over its threshold) costs no timer.
         */
        @Override
        public long nextChange(DailyActivity a, long now) {
            int today = DailyActivity.day(now);
            int from = today - days + 1;
            boolean holds = test(a, now);
            long remaining = sum ? 0 : (long) value(a, now);
            int n = a.days.length;
            int i = 0;
            while (i < n && a.days[i] <= today) {
                int day = a.days[i];
                long leaving = 0;
                boolean matches = false;
                for (; i < n && a.days[i] == day; i++) {
                    if ((mask & (1L << a.measures[i])) != 0) {
                        matches = true;
                        leaving += a.counts[i];
                    }
                }
                if (day < from || !matches) {
                    continue;
                }
                long leavesAt = (long) (day + days) * DailyActivity.DAY_MS;
                boolean then;
                if (sum) {
                    then = test(a, leavesAt); // recomputed, so a tie is decided exactly as test() will decide it
                } else {
                    remaining -= leaving;
                    then = comparison.holds(remaining, threshold);
                }
                if (then != holds) {
                    return leavesAt;
                }
            }
            return Long.MAX_VALUE;
        }

        @Override
        public String explain(DailyActivity a, long now) {
            double v = value(a, now);
            String shown = sum ? String.format(Locale.ROOT, "%.2f", v) : String.valueOf((long) v);
            String limit = sum ? String.format(Locale.ROOT, "%.2f", threshold) : String.valueOf((long) threshold);
            return label + " in " + days + "d = " + shown + " (" + comparison.symbol + " " + limit + ": "
                    + (comparison.holds(v, threshold) ? "yes" : "no") + ")";
        }

        @Override
        public int lookbackDays() {
            return days;
        }
    }

    /** The user's first occurrence of the measures (within the state horizon) lies within the last {@code days}. */
    public static final class First extends SegmentCondition {
        private static final long serialVersionUID = 1L;
        final String label;
        final long mask;
        final int days;

        First(String label, long mask, int days) {
            this.label = label;
            this.mask = mask;
            this.days = days;
        }

        @Override
        public boolean test(DailyActivity a, long now) {
            int first = a.earliestDay(mask, Integer.MIN_VALUE);
            return first != Integer.MAX_VALUE && first >= DailyActivity.day(now) - days + 1;
        }

        @Override
        public long nextChange(DailyActivity a, long now) {
            return test(a, now) ? (long) (a.earliestDay(mask, Integer.MIN_VALUE) + days) * DailyActivity.DAY_MS
                    : Long.MAX_VALUE;
        }

        @Override
        public String explain(DailyActivity a, long now) {
            int first = a.earliestDay(mask, Integer.MIN_VALUE);
            if (first == Integer.MAX_VALUE) {
                return "no " + label + " yet";
            }
            int ago = DailyActivity.day(now) - first;
            return "first " + label + " " + ago + "d ago (within " + days + "d: " + (ago < days ? "yes" : "no") + ")";
        }

        @Override
        public int lookbackDays() {
            return days;
        }
    }

    /** No event of any type for at least {@code quiet} (exact, not in days). */
    public static final class QuietFor extends SegmentCondition {
        private static final long serialVersionUID = 1L;
        final Duration quiet;

        QuietFor(Duration quiet) {
            this.quiet = quiet;
        }

        @Override
        public boolean test(DailyActivity a, long now) {
            return a.lastActivity != Long.MIN_VALUE && now - a.lastActivity >= quiet.toMillis();
        }

        @Override
        public long nextChange(DailyActivity a, long now) {
            if (a.lastActivity == Long.MIN_VALUE) {
                return Long.MAX_VALUE;
            }
            long t = a.lastActivity + quiet.toMillis();
            return t > now ? t : Long.MAX_VALUE;
        }

        @Override
        public String explain(DailyActivity a, long now) {
            if (a.lastActivity == Long.MIN_VALUE) {
                return "no activity yet";
            }
            long quietMs = Math.max(0, now - a.lastActivity);
            return "quiet for " + Durations.format(Duration.ofMillis(quietMs - quietMs % 60_000)) + " (at least "
                    + Durations.format(quiet) + ": " + (test(a, now) ? "yes" : "no") + ")";
        }

        @Override
        public int lookbackDays() {
            return (int) Math.min(Integer.MAX_VALUE, (quiet.toMillis() + DailyActivity.DAY_MS - 1) / DailyActivity.DAY_MS);
        }
    }

    // --------------------------------------------------------------------------------------- composites

    /** all / any of the children. */
    public static final class Combined extends SegmentCondition {
        private static final long serialVersionUID = 1L;
        final boolean all;
        final List<SegmentCondition> children;

        Combined(boolean all, List<SegmentCondition> children) {
            this.all = all;
            this.children = List.copyOf(children);
        }

        @Override
        public boolean test(DailyActivity a, long now) {
            for (SegmentCondition c : children) {
                if (c.test(a, now) != all) {
                    return !all;
                }
            }
            return all;
        }

        @Override
        public long nextChange(DailyActivity a, long now) {
            long next = Long.MAX_VALUE;
            for (SegmentCondition c : children) {
                next = Math.min(next, c.nextChange(a, now));
            }
            return next;
        }

        @Override
        public String explain(DailyActivity a, long now) {
            StringBuilder sb = new StringBuilder();
            for (SegmentCondition c : children) {
                if (sb.length() > 0) {
                    sb.append(all ? " and " : " or ");
                }
                sb.append(c instanceof Combined ? "(" + c.explain(a, now) + ")" : c.explain(a, now));
            }
            return sb.toString();
        }

        @Override
        public int lookbackDays() {
            int d = 0;
            for (SegmentCondition c : children) {
                d = Math.max(d, c.lookbackDays());
            }
            return d;
        }
    }

    public static final class Not extends SegmentCondition {
        private static final long serialVersionUID = 1L;
        final SegmentCondition child;

        Not(SegmentCondition child) {
            this.child = child;
        }

        @Override
        public boolean test(DailyActivity a, long now) {
            return !child.test(a, now);
        }

        @Override
        public long nextChange(DailyActivity a, long now) {
            return child.nextChange(a, now);
        }

        @Override
        public String explain(DailyActivity a, long now) {
            return "not (" + child.explain(a, now) + ")";
        }

        @Override
        public int lookbackDays() {
            return child.lookbackDays();
        }
    }
}
