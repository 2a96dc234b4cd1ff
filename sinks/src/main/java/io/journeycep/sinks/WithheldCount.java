package io.journeycep.sinks;

import java.util.Objects;

/**
 * One row of {@code triggers_withheld} (README "Consent"): the absolute number of triggers of one kind, on one UTC day
 * of their event time, that the job withheld because the user had not granted their consent category, as the job's
 * keyed state holds it. Written as an upsert that sets the count (never adds to it), so writing an update twice, or
 * replaying updates after a restart, leaves the right value.
 */
public class WithheldCount {
    /** The alert kind ({@code CART_ABANDONED}, ...) or {@code SEGMENT_ENTER:<segment>}. */
    public String kind;
    /** The UTC day of the triggers' event time, as days since 1970-01-01. */
    public long day;
    /** The absolute count, not a delta. */
    public long withheld;
    /** The event time of the latest trigger counted (epoch ms), so replays write the same rows. */
    public long updatedAt;

    public WithheldCount() {}

    public static WithheldCount of(String kind, long day, long withheld, long updatedAt) {
        WithheldCount w = new WithheldCount();
        w.kind = kind;
        w.day = day;
        w.withheld = withheld;
        w.updatedAt = updatedAt;
        return w;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WithheldCount w && day == w.day && withheld == w.withheld && updatedAt == w.updatedAt
                && Objects.equals(kind, w.kind);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, day, withheld, updatedAt);
    }

    @Override
    public String toString() {
        return "WithheldCount{" + kind + " on day " + day + " = " + withheld + " @" + updatedAt + '}';
    }
}
