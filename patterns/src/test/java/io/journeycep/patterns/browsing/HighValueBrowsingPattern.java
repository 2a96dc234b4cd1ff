package io.journeycep.patterns.browsing;

import io.journeycep.patterns.JourneyPattern;

import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.WithinType;

import java.time.Duration;

/**
 * <b>Test oracle.</b> The hand-written pattern the job ran before the built-ins became pattern specs (high-value-browsing.yaml);
 * kept in test scope so {@code io.journeycep.patterns.spec.BuiltInEquivalenceTest} can show that the compiled spec
 * matches exactly what it matched, on randomized input.
 *
 * <p>HIGH_VALUE_BROWSING (DESIGN §3): at least {@code minViews} views of items priced at least {@code minPrice} within
 * {@code window} of the first of them, with no purchase in between.
 *
 * <pre>
 * begin("views")   minViews high-value views, strictly consecutive, within the window of the first   (HighValueView)
 * </pre>
 *
 * <p>The stage feeds CEP only high-value views and purchases ({@link HighValueBrowsingInput}), so strict contiguity
 * means exactly "no purchase in between": a purchase breaks every partial match that spans it, while cheap views,
 * cart adds and the rest never reach CEP and neither count nor break a run.
 *
 * <p><b>Skip strategy: {@code SKIP_PAST_LAST_EVENT}.</b> The match completes, and the alert fires, at the view that
 * brings the count to {@code minViews}: as early as possible, which is what a marketing trigger wants. The partial
 * matches that started at the second, third… view of that match are discarded, so the 4th and 5th view of the same
 * run produce nothing; the next alert needs {@code minViews} new qualifying views, counted from the first view after
 * the match, again within the window of their own first view and with no purchase in between. So a run of 6 views
 * within the window gives two alerts (views 1–3 and 4–6), a run of 5 gives one. Under {@code NO_SKIP} every view from
 * the 3rd on would fire again (views 2–4, 3–5…), which is the repetition the DESIGN rules out. A run whose first
 * views fall out of the window is not lost: a partial match starts at every view, so views 2, 3 and 4 still match
 * when view 1 is too old.
 *
 * <p>Boundaries are inclusive as DESIGN §3 asks: CEP drops a partial match when {@code t - first >= window}, so the
 * window given to CEP is {@code window + 1 ms}; a view exactly {@code window} after the first still counts. The
 * window is {@code FIRST_AND_LAST} (all views within the window of the first). Run it in {@link
 * io.journeycep.patterns.cep.WindowClosingCepOperator} with {@link #windowMillis()}, which also registers a timer at
 * each element's window end, so partial matches of a user who goes quiet are pruned and the state is cleared.
 */
public final class HighValueBrowsingPattern implements JourneyPattern<BrowsingStep> {
    public static final String NAME = "high-value-browsing";
    public static final String VIEWS = "views";

    private final int minViews;
    private final double minPrice;
    private final Duration window;

    /**
     * @param minViews how many high-value views make a match (at least 1)
     * @param minPrice the lowest price (inclusive) of a high-value item; not negative
     * @param window how long after the first view the last one may come (inclusive)
     */
    public HighValueBrowsingPattern(int minViews, double minPrice, Duration window) {
        if (minViews < 1) {
            throw new IllegalArgumentException("high-value browsing needs at least 1 view, was " + minViews);
        }
        if (!(minPrice >= 0) || Double.isInfinite(minPrice)) {
            throw new IllegalArgumentException("high-value browsing min price must be a finite number >= 0, was "
                    + minPrice);
        }
        if (window == null || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("high-value browsing window must be positive, was " + window);
        }
        this.minViews = minViews;
        this.minPrice = minPrice;
        this.window = window;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public AfterMatchSkipStrategy skipStrategy() {
        return AfterMatchSkipStrategy.skipPastLastEvent();
    }

    public int minViews() {
        return minViews;
    }

    public double minPrice() {
        return minPrice;
    }

    public Duration window() {
        return window;
    }

    /** The FIRST_AND_LAST window given to CEP: the window plus 1 ms, for inclusive boundaries. */
    public long windowMillis() {
        return window.toMillis() + 1;
    }

    @Override
    public Pattern<BrowsingStep, ?> pattern() {
        return Pattern.<BrowsingStep>begin(VIEWS, skipStrategy())
                .where(new HighValueView(minPrice))
                .times(minViews)
                .consecutive()
                .within(Duration.ofMillis(windowMillis()), WithinType.FIRST_AND_LAST);
    }
}
