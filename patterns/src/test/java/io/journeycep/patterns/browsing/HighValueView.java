package io.journeycep.patterns.browsing;

import io.journeycep.model.EventType;

import org.apache.flink.cep.pattern.conditions.SimpleCondition;

/**
 * A {@code view} of an item priced at least the threshold (inclusive). A view without a price never qualifies. The
 * stage already drops every other view ({@link HighValueBrowsingInput}); the check is repeated here so the pattern
 * states its own rule, and a purchase is what fails it.
 */
public final class HighValueView extends SimpleCondition<BrowsingStep> {
    private static final long serialVersionUID = 1L;

    private final double minPrice;

    public HighValueView(double minPrice) {
        this.minPrice = minPrice;
    }

    /** Whether a view with this price qualifies. */
    public static boolean qualifies(Double price, double minPrice) {
        return price != null && price >= minPrice;
    }

    @Override
    public boolean filter(BrowsingStep step) {
        return step.type == EventType.VIEW && qualifies(step.price, minPrice);
    }
}
