package io.journeycep.pipeline.stages.segments;

import io.journeycep.patterns.segments.DailyActivity;

import java.util.Arrays;
import java.util.Objects;

/**
 * One user's segment state, one keyed value: the daily buckets, the current memberships (segment, since, version, in
 * parallel arrays sorted by segment), the event time evaluated last, the membership timer registered, and the inputs
 * waiting for the watermark. A Flink POJO.
 */
public class SegmentUserState {
    public static final long NO_TIMER = Long.MIN_VALUE;

    public DailyActivity activity = new DailyActivity();
    public String[] segments = new String[0];
    public long[] enteredAt = new long[0];
    public int[] versions = new int[0];
    /** The latest time evaluated: time never goes back for a user (an out-of-order event is evaluated at it). */
    public long evaluatedAt = Long.MIN_VALUE;
    public long timer = NO_TIMER;
    /** Inputs ahead of the watermark, applied in event-time order when it passes them (each has a timer). */
    public SegmentInput[] pending = new SegmentInput[0];

    public SegmentUserState() {}

    boolean hasPendingAt(long time) {
        for (SegmentInput p : pending) {
            if (p.timestamp == time) {
                return true;
            }
        }
        return false;
    }

    /** Back to no history and no membership (the horizon passed); inputs not applied yet stay. */
    void dropHistory() {
        activity = new DailyActivity();
        segments = new String[0];
        enteredAt = new long[0];
        versions = new int[0];
        evaluatedAt = Long.MIN_VALUE;
        timer = NO_TIMER;
    }

    int indexOf(String segment) {
        for (int i = 0; i < segments.length; i++) {
            if (segments[i].equals(segment)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SegmentUserState)) {
            return false;
        }
        SegmentUserState that = (SegmentUserState) o;
        return evaluatedAt == that.evaluatedAt && timer == that.timer && Objects.equals(activity, that.activity)
                && Arrays.equals(segments, that.segments) && Arrays.equals(enteredAt, that.enteredAt)
                && Arrays.equals(versions, that.versions) && Arrays.equals(pending, that.pending);
    }

    @Override
    public int hashCode() {
        return Objects.hash(activity, Arrays.hashCode(segments), Arrays.hashCode(enteredAt), Arrays.hashCode(versions),
                evaluatedAt, timer, Arrays.hashCode(pending));
    }
}
