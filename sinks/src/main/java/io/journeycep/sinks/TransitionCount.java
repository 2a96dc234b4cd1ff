package io.journeycep.sinks;

import java.util.Objects;

/**
 * One row of {@code journey_transitions} (DESIGN §4): the absolute number of {@code from → to} transitions the job has
 * counted so far, from its keyed state. Written as an upsert that sets the count (never adds to it), so writing an
 * update twice, or replaying updates after a restart, leaves the right value.
 */
public class TransitionCount {
    public String fromState;
    public String toState;
    /** The absolute count, not a delta. */
    public long count;
    /** When the count was flushed (epoch ms, the event time of the flush, so replays write the same rows). */
    public long updatedAt;

    public TransitionCount() {}

    public static TransitionCount of(String fromState, String toState, long count, long updatedAt) {
        TransitionCount t = new TransitionCount();
        t.fromState = fromState;
        t.toState = toState;
        t.count = count;
        t.updatedAt = updatedAt;
        return t;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TransitionCount)) {
            return false;
        }
        TransitionCount that = (TransitionCount) o;
        return count == that.count
                && updatedAt == that.updatedAt
                && Objects.equals(fromState, that.fromState)
                && Objects.equals(toState, that.toState);
    }

    @Override
    public int hashCode() {
        return Objects.hash(fromState, toState, count, updatedAt);
    }

    @Override
    public String toString() {
        return "TransitionCount{" + fromState + " -> " + toState + " = " + count + " @" + updatedAt + '}';
    }
}
