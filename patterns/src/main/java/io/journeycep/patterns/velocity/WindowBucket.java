package io.journeycep.patterns.velocity;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One compacted entry of a {@link SlidingWindowAggregate}: the events of one timestamp (and, for distinct counts,
 * one distinct value). A Flink POJO.
 */
public class WindowBucket {
    /** Event time, epoch ms. */
    public long timestamp;
    /** Events merged into this bucket. */
    public long count;
    /** {@code SUM}: the exact sum of the bucket's values; {@code null} otherwise. */
    public BigDecimal sum;
    /** {@code DISTINCT_COUNT}: the distinct value; {@code null} otherwise. */
    public String distinctValue;
    /**
     * Ids of the bucket's events, sorted, at most {@link SlidingWindowAggregate#MAX_EVIDENCE} (the smallest ids, so
     * the choice does not depend on arrival order).
     */
    public List<String> eventIds = new ArrayList<>();

    public WindowBucket() {}

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof WindowBucket)) {
            return false;
        }
        WindowBucket that = (WindowBucket) o;
        return timestamp == that.timestamp
                && count == that.count
                && (sum == null ? that.sum == null : that.sum != null && sum.compareTo(that.sum) == 0)
                && Objects.equals(distinctValue, that.distinctValue)
                && Objects.equals(eventIds, that.eventIds);
    }

    @Override
    public int hashCode() {
        return Objects.hash(timestamp, count, distinctValue);
    }

    @Override
    public String toString() {
        return "Bucket{" + timestamp + " n=" + count + (sum != null ? " sum=" + sum.toPlainString() : "")
                + (distinctValue != null ? " v=" + distinctValue : "") + " ids=" + eventIds + '}';
    }
}
