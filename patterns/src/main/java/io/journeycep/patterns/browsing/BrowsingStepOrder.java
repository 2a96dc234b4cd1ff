package io.journeycep.patterns.browsing;

import org.apache.flink.cep.EventComparator;

/** Orders browsing steps with equal timestamps by arrival ({@link BrowsingStep#seq}), as DESIGN §3 asks. */
public final class BrowsingStepOrder implements EventComparator<BrowsingStep> {
    private static final long serialVersionUID = 1L;

    @Override
    public int compare(BrowsingStep a, BrowsingStep b) {
        return Long.compare(a.seq, b.seq);
    }
}
