package io.journeycep.patterns.pass;

import java.util.Objects;

/** A {@code starts-after} event remembered by {@link Lookback}: just what qualification and evidence need. */
public class LookbackRef {
    public String eventId;
    public long timestamp;
    /** Source position, the arrival order used for ties. */
    public long seq;
    public String itemId;

    public LookbackRef() {}

    public LookbackRef(String eventId, long timestamp, long seq, String itemId) {
        this.eventId = eventId;
        this.timestamp = timestamp;
        this.seq = seq;
        this.itemId = itemId;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof LookbackRef)) {
            return false;
        }
        LookbackRef that = (LookbackRef) o;
        return timestamp == that.timestamp
                && seq == that.seq
                && Objects.equals(eventId, that.eventId)
                && Objects.equals(itemId, that.itemId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(eventId, timestamp, seq);
    }
}
