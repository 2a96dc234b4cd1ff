package io.journeycep.patterns.spec;

import io.journeycep.model.JourneyEvent;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

import java.io.Serializable;
import java.util.List;

/**
 * What a compiled pattern sees: only the user's events that match at least one of its steps (negated ones
 * included), {@code until}s or {@code also-sees} entries, as {@link SpecStep}s; everything else is dropped before
 * CEP.
 *
 * <p>This is part of the pattern's semantics, not only an optimisation: contiguity ({@code strict}: the very next
 * event) is counted over these events only. It is also what keeps CEP fast: CEP buffers nothing its pattern does not
 * use (see the notes on CEP and RocksDB). Stateless and one-to-one per event, so it keeps the input's partitioning.
 */
public final class SpecInput implements FlatMapFunction<JourneyEvent, SpecStep>, Serializable {
    private static final long serialVersionUID = 1L;

    private final EventMatcher[] matchers;

    public SpecInput(List<EventMatcher> matchers) {
        this.matchers = matchers.toArray(new EventMatcher[0]);
    }

    /** Whether the pattern sees {@code event}. */
    public boolean accepts(JourneyEvent event) {
        if (event.isErasure()) {
            return false;
        }
        for (EventMatcher m : matchers) {
            if (m.matches(event)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void flatMap(JourneyEvent event, Collector<SpecStep> out) {
        if (event.isErasure()) {
            out.collect(SpecStep.erasureOf(event)); // on to CEP, which deletes the user's state
        } else if (accepts(event)) {
            out.collect(SpecStep.of(event));
        }
    }
}
