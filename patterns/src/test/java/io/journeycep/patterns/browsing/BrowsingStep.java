package io.journeycep.patterns.browsing;

import io.journeycep.patterns.PatternStep;



/**
 * A qualifying {@code view} (an item priced at least the threshold) or a {@code purchase} of one user, as the
 * high-value-browsing CEP stage sees it. Only these two kinds reach CEP ({@link HighValueBrowsingInput}); every other
 * event, cheap views included, is dropped before it, so CEP buffers nothing its pattern does not use.
 */
public class BrowsingStep extends PatternStep {
    public BrowsingStep() {}

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof BrowsingStep && sameStep((BrowsingStep) o));
    }

    @Override
    public int hashCode() {
        return super.hashCode();
    }
}
