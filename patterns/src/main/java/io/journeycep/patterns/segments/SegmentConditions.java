package io.journeycep.patterns.segments;

import io.journeycep.model.Durations;
import io.journeycep.model.EventType;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds {@link SegmentCondition}s, in code (the shipped definitions) and from rules (a YAML/JSON tree). The rule
 * forms, each a map with one kind key:
 *
 * <pre>
 * count: [purchase]            within: 365d   more-than: 10     # also at-least, at-most, less-than, equals
 * sum: price   of: [purchase]  within: 365d   at-least: 1000
 * has-done: [login]            within: 7d
 * has-not-done: [purchase]     within: 180d
 * first: [purchase]            within: 30d     # the first (within the state horizon) was within the window
 * quiet-for: 30d                               # no event of any type for at least this long
 * all: [ …conditions ]   any: [ …conditions ]   not: { …condition }
 * </pre>
 *
 * Measures are canonical event types plus {@code session} (session starts) and {@code cart_abandoned} (the user's
 * CART_ABANDONED alerts). Windows are whole days ({@code 1d} … the horizon). Every error is
 * {@code "path: message"} with the path of the field at fault.
 */
public final class SegmentConditions {
    private static final Set<String> KINDS =
            Set.of("count", "sum", "has-done", "has-not-done", "first", "quiet-for", "all", "any", "not");
    private static final Set<String> COMPARISONS = Set.of("at-least", "more-than", "at-most", "less-than", "equals");

    private SegmentConditions() {}

    // ------------------------------------------------------------------------------------------- in code

    public static SegmentCondition count(List<String> measures, int days, SegmentCondition.Comparison cmp,
            double threshold) {
        return new SegmentCondition.Windowed("count of " + String.join("|", measures), mask(measures), days, false,
                cmp, threshold);
    }

    public static SegmentCondition sumOfPrice(List<String> measures, int days, SegmentCondition.Comparison cmp,
            double threshold) {
        return new SegmentCondition.Windowed("sum of price of " + String.join("|", measures), mask(measures), days,
                true, cmp, threshold);
    }

    public static SegmentCondition hasDone(List<String> measures, int days) {
        return new SegmentCondition.Windowed("count of " + String.join("|", measures), mask(measures), days, false,
                SegmentCondition.Comparison.AT_LEAST, 1);
    }

    public static SegmentCondition hasNotDone(List<String> measures, int days) {
        return new SegmentCondition.Windowed("count of " + String.join("|", measures), mask(measures), days, false,
                SegmentCondition.Comparison.AT_MOST, 0);
    }

    public static SegmentCondition first(List<String> measures, int days) {
        return new SegmentCondition.First(String.join("|", measures), mask(measures), days);
    }

    public static SegmentCondition quietFor(Duration quiet) {
        return new SegmentCondition.QuietFor(quiet);
    }

    public static SegmentCondition all(SegmentCondition... children) {
        return new SegmentCondition.Combined(true, List.of(children));
    }

    public static SegmentCondition any(SegmentCondition... children) {
        return new SegmentCondition.Combined(false, List.of(children));
    }

    public static SegmentCondition not(SegmentCondition child) {
        return new SegmentCondition.Not(child);
    }

    /** The measure index of a name: a canonical event type, {@code session} or {@code cart_abandoned}; -1 if none. */
    public static int measure(String name) {
        if ("session".equals(name)) {
            return DailyActivity.SESSION;
        }
        if ("cart_abandoned".equals(name)) {
            return DailyActivity.CART_ABANDONED;
        }
        EventType t = EventType.fromWireName(name);
        return t == null ? -1 : t.ordinal();
    }

    static long mask(List<String> measures) {
        long m = 0;
        for (String name : measures) {
            int i = measure(name);
            if (i < 0) {
                throw new IllegalArgumentException("unknown measure " + name);
            }
            m |= 1L << i;
        }
        return m;
    }

    // ------------------------------------------------------------------------------------------- from rules

    /**
     * Parses a condition tree; returns {@code null} and adds to {@code errors} when it is not valid.
     *
     * @param maxDays the longest window allowed (the state horizon, in days)
     */
    public static SegmentCondition parse(JsonNode node, String path, int maxDays, List<String> errors) {
        if (node == null || !node.isObject()) {
            errors.add(path + ": a condition is a map with one of " + new TreeSet<>(KINDS));
            return null;
        }
        List<String> kinds = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (KINDS.contains(f)) {
                kinds.add(f);
            }
        }
        if (kinds.size() != 1) {
            errors.add(path + ": a condition needs exactly one of " + new TreeSet<>(KINDS) + ", found "
                    + (kinds.isEmpty() ? "none" : kinds));
            return null;
        }
        String kind = kinds.get(0);
        switch (kind) {
            case "all":
            case "any":
                return combined(node, path, kind, maxDays, errors);
            case "not": {
                onlyFields(node, path, errors, "not");
                SegmentCondition child = parse(node.get("not"), path + ".not", maxDays, errors);
                return child == null ? null : not(child);
            }
            case "quiet-for": {
                onlyFields(node, path, errors, "quiet-for");
                Duration d = duration(node.get("quiet-for"), path + ".quiet-for", errors);
                if (d != null && d.toMillis() > maxDays * DailyActivity.DAY_MS) {
                    errors.add(path + ".quiet-for: at most the horizon (" + maxDays + "d), was " + Durations.format(d));
                    return null;
                }
                return d == null ? null : quietFor(d);
            }
            default:
                return leaf(node, path, kind, maxDays, errors);
        }
    }

    private static SegmentCondition combined(JsonNode node, String path, String kind, int maxDays,
            List<String> errors) {
        onlyFields(node, path, errors, kind);
        JsonNode list = node.get(kind);
        if (!list.isArray() || list.isEmpty()) {
            errors.add(path + "." + kind + ": a non-empty list of conditions");
            return null;
        }
        List<SegmentCondition> children = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < list.size(); i++) {
            SegmentCondition c = parse(list.get(i), path + "." + kind + "[" + i + "]", maxDays, errors);
            ok &= c != null;
            children.add(c);
        }
        return ok ? new SegmentCondition.Combined("all".equals(kind), children) : null;
    }

    private static SegmentCondition leaf(JsonNode node, String path, String kind, int maxDays, List<String> errors) {
        boolean sum = "sum".equals(kind);
        boolean compared = sum || "count".equals(kind);
        List<String> allowed = new ArrayList<>(List.of(kind, "within"));
        if (sum) {
            allowed.add("of");
        }
        if (compared) {
            allowed.addAll(COMPARISONS);
        }
        onlyFields(node, path, errors, allowed.toArray(new String[0]));
        int before = errors.size();
        String measuresField = sum ? "of" : kind;
        if (sum) {
            JsonNode field = node.get("sum");
            if (!field.isTextual() || !"price".equals(field.textValue())) {
                errors.add(path + ".sum: the field to sum: price, was " + field);
            }
        }
        List<String> measures = measures(node.get(measuresField), path + "." + measuresField, sum, errors);
        Integer days = days(node.get("within"), path + ".within", maxDays, errors);
        SegmentCondition.Comparison cmp = null;
        double threshold = 0;
        if (compared) {
            List<String> given = new ArrayList<>();
            for (String c : COMPARISONS) {
                if (node.has(c)) {
                    given.add(c);
                }
            }
            if (given.size() != 1) {
                errors.add(path + ": " + kind + " needs exactly one of " + new TreeSet<>(COMPARISONS) + ", found "
                        + (given.isEmpty() ? "none" : given));
            } else {
                String c = given.get(0);
                JsonNode v = node.get(c);
                if (!v.isNumber() || !Double.isFinite(v.asDouble()) || v.asDouble() < 0
                        || (!sum && v.asDouble() != Math.rint(v.asDouble()))) {
                    errors.add(path + "." + c + ": " + (sum ? "a number ≥ 0" : "a whole number ≥ 0") + ", was " + v);
                } else {
                    cmp = SegmentCondition.Comparison.valueOf(c.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
                    threshold = v.asDouble();
                }
            }
        }
        if (errors.size() > before) {
            return null;
        }
        switch (kind) {
            case "count":
                return count(measures, days, cmp, threshold);
            case "sum":
                return sumOfPrice(measures, days, cmp, threshold);
            case "has-done":
                return hasDone(measures, days);
            case "has-not-done":
                return hasNotDone(measures, days);
            default:
                return first(measures, days);
        }
    }

    private static List<String> measures(JsonNode node, String path, boolean eventTypesOnly, List<String> errors) {
        List<String> out = new ArrayList<>();
        if (node == null || !node.isArray() || node.isEmpty()) {
            errors.add(path + ": a non-empty list of event types" + (eventTypesOnly ? "" : ", session or cart_abandoned"));
            return out;
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode m = node.get(i);
            String name = m.isTextual() ? m.textValue() : null;
            int index = name == null ? -1 : measure(name);
            if (index < 0 || (eventTypesOnly && index >= EventType.values().length)) {
                errors.add(path + "[" + i + "]: '" + (name == null ? m : name) + "' is not a canonical event type"
                        + (eventTypesOnly ? " (a sum of price reads events)" : ", session or cart_abandoned"));
            } else {
                out.add(name);
            }
        }
        return out;
    }

    private static Integer days(JsonNode node, String path, int maxDays, List<String> errors) {
        Duration d = duration(node, path, errors);
        if (d == null) {
            return null;
        }
        if (d.toMillis() % DailyActivity.DAY_MS != 0 || d.toMillis() < DailyActivity.DAY_MS) {
            errors.add(path + ": windows are whole days (1d, 7d, 365d), was " + Durations.format(d));
            return null;
        }
        long days = d.toMillis() / DailyActivity.DAY_MS;
        if (days > maxDays) {
            errors.add(path + ": at most the horizon (" + maxDays + "d), was " + Durations.format(d));
            return null;
        }
        return (int) days;
    }

    private static Duration duration(JsonNode node, String path, List<String> errors) {
        if (node == null || node.isNull()) {
            errors.add(path + ": required (a duration such as 7d)");
            return null;
        }
        try {
            Duration d = Durations.parse(node.asText());
            if (d.isNegative() || d.isZero()) {
                errors.add(path + ": must be positive, was " + node.asText());
                return null;
            }
            return d;
        } catch (RuntimeException e) {
            errors.add(path + ": not a duration (500ms, 10s, 30m, 24h, 7d or ISO-8601): '" + node.asText() + "'");
            return null;
        }
    }

    private static void onlyFields(JsonNode node, String path, List<String> errors, String... allowed) {
        Set<String> ok = Set.of(allowed);
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            String f = it.next().getKey();
            if (!ok.contains(f)) {
                errors.add(path + "." + f + ": unknown field (allowed here: " + new TreeSet<>(ok) + ")");
            }
        }
    }
}
