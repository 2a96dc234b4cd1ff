package io.journeycep.patterns.cart;

import io.journeycep.model.EventType;
import io.journeycep.patterns.PatternStep;

import java.util.Arrays;

/**
 * A {@code cart_add} or {@code purchase} of one user, as the cart-abandonment CEP stage sees it: in event-time
 * order (ties in arrival order, {@link #seq}), with the user's views that precede a cart add within the look-back.
 *
 * <p>Views are not fed to CEP one by one: they are over 90% of a clickstream, and each would start a partial match
 * that lives for the whole look-back, which is what makes CEP on RocksDB crawl (see docs/BENCHMARKS.md). The
 * {@code view} step of the sequence is instead evaluated as a look-back condition on the cart add
 * ({@link EpisodeCartAdd}), from the views attached here.
 */
public class CartStep extends PatternStep {
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
        return sameStep(that)
                && lastViewTime == that.lastViewTime
                && Arrays.equals(viewEventIds, that.viewEventIds)
                && Arrays.equals(viewItemIds, that.viewItemIds);
    }

    @Override
    public int hashCode() {
        return super.hashCode();
    }

    @Override
    public String toString() {
        return super.toString() + " views=" + Arrays.toString(viewEventIds);
    }
}
