package io.journeycep.patterns.spec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The built-in patterns, CART_ABANDONED and HIGH_VALUE_BROWSING, read from their spec resources
 * ({@code cart-abandonment.yaml}, {@code high-value-browsing.yaml} next to this class) with the job config's
 * settings applied to the fields they name (see the comments in each resource).
 */
public final class BuiltInPatterns {
    public static final String CART_ABANDONMENT = "cart-abandonment";
    public static final String HIGH_VALUE_BROWSING = "high-value-browsing";
    /** The step of {@code high-value-browsing} that takes the views. */
    public static final String VIEWS = "views";

    private BuiltInPatterns() {}

    /** The resource as shipped, without overrides. */
    public static PatternSpec resource(String id) {
        RulesDocument doc = PatternSpecReader.readResource(id + ".yaml");
        if (doc.hasErrors() || doc.patterns.size() != 1) {
            throw new IllegalStateException("built-in pattern " + id + " does not read: " + doc.findings());
        }
        return doc.patterns.get(0);
    }

    /**
     * CART_ABANDONED with the config's {@code cart-abandonment.timeout} as {@code within} and {@code view-lookback}
     * as {@code starts-after.within}.
     */
    public static PatternSpec cartAbandonment(Duration viewLookback, Duration timeout) {
        positive("cart abandonment timeout", timeout);
        positive("view look-back", viewLookback);
        PatternSpec spec = resource(CART_ABANDONMENT);
        spec.within = timeout;
        spec.startsAfter.within = viewLookback;
        return spec;
    }

    /**
     * HIGH_VALUE_BROWSING with the config's {@code min-views} as the views step's {@code times}, {@code min-price} as
     * the value of its price condition and {@code window} as {@code within}.
     */
    public static PatternSpec highValueBrowsing(int minViews, double minPrice, Duration window) {
        if (minViews < 1) {
            throw new IllegalArgumentException("high-value browsing needs at least 1 view, was " + minViews);
        }
        if (!(minPrice >= 0) || Double.isInfinite(minPrice)) {
            throw new IllegalArgumentException("high-value browsing min price must be a finite number >= 0, was "
                    + minPrice);
        }
        positive("high-value browsing window", window);
        PatternSpec spec = resource(HIGH_VALUE_BROWSING);
        StepSpec views = spec.step(VIEWS);
        views.times.min = minViews;
        views.times.max = minViews;
        List<FieldCondition> where = new ArrayList<>();
        for (FieldCondition c : views.match.where()) {
            where.add(c.field == SpecField.PRICE && c.op == FieldCondition.Op.GE
                    ? new FieldCondition(SpecField.PRICE, FieldCondition.Op.GE, List.of(minPrice)) : c);
        }
        views.match = new EventMatcher(views.match.types(), where);
        spec.within = window;
        return spec;
    }

    private static void positive(String what, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, was " + d);
        }
    }

    /** The lowest price (inclusive) of the views step of a HIGH_VALUE_BROWSING spec, or null when it has none. */
    public static Double minPrice(PatternSpec spec) {
        StepSpec views = spec.steps.get(0);
        List<Double> prices = views.match.where().stream()
                .filter(c -> c.field == SpecField.PRICE && c.op == FieldCondition.Op.GE)
                .map(c -> (Double) c.value())
                .collect(Collectors.toList());
        return prices.isEmpty() ? null : prices.get(0);
    }
}
