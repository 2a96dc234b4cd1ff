package io.journeycep.patterns.browsing;

import io.journeycep.model.EventType;

import java.util.Objects;

/**
 * A qualifying {@code view} (an item priced at least the threshold) or a {@code purchase} of one user, as the
 * high-value-browsing CEP stage sees it. Only these two kinds reach CEP ({@link HighValueBrowsingInput}); every other
 * event, cheap views included, is dropped before it, so CEP buffers nothing its pattern does not use.
 */
public class BrowsingStep {
    public String eventId;
    /** {@link EventType#VIEW} or {@link EventType#PURCHASE}. */
    public EventType type;
    public String userKey;
    /** Event time, epoch ms. */
    public long timestamp;
    /** Arrival order of the event (its source position); breaks ties between equal timestamps. */
    public long seq;
    public String itemId;
    public Double price;

    public BrowsingStep() {}

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof BrowsingStep)) {
            return false;
        }
        BrowsingStep that = (BrowsingStep) o;
        return timestamp == that.timestamp
                && seq == that.seq
                && Objects.equals(eventId, that.eventId)
                && type == that.type
                && Objects.equals(userKey, that.userKey)
                && Objects.equals(itemId, that.itemId)
                && Objects.equals(price, that.price);
    }

    @Override
    public int hashCode() {
        return Objects.hash(eventId, type, userKey, timestamp, seq);
    }

    @Override
    public String toString() {
        return "BrowsingStep{" + type + ' ' + eventId + " user=" + userKey + " ts=" + timestamp + " seq=" + seq
                + (price != null ? " price=" + price : "") + '}';
    }
}
