package io.journeycep.patterns.spec;

import io.journeycep.model.EventType;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One journey pattern as declared in a rules file ({@code patterns[i]}); {@link CompiledPattern#compile} turns it into
 * a Flink CEP pattern. See the README's "Pattern specs" for the format and its semantics.
 */
public final class PatternSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Which events a window bounds (Flink's {@code WithinType}). */
    public enum WithinType { FIRST_AND_LAST, PREVIOUS_AND_CURRENT }

    /** After-match skip strategies; {@code SKIP_TO_FIRST} and {@code SKIP_TO_LAST} name a step. */
    public enum SkipKind { NO_SKIP, SKIP_TO_NEXT, SKIP_PAST_LAST_EVENT, SKIP_TO_FIRST, SKIP_TO_LAST }

    /** {@code starts-after}: a match's first event needs an event of these types at most {@code within} before it. */
    public static final class Lookback implements Serializable {
        private static final long serialVersionUID = 1L;
        public Set<EventType> eventTypes = EnumSet.noneOf(EventType.class);
        public Duration within;
    }

    /** Stable id: the rule id of the alerts and part of the operator uids. */
    public String id;
    public int version = 1;
    public PatternKind kind;
    public String description;
    /** Inclusive window; null only in a spec the linter rejects. */
    public Duration within;
    public WithinType withinType = WithinType.FIRST_AND_LAST;
    public SkipKind skip = SkipKind.SKIP_PAST_LAST_EVENT;
    /** The step {@code SKIP_TO_FIRST} / {@code SKIP_TO_LAST} names. */
    public String skipStep;
    public Lookback startsAfter;
    /** Events the pattern sees although no step takes them: they break strict contiguity. */
    public List<EventMatcher> alsoSees = new ArrayList<>();
    public List<StepSpec> steps = new ArrayList<>();

    /** The step with this name, or null. */
    public StepSpec step(String name) {
        for (StepSpec s : steps) {
            if (s.name != null && s.name.equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** Every matcher whose events the pattern sees: each step's (negated ones too), {@code until}s, {@code also-sees}. */
    public List<EventMatcher> inputMatchers() {
        List<EventMatcher> out = new ArrayList<>();
        for (StepSpec s : steps) {
            out.add(s.match);
            if (s.until != null) {
                out.add(s.until);
            }
        }
        out.addAll(alsoSees);
        return out;
    }

    /**
     * Indexes of the positive steps that can take a match's first event: the first positive step, and each later one
     * while every positive step before it can be empty.
     */
    public List<Integer> stepsThatCanStart() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            StepSpec s = steps.get(i);
            if (s.negate) {
                continue;
            }
            out.add(i);
            if (!s.canBeEmpty()) {
                break;
            }
        }
        return out;
    }
}
