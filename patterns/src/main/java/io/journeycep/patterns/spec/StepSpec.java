package io.journeycep.patterns.spec;

import java.io.Serializable;

/** One step of a {@link PatternSpec}, as written in a rules file ({@code steps[i]}). */
public final class StepSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    /** How a step follows the one before it, or how a looping step's events follow each other. */
    public enum Contiguity {
        /** The very next event the pattern sees ({@code next}, {@code notNext}, {@code consecutive()}). */
        STRICT,
        /** Any later event; events in between that do not match are skipped ({@code followedBy}). */
        RELAXED,
        /** Any later event, and every combination of them ({@code followedByAny}, {@code allowCombinations()}). */
        ANY
    }

    /** How often a step takes an event: {@code min..max} ({@code max} null: unbounded). {@code min} 0 = optional. */
    public static final class Times implements Serializable {
        private static final long serialVersionUID = 1L;
        public int min;
        public Integer max;
        /** How the loop's events follow each other; default relaxed. */
        public Contiguity loop = Contiguity.RELAXED;

        public Times(int min, Integer max) {
            this.min = min;
            this.max = max;
        }

        public boolean exactly() {
            return max != null && max == min;
        }

        public boolean unbounded() {
            return max == null;
        }

        @Override
        public String toString() {
            return exactly() ? "exactly " + min : "min " + min + (max == null ? "" : ", max " + max);
        }
    }

    public String name;
    /** Event types and {@code where} conditions the step takes. */
    public EventMatcher match;
    /** How this step follows the previous one; null when not given (relaxed; meaningless on the first step). */
    public Contiguity contiguity;
    /** Null: the step takes exactly one event. */
    public Times times;
    public boolean optional;
    /** A negated step: no such event ({@code notNext} when strict, {@code notFollowedBy} when relaxed). */
    public boolean negate;
    /** For an open-ended looping step: an event that ends the loop. */
    public EventMatcher until;

    /** The contiguity in effect (relaxed when not given). */
    public Contiguity effectiveContiguity() {
        return contiguity == null ? Contiguity.RELAXED : contiguity;
    }

    /** Whether the step can take no event at all (optional, or a loop with min 0). */
    public boolean canBeEmpty() {
        return optional || (times != null && times.min == 0);
    }

    public boolean looping() {
        return times != null && (times.max == null || times.max > 1);
    }
}
