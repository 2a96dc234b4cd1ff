package io.journeycep.patterns;

import org.apache.flink.cep.EventComparator;

/** Orders steps with equal timestamps by arrival ({@link PatternStep#seq}), as DESIGN §3 asks. */
public final class ArrivalOrder<T extends PatternStep> implements EventComparator<T> {
    private static final long serialVersionUID = 1L;

    @Override
    public int compare(T a, T b) {
        return Long.compare(a.seq, b.seq);
    }
}
