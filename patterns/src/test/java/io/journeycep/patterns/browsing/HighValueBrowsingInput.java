package io.journeycep.patterns.browsing;

import io.journeycep.patterns.PatternStep;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * What the high-value-browsing CEP stage is given: the user's views of items priced at least the threshold, and
 * purchases (which end a run), as {@link BrowsingStep}s; everything else is dropped here, before CEP.
 *
 * <p>This is part of the pattern's contract, not only an optimisation: {@link HighValueBrowsingPattern} uses strict
 * contiguity to mean "no purchase in between", which holds only because nothing else reaches CEP. A cheap view or a
 * cart add in the middle of a run therefore neither counts nor breaks it. Stateless and one-to-one per event, so it
 * keeps the input's partitioning by user.
 */
public final class HighValueBrowsingInput implements FlatMapFunction<JourneyEvent, BrowsingStep> {
    private static final long serialVersionUID = 1L;

    private final double minPrice;

    public HighValueBrowsingInput(double minPrice) {
        this.minPrice = minPrice;
    }

    @Override
    public void flatMap(JourneyEvent event, Collector<BrowsingStep> out) {
        boolean relevant = event.type == EventType.PURCHASE
                || (event.type == EventType.VIEW && HighValueView.qualifies(event.price, minPrice));
        if (relevant) {
            out.collect(PatternStep.copyOf(event, new BrowsingStep()));
        }
    }

}
