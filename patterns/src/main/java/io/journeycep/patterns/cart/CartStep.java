package io.journeycep.patterns.cart;

import io.journeycep.model.EventType;

import java.util.Arrays;
import java.util.Objects;

/**
 * A {@code cart_add} or {@code purchase} of one user, as the cart-abandonment CEP stage sees it: in event-time
 * order (ties in arrival order, {@link #seq}), with the user's views that precede a cart add within the look-back.
 *
 * <p>Views are not fed to CEP one by one: they are over 90% of a clickstream, and each would start a partial match
 * that lives for the whole look-back, which is what makes CEP on RocksDB crawl (see docs/BENCHMARKS.md). The
 * {@code view} step of the sequence is instead evaluated as a look-back condition on the cart add
 * ({@link CartAddAfterView}), from the views attached here.
 */
public class CartStep {
    public String eventId;
    /** {@link EventType#CART_ADD} or {@link EventType#PURCHASE}. */
    public EventType type;
    public String userKey;
    /** Event time, epoch ms. */
    public long timestamp;
    /** Arrival order of the event among this user's events; breaks ties between equal timestamps. */
    public long seq;
    public String itemId;
    public Double price;
    /** For a cart add: ids of the user's views within the look-back before it, oldest first (bounded). */
    public String[] viewEventIds = new String[0];
    /** For a cart add: the items of those views, same order. */
    public String[] viewItemIds = new String[0];
    /** For a cart add: the time of the latest such view, or {@code Long.MIN_VALUE} when there is none. */
    public long lastViewTime = Long.MIN_VALUE;

    public CartStep() {}

    public boolean hasView() {
        return viewEventIds.length > 0;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof CartStep)) {
            return false;
        }
        CartStep that = (CartStep) o;
        return timestamp == that.timestamp
                && seq == that.seq
                && lastViewTime == that.lastViewTime
                && Objects.equals(eventId, that.eventId)
                && type == that.type
                && Objects.equals(userKey, that.userKey)
                && Objects.equals(itemId, that.itemId)
                && Objects.equals(price, that.price)
                && Arrays.equals(viewEventIds, that.viewEventIds)
                && Arrays.equals(viewItemIds, that.viewItemIds);
    }

    @Override
    public int hashCode() {
        return Objects.hash(eventId, type, userKey, timestamp, seq);
    }

    @Override
    public String toString() {
        return "CartStep{" + type + ' ' + eventId + " user=" + userKey + " ts=" + timestamp + " seq=" + seq
                + " views=" + Arrays.toString(viewEventIds) + '}';
    }
}
