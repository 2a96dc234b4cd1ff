package io.journeycep.patterns.spec;

import io.journeycep.model.Durations;
import io.journeycep.model.EventType;
import io.journeycep.patterns.spec.PatternSpec.SkipKind;
import io.journeycep.patterns.spec.StepSpec.Contiguity;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks of a {@link PatternSpec} that need the whole spec (the reader already checked names, types and values):
 * the mistakes CEP users hit, as errors, and patterns that will keep many partial matches, as warnings. Fields are
 * relative to the pattern ({@code steps[1].negate}); the caller prefixes them.
 */
public final class PatternLint {
    /** The state horizon when none is configured: no pattern window may be longer. */
    public static final Duration DEFAULT_MAX_WINDOW = Duration.ofHours(24);
    /** Ids become rule ids and operator uids: lower case, digits and dashes. */
    static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    /** Event types most of a clickstream is made of. */
    static final Set<EventType> COMMON_TYPES = EnumSet.of(EventType.VIEW, EventType.PAGE, EventType.SEARCH);
    /** A first step on common types without conditions warns with a window longer than this. */
    static final Duration COMMON_FIRST_STEP_WINDOW = Duration.ofHours(1);

    private PatternLint() {}

    /** Checks one spec against the state horizon {@code maxWindow}. */
    public static List<Finding> check(PatternSpec spec, Duration maxWindow) {
        List<Finding> f = new ArrayList<>();
        if (spec.id == null) {
            f.add(Finding.error("id", "required"));
        } else if (!ID.matcher(spec.id).matches()) {
            f.add(Finding.error("id", "'" + spec.id + "' must be lower-case letters, digits and dashes (at most 63),"
                    + " starting with a letter or digit: it is the alerts' rule id and part of the operator uids"));
        }
        if (spec.version < 1) {
            f.add(Finding.error("version", "must be at least 1, was " + spec.version));
        }
        if (spec.kind == null) {
            f.add(Finding.error("kind", "required: CART_ABANDONED, HIGH_VALUE_BROWSING, JOURNEY_PATTERN or RISK_PATTERN"));
        }
        if (!endsWithRelaxedNegation(spec) || spec.within != null) {
            checkWindow(f, "within", spec.within, maxWindow); // else the negated last step's own error says it
        }
        if (spec.startsAfter != null) {
            if (spec.startsAfter.eventTypes.isEmpty()) {
                f.add(Finding.error("starts-after.event-types", "required: the event types that must come first"));
            }
            if (spec.startsAfter.within == null) {
                f.add(Finding.error("starts-after.within", "required: how long before a match's first event the"
                        + " starts-after event may be"));
            } else {
                checkWindow(f, "starts-after.within", spec.startsAfter.within, maxWindow);
            }
        }
        if (spec.steps.isEmpty()) {
            f.add(Finding.error("steps", "a pattern needs at least one step"));
            return f;
        }
        checkSteps(spec, f);
        checkSkip(spec, f);
        warnPartialMatches(spec, f);
        return f;
    }

    private static boolean endsWithRelaxedNegation(PatternSpec spec) {
        if (spec.steps.size() < 2) {
            return false;
        }
        StepSpec last = spec.steps.get(spec.steps.size() - 1);
        return last.negate && last.effectiveContiguity() != Contiguity.STRICT;
    }

    private static void checkWindow(List<Finding> f, String field, Duration window, Duration maxWindow) {
        if (window == null) {
            if (field.equals("within")) {
                f.add(Finding.error(field, "required: every pattern needs a window, so its partial matches expire"
                        + " and its state stays bounded"));
            }
            return;
        }
        if (window.isZero() || window.isNegative()) {
            f.add(Finding.error(field, "must be positive, was " + Durations.format(window)));
        } else if (maxWindow != null && window.compareTo(maxWindow) > 0) {
            f.add(Finding.error(field, Durations.format(window) + " is longer than the state horizon ("
                    + Durations.format(maxWindow) + ", patterns.max-window): partial matches and look-back events"
                    + " would be kept that long"));
        }
    }

    private static void checkSteps(PatternSpec spec, List<Finding> f) {
        Map<String, Integer> names = new HashMap<>();
        List<StepSpec> steps = spec.steps;
        for (int i = 0; i < steps.size(); i++) {
            StepSpec s = steps.get(i);
            String at = "steps[" + i + "]";
            if (s.name == null) {
                f.add(Finding.error(at + ".name", "required"));
            } else {
                Integer first = names.putIfAbsent(s.name, i);
                if (first != null) {
                    f.add(Finding.error(at + ".name", "'" + s.name + "' is already the name of steps[" + first
                            + "]; step names must be unique within a pattern"));
                }
            }
            if (i == 0 && s.contiguity != null && !s.negate) {
                f.add(Finding.warning(at + ".contiguity", "ignored on the first step: it says how a step follows"
                        + " the one before it"));
            }
            if (s.negate) {
                checkNegation(spec, i, f);
            } else {
                checkQuantifier(s, at, f);
            }
        }
    }

    private static void checkNegation(PatternSpec spec, int i, List<Finding> f) {
        StepSpec s = spec.steps.get(i);
        String at = "steps[" + i + "]";
        if (i == 0) {
            f.add(Finding.error(at + ".negate", "a pattern cannot start with a negated step: CEP needs an event to"
                    + " start a match; put the negation after a positive step"));
            return;
        }
        if (s.times != null || s.optional || s.until != null) {
            f.add(Finding.error(at + (s.times != null ? ".times" : s.optional ? ".optional" : ".until"),
                    "a negated step takes no event: times, optional and until do not apply"));
        }
        if (s.contiguity == Contiguity.ANY) {
            f.add(Finding.error(at + ".contiguity", "a negated step is strict (notNext) or relaxed (notFollowedBy);"
                    + " 'any' does not apply"));
        }
        StepSpec previous = spec.steps.get(i - 1);
        if (!previous.negate && previous.canBeEmpty()) {
            f.add(Finding.error(at + ".negate", "a negation directly after an optional step (steps[" + (i - 1)
                    + "] '" + previous.name + "') is not supported by Flink CEP; write two patterns, one with and"
                    + " one without the optional step"));
        }
        if (i == spec.steps.size() - 1 && endsWithRelaxedNegation(spec) && spec.within == null) {
            f.add(Finding.error(at + ".negate", "a negated last step needs a window (within): without one, 'no "
                    + s.match + " followed' never becomes true and the match never completes"));
        }
    }

    private static void checkQuantifier(StepSpec s, String at, List<Finding> f) {
        if (s.times != null) {
            StepSpec.Times t = s.times;
            if (t.min < 0) {
                f.add(Finding.error(at + ".times.min", "must be at least 0, was " + t.min));
            }
            if (t.max != null && t.max < 1) {
                f.add(Finding.error(at + ".times.max", "must be at least 1, was " + t.max));
            } else if (t.max != null && t.min > t.max) {
                f.add(Finding.error(at + ".times", "min " + t.min + " is greater than max " + t.max));
            }
        }
        if (s.until != null && (s.times == null || !s.times.unbounded())) {
            f.add(Finding.error(at + ".until", "only an open-ended loop (times with min and no max) can have until"));
        }
    }

    private static void checkSkip(PatternSpec spec, List<Finding> f) {
        if (spec.skip != SkipKind.SKIP_TO_FIRST && spec.skip != SkipKind.SKIP_TO_LAST) {
            return;
        }
        String kind = spec.skip == SkipKind.SKIP_TO_FIRST ? "skip-to-first" : "skip-to-last";
        StepSpec target = spec.step(spec.skipStep);
        if (target == null) {
            f.add(Finding.error("skip", kind + " names '" + spec.skipStep + "', which is not a step of this pattern"));
        } else if (target.negate) {
            f.add(Finding.error("skip", kind + " names '" + spec.skipStep + "', a negated step, which takes no"
                    + " events"));
        }
    }

    private static void warnPartialMatches(PatternSpec spec, List<Finding> f) {
        List<StepSpec> steps = spec.steps;
        String loopingStep = null;
        for (int i = 0; i < steps.size(); i++) {
            StepSpec s = steps.get(i);
            String at = "steps[" + i + "]";
            if (s.negate) {
                continue;
            }
            if (i > 0 && s.contiguity == Contiguity.ANY) {
                f.add(Finding.warning(at + ".contiguity", "'any' (followedByAny) keeps a partial match for every"
                        + " earlier event this step could follow; expect many partial matches per user (prefer"
                        + " relaxed or strict)"));
            }
            if (s.looping()) {
                if (loopingStep == null) {
                    loopingStep = "steps[" + i + "] '" + s.name + "'";
                }
                if (s.times.loop == Contiguity.ANY) {
                    f.add(Finding.warning(at + ".times.loop", "'any' (allowCombinations) keeps every combination of"
                            + " the loop's events: partial matches grow exponentially with the events in a window"));
                } else if (s.times.loop == Contiguity.RELAXED && s.times.unbounded() && s.until == null) {
                    f.add(Finding.warning(at + ".times", "an open-ended loop with relaxed contiguity and no until"
                            + " keeps a partial match for each event it takes until the window closes; add until, a"
                            + " max, or loop: strict"));
                }
            }
        }
        if (loopingStep != null && (spec.skip == SkipKind.NO_SKIP || spec.skip == SkipKind.SKIP_TO_NEXT)) {
            f.add(Finding.warning("skip", (spec.skip == SkipKind.NO_SKIP ? "no-skip" : "skip-to-next")
                    + " with a looping step (" + loopingStep + ") emits a match for every sub-run and keeps their"
                    + " partial matches; use skip-past-last-event for one alert per run"));
        }
        if (spec.within != null && spec.within.compareTo(COMMON_FIRST_STEP_WINDOW) > 0) {
            for (int i : spec.stepsThatCanStart()) {
                StepSpec s = steps.get(i);
                Set<EventType> common = s.match.types();
                common.retainAll(COMMON_TYPES);
                if (!common.isEmpty() && s.match.where().isEmpty() && spec.startsAfter == null) {
                    f.add(Finding.warning("steps[" + i + "].event-types", "a step that can start a match on '"
                            + common.iterator().next().wireName() + "' events without conditions, with a "
                            + Durations.format(spec.within) + " window, starts a partial match on most events and"
                            + " keeps it " + Durations.format(spec.within) + "; narrow it (where, starts-after) or"
                            + " shorten the window"));
                }
            }
        }
    }

    /** Duplicate ids across a list of specs ({@code patterns[i].id}). */
    public static List<Finding> checkIds(List<PatternSpec> specs, String listField) {
        List<Finding> f = new ArrayList<>();
        Map<String, Integer> first = new HashMap<>();
        for (int i = 0; i < specs.size(); i++) {
            String id = specs.get(i).id;
            if (id == null) {
                continue;
            }
            Integer j = first.putIfAbsent(id, i);
            if (j != null) {
                f.add(Finding.error(listField + "[" + i + "].id", "'" + id + "' is already the id of " + listField
                        + "[" + j + "]; pattern ids must be unique (they are rule ids and operator uids)"));
            }
        }
        return f;
    }
}
