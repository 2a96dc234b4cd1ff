package io.journeycep.pipeline.stages.segments;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.segments.DailyActivity;
import io.journeycep.sinks.Alert;

import java.util.Objects;

/**
 * What the segment stage needs of an event or a CART_ABANDONED alert: the user, the time, the measure and an amount.
 * Small, so the shuffle to the segment stage carries little. A Flink POJO.
 */
public class SegmentInput {
    public String userKey;
    public long timestamp;
    /** An {@code EventType} ordinal, or {@link DailyActivity#CART_ABANDONED}. */
    public int measure;
    /** price × quantity (quantity 1 when absent); 0 without a price. */
    public double amount;
    /** An event (activity), not an alert. */
    public boolean activity;
    /** An erasure marker (README "Privacy"), neither an event nor an alert: the user's state is deleted. */
    public boolean erasure;

    public SegmentInput() {}

    public static SegmentInput of(JourneyEvent e) {
        SegmentInput in = new SegmentInput();
        in.userKey = e.userKey();
        in.timestamp = e.timestamp;
        if (e.isErasure()) {
            in.erasure = true;
            in.measure = -1;
            return in;
        }
        in.measure = e.type.ordinal();
        in.amount = e.price == null ? 0 : e.price * (e.quantity == null ? 1 : e.quantity);
        in.activity = true;
        return in;
    }

    public static SegmentInput cartAbandoned(Alert a) {
        SegmentInput in = new SegmentInput();
        in.userKey = a.subjectKey;
        in.timestamp = a.eventTime;
        in.measure = DailyActivity.CART_ABANDONED;
        in.activity = false;
        return in;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SegmentInput)) {
            return false;
        }
        SegmentInput that = (SegmentInput) o;
        return timestamp == that.timestamp && measure == that.measure && Double.compare(amount, that.amount) == 0
                && activity == that.activity && erasure == that.erasure && Objects.equals(userKey, that.userKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(userKey, timestamp, measure, amount, activity);
    }
}
