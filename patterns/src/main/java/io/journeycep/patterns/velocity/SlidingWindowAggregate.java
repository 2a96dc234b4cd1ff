package io.journeycep.patterns.velocity;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * An exact event-time sliding-window aggregate ({@code COUNT}, {@code DISTINCT_COUNT} or {@code SUM}) for one rule
 * and key, in plain Java and a Flink POJO (no Kryo).
 *
 * <p><b>Window.</b> {@link #valueAt(long) valueAt(t)} aggregates the events with timestamp in {@code [t − W, t]}:
 * both ends inclusive, as DESIGN §3's boundaries (an event exactly {@code W} before {@code t} still counts).
 * {@link #valueBefore(long) valueBefore(t)} aggregates {@code [t − W, t)}: the value an instant before {@code t}, which
 * is the smallest value the aggregate had since the previous event time (between event times it only falls, as
 * events leave; this is why sums ignore negative values).
 *
 * <p><b>Order and the frontier.</b> Events may be {@link #add added} in any timestamp order. {@link #settle(long)
 * settle(T)} declares that no event with timestamp {@code ≤ T} will be added any more and no value at a time
 * {@code ≤ T} will be asked for (in Flink: the watermark has passed {@code T} and the evaluation at {@code T} is done).
 * Later adds at or before the frontier are refused as late ({@code add} returns {@code false}) and queries at or before
 * it throw. Within that contract results do not depend on arrival order: out-of-order input gives exactly the result
 * of ordered input.
 *
 * <p><b>Bounded state.</b> Entries are compacted only where that is exact:
 * <ul>
 *   <li>{@code COUNT} and {@code SUM}: one bucket per timestamp (count, exact decimal sum);
 *   <li>{@code DISTINCT_COUNT}: one bucket per (timestamp, value), and, once settled, only the latest timestamp of
 *       each value (for any window ending after the frontier, the latest occurrence is in it iff any is);
 *   <li>settling through {@code T} evicts every bucket with timestamp {@code ≤ T − W} (outside every later window).
 * </ul>
 * So the state holds O(buckets in the window plus not yet settled), never more; it is empty when nothing is left in
 * or ahead of the window. Each bucket keeps at most {@link #MAX_EVIDENCE} event ids (the smallest, so the choice does
 * not depend on arrival order).
 *
 * <p>Cost: adds are O(log n + n) (sorted array insert), queries and settles O(n), n = buckets held.
 */
public class SlidingWindowAggregate {

    /** At most this many evidence event ids per bucket and per answer of {@link #evidenceAt(long)}. */
    public static final int MAX_EVIDENCE = 50;

    public VelocityRule.Aggregate aggregate;
    /** Window length in ms. */
    public long windowMs;
    /** Settled through this time (see {@link #settle(long)}); {@link Long#MIN_VALUE} when nothing is settled. */
    public long frontier = Long.MIN_VALUE;
    /** Sorted by timestamp, then distinct value. */
    public List<WindowBucket> buckets = new ArrayList<>();

    public SlidingWindowAggregate() {}

    public SlidingWindowAggregate(VelocityRule.Aggregate aggregate, long windowMs) {
        if (windowMs <= 0) {
            throw new IllegalArgumentException("window must be > 0 ms: " + windowMs);
        }
        this.aggregate = Objects.requireNonNull(aggregate, "aggregate");
        this.windowMs = windowMs;
    }

    // ---- adding ----

    /** {@code COUNT}: adds one event. Returns {@code false} (and changes nothing) when it is late. */
    public boolean addCount(long timestamp, String eventId) {
        requireKind(VelocityRule.Aggregate.COUNT);
        return insert(timestamp, null, null, eventId);
    }

    /** {@code SUM}: adds a value ({@code null} or negative: ignored, returns {@code false}). */
    public boolean addValue(long timestamp, BigDecimal value, String eventId) {
        requireKind(VelocityRule.Aggregate.SUM);
        if (value == null || value.signum() < 0) {
            return false;
        }
        return insert(timestamp, null, value, eventId);
    }

    /** {@code DISTINCT_COUNT}: adds an occurrence of a value ({@code null}: ignored, returns {@code false}). */
    public boolean addDistinct(long timestamp, String value, String eventId) {
        requireKind(VelocityRule.Aggregate.DISTINCT_COUNT);
        if (value == null) {
            return false;
        }
        return insert(timestamp, value, null, eventId);
    }

    /** Whether an event at this timestamp would be refused as late (at or before the frontier). */
    public boolean isLate(long timestamp) {
        return timestamp <= frontier;
    }

    private boolean insert(long timestamp, String distinctValue, BigDecimal value, String eventId) {
        if (isLate(timestamp)) {
            return false;
        }
        int i = search(timestamp, distinctValue);
        WindowBucket b;
        if (i >= 0) {
            b = buckets.get(i);
        } else {
            b = new WindowBucket();
            b.timestamp = timestamp;
            b.distinctValue = distinctValue;
            b.sum = aggregate == VelocityRule.Aggregate.SUM ? BigDecimal.ZERO : null;
            buckets.add(-i - 1, b);
        }
        b.count++;
        if (value != null) {
            b.sum = b.sum.add(value);
        }
        if (eventId != null) {
            addId(b.eventIds, eventId);
        }
        return true;
    }

    /** Keeps {@code ids} sorted, without duplicates, and at most {@link #MAX_EVIDENCE} long (the smallest). */
    private static void addId(List<String> ids, String id) {
        int pos = Collections.binarySearch(ids, id);
        if (pos >= 0) {
            return;
        }
        int at = -pos - 1;
        if (at >= MAX_EVIDENCE) {
            return;
        }
        ids.add(at, id);
        if (ids.size() > MAX_EVIDENCE) {
            ids.remove(ids.size() - 1);
        }
    }

    private int search(long timestamp, String distinctValue) {
        int lo = 0;
        int hi = buckets.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            WindowBucket m = buckets.get(mid);
            int c = compare(m.timestamp, m.distinctValue, timestamp, distinctValue);
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

    private static int compare(long t1, String v1, long t2, String v2) {
        int c = Long.compare(t1, t2);
        if (c != 0) {
            return c;
        }
        if (v1 == null) {
            return v2 == null ? 0 : -1;
        }
        return v2 == null ? 1 : v1.compareTo(v2);
    }

    // ---- querying ----

    /** The aggregate over {@code [t − W, t]}. */
    public BigDecimal valueAt(long t) {
        return value(t, true);
    }

    /** The aggregate over {@code [t − W, t)}: the value an instant before {@code t}. */
    public BigDecimal valueBefore(long t) {
        return value(t, false);
    }

    /** The first instant of the window ending at {@code t}: {@code t − W} (inclusive). */
    public long windowStart(long t) {
        return t - windowMs;
    }

    private BigDecimal value(long t, boolean includeT) {
        requireQueryable(t);
        long from = t - windowMs;
        switch (aggregate) {
            case COUNT: {
                long n = 0;
                for (WindowBucket b : buckets) {
                    if (in(b.timestamp, from, t, includeT)) {
                        n += b.count;
                    }
                }
                return BigDecimal.valueOf(n);
            }
            case SUM: {
                BigDecimal s = BigDecimal.ZERO;
                for (WindowBucket b : buckets) {
                    if (in(b.timestamp, from, t, includeT)) {
                        s = s.add(b.sum);
                    }
                }
                return s;
            }
            case DISTINCT_COUNT: {
                Set<String> values = new HashSet<>();
                for (WindowBucket b : buckets) {
                    if (in(b.timestamp, from, t, includeT)) {
                        values.add(b.distinctValue);
                    }
                }
                return BigDecimal.valueOf(values.size());
            }
            default:
                throw new IllegalStateException(String.valueOf(aggregate));
        }
    }

    private static boolean in(long ts, long from, long to, boolean includeTo) {
        return ts >= from && (includeTo ? ts <= to : ts < to);
    }

    /**
     * Evidence for the window ending at {@code t}: event ids in event-time order (ids of one timestamp in id
     * order), the latest {@link #MAX_EVIDENCE} when there are more. For {@code DISTINCT_COUNT}: the ids of the latest
     * occurrence of each distinct value in the window.
     */
    public List<String> evidenceAt(long t) {
        requireQueryable(t);
        long from = t - windowMs;
        List<WindowBucket> in = new ArrayList<>();
        for (WindowBucket b : buckets) {
            if (in(b.timestamp, from, t, true)) {
                in.add(b);
            }
        }
        if (aggregate == VelocityRule.Aggregate.DISTINCT_COUNT) {
            // only the latest occurrence of each value: what settling keeps, so the answer does not depend on when
            // (or whether) earlier occurrences were compacted away
            Map<String, WindowBucket> latest = new HashMap<>();
            for (WindowBucket b : in) {
                latest.put(b.distinctValue, b);
            }
            in.removeIf(b -> latest.get(b.distinctValue) != b);
        }
        // buckets are sorted by (timestamp, value); re-sort ids within one timestamp across values
        List<long[]> order = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (WindowBucket b : in) {
            for (String id : b.eventIds) {
                order.add(new long[] {b.timestamp, ids.size()});
                ids.add(id);
            }
        }
        order.sort(Comparator.<long[]>comparingLong(o -> o[0]).thenComparing(o -> ids.get((int) o[1])));
        List<String> out = new ArrayList<>(Math.min(order.size(), MAX_EVIDENCE));
        for (int i = Math.max(0, order.size() - MAX_EVIDENCE); i < order.size(); i++) {
            out.add(ids.get((int) order.get(i)[1]));
        }
        return out;
    }

    /** {@code DISTINCT_COUNT}: the distinct values in the window ending at {@code t}, sorted, at most {@code max}. */
    public List<String> distinctValuesAt(long t, int max) {
        requireKind(VelocityRule.Aggregate.DISTINCT_COUNT);
        requireQueryable(t);
        long from = t - windowMs;
        TreeSet<String> values = new TreeSet<>();
        for (WindowBucket b : buckets) {
            if (in(b.timestamp, from, t, true)) {
                values.add(b.distinctValue);
            }
        }
        List<String> out = new ArrayList<>(Math.min(values.size(), max));
        for (String v : values) {
            if (out.size() == max) {
                break;
            }
            out.add(v);
        }
        return out;
    }

    private void requireQueryable(long t) {
        if (t <= frontier) {
            throw new IllegalStateException("window at " + t + " asked after settling through " + frontier);
        }
    }

    // ---- settling and eviction ----

    /**
     * Declares that no event at or before {@code through} will be added and no value at or before it asked for:
     * evicts buckets with timestamp {@code ≤ through − W}, and for distinct counts keeps only the latest settled
     * occurrence of each value. The frontier never moves back.
     */
    public void settle(long through) {
        if (through <= frontier) {
            return;
        }
        frontier = through;
        long dead = through - windowMs; // buckets at or before this are outside every window ending after `through`
        int drop = 0;
        while (drop < buckets.size() && buckets.get(drop).timestamp <= dead) {
            drop++;
        }
        if (drop > 0) {
            buckets.subList(0, drop).clear();
        }
        if (aggregate == VelocityRule.Aggregate.DISTINCT_COUNT) {
            Map<String, WindowBucket> latest = new HashMap<>();
            for (WindowBucket b : buckets) {
                if (b.timestamp > through) {
                    break;
                }
                latest.put(b.distinctValue, b); // sorted by time: the last one seen is the latest
            }
            for (Iterator<WindowBucket> it = buckets.iterator(); it.hasNext(); ) {
                WindowBucket b = it.next();
                if (b.timestamp > through) {
                    break;
                }
                if (latest.get(b.distinctValue) != b) {
                    it.remove();
                }
            }
        }
    }

    public boolean isEmpty() {
        return buckets.isEmpty();
    }

    /** Buckets held (the state's size). */
    public int size() {
        return buckets.size();
    }

    /** The latest timestamp held, or {@link Long#MIN_VALUE} when empty. */
    public long latestTimestamp() {
        return buckets.isEmpty() ? Long.MIN_VALUE : buckets.get(buckets.size() - 1).timestamp;
    }

    /**
     * The event times after the frontier and at or before {@code through}: the evaluations still due up to it (each
     * an event time; ascending, possibly repeated).
     */
    public void forEachUnsettledThrough(long through, java.util.function.LongConsumer action) {
        for (WindowBucket b : buckets) {
            if (b.timestamp > through) {
                break;
            }
            if (b.timestamp > frontier) {
                action.accept(b.timestamp);
            }
        }
    }

    /** Whether some bucket has exactly this timestamp (an event time still to be evaluated, if after the frontier). */
    public boolean hasTimestamp(long timestamp) {
        int lo = 0;
        int hi = buckets.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long ts = buckets.get(mid).timestamp;
            if (ts < timestamp) {
                lo = mid + 1;
            } else if (ts > timestamp) {
                hi = mid - 1;
            } else {
                return true;
            }
        }
        return false;
    }

    private void requireKind(VelocityRule.Aggregate kind) {
        if (aggregate != kind) {
            throw new IllegalStateException("this window aggregates " + aggregate + ", not " + kind);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SlidingWindowAggregate)) {
            return false;
        }
        SlidingWindowAggregate that = (SlidingWindowAggregate) o;
        return windowMs == that.windowMs
                && frontier == that.frontier
                && aggregate == that.aggregate
                && Objects.equals(buckets, that.buckets);
    }

    @Override
    public int hashCode() {
        return Objects.hash(aggregate, windowMs, frontier, buckets.size());
    }

    @Override
    public String toString() {
        return "SlidingWindowAggregate{" + aggregate + " W=" + windowMs + "ms frontier=" + frontier + ' ' + buckets
                + '}';
    }
}
