package io.journeycep.patterns.spec;

import io.journeycep.model.Durations;
import io.journeycep.model.EventType;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads a rules file (YAML, or JSON when the name ends in {@code .json} or the text starts with <code>{</code>) into
 * a {@link RulesDocument}: every {@code patterns:} element as a {@link PatternSpec}, and every mistake in names,
 * types and values as a finding with its file, line and field ({@code patterns[2].steps[1].event-types[0]: unknown
 * event type 'chekout'}). It does not judge whole patterns; {@link PatternLint} does.
 */
public final class PatternSpecReader {
    private static final Set<String> ROOT = Set.of("patterns", "velocity");
    private static final Set<String> PATTERN = new LinkedHashSet<>(List.of("id", "version", "kind", "description",
            "within", "within-type", "skip", "starts-after", "also-sees", "steps"));
    private static final Set<String> STEP = new LinkedHashSet<>(List.of("name", "event-types", "where", "contiguity",
            "times", "optional", "negate", "until"));
    private static final Set<String> MATCHER = new LinkedHashSet<>(List.of("event-types", "where"));
    private static final Set<String> LOOKBACK = new LinkedHashSet<>(List.of("event-types", "within"));
    private static final Set<String> TIMES = new LinkedHashSet<>(List.of("exactly", "min", "max", "loop"));
    private static final Set<String> CONDITION = new LinkedHashSet<>(List.of("field", "op", "value"));

    private final RulesDocument doc;
    private boolean failed;

    private PatternSpecReader(RulesDocument doc) {
        this.doc = doc;
    }

    /** Reads a file. */
    public static RulesDocument read(Path file) {
        try {
            return read(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            RulesDocument doc = new RulesDocument(file.toString(), null);
            doc.add(Finding.error("", "cannot read rules file: " + e.getMessage()));
            return doc;
        }
    }

    /** Reads a class-path resource (the built-in specs). */
    public static RulesDocument readResource(String name) {
        try (InputStream in = PatternSpecReader.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no resource " + name);
            }
            return read(new String(in.readAllBytes(), StandardCharsets.UTF_8), "classpath:" + name);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + name, e);
        }
    }

    /** Reads rules text; {@code origin} names it in findings and decides the format by its extension. */
    public static RulesDocument read(String text, String origin) {
        boolean json = origin.toLowerCase(Locale.ROOT).endsWith(".json") || text.stripLeading().startsWith("{");
        JsonFactory factory = json ? new JsonFactory() : new YAMLFactory();
        RulesDocument doc = new RulesDocument(origin, new SourceLines(factory, text));
        JsonNode root;
        try {
            root = new ObjectMapper(factory).readTree(text);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            doc.addPlaced(Finding.error("", (json ? "not valid JSON: " : "not valid YAML: ")
                    + syntaxMessage(e.getOriginalMessage())).at(origin, line));
            return doc;
        }
        new PatternSpecReader(doc).readRoot(root);
        return doc;
    }

    /** The parser's message without its source snippets (indented lines): the line is reported anyway. */
    private static String syntaxMessage(String message) {
        return Arrays.stream(message.split("\\R"))
                .filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)))
                .map(String::strip)
                .collect(Collectors.joining("; "));
    }

    private void readRoot(JsonNode root) {
        if (root == null || root.isMissingNode() || root.isNull()) {
            doc.add(Finding.warning("", "empty rules file"));
            return;
        }
        if (!root.isObject()) {
            doc.add(Finding.error("", "a rules file is a map with 'patterns' and/or 'velocity' lists"));
            return;
        }
        unknownFields(root, "", ROOT);
        JsonNode patterns = root.get("patterns");
        if (patterns != null && !patterns.isNull()) {
            if (!patterns.isArray()) {
                error("patterns", "must be a list of patterns");
            } else {
                for (int i = 0; i < patterns.size(); i++) {
                    failed = false;
                    doc.patterns.add(readPattern(patterns.get(i), "patterns[" + i + "]"));
                    if (failed) {
                        doc.unreadable.add(i);
                    }
                }
            }
        }
        JsonNode velocity = root.get("velocity");
        if (velocity != null && !velocity.isNull()) {
            if (!velocity.isArray()) {
                error("velocity", "must be a list of velocity rules");
            } else {
                doc.velocity = velocity;
            }
        }
    }

    private PatternSpec readPattern(JsonNode n, String at) {
        PatternSpec spec = new PatternSpec();
        if (!n.isObject()) {
            error(at, "a pattern is a map (id, kind, within, steps, …)");
            return spec;
        }
        unknownFields(n, at, PATTERN);
        spec.id = text(n, at, "id");
        Integer version = integer(n, at, "version");
        if (version != null) {
            spec.version = version;
        }
        String kind = text(n, at, "kind");
        if (kind != null) {
            spec.kind = enumValue(PatternKind.class, kind, at + ".kind");
        }
        spec.description = text(n, at, "description");
        spec.within = duration(n, at, "within");
        String withinType = text(n, at, "within-type");
        if (withinType != null) {
            spec.withinType = enumValue(PatternSpec.WithinType.class, withinType, at + ".within-type");
        }
        String skip = text(n, at, "skip");
        if (skip != null) {
            readSkip(spec, skip, at + ".skip");
        }
        JsonNode startsAfter = n.get("starts-after");
        if (startsAfter != null && !startsAfter.isNull()) {
            String sa = at + ".starts-after";
            if (!startsAfter.isObject()) {
                error(sa, "a map: {event-types: [...], within: 30m}");
            } else {
                unknownFields(startsAfter, sa, LOOKBACK);
                spec.startsAfter = new PatternSpec.Lookback();
                spec.startsAfter.eventTypes = eventTypes(startsAfter, sa);
                spec.startsAfter.within = duration(startsAfter, sa, "within");
            }
        }
        JsonNode also = n.get("also-sees");
        if (also != null && !also.isNull()) {
            if (!also.isArray()) {
                error(at + ".also-sees", "a list of {event-types: [...], where: [...]}");
            } else {
                for (int i = 0; i < also.size(); i++) {
                    EventMatcher m = matcher(also.get(i), at + ".also-sees[" + i + "]", MATCHER);
                    if (m != null) {
                        spec.alsoSees.add(m);
                    }
                }
            }
        }
        JsonNode steps = n.get("steps");
        if (steps == null || steps.isNull()) {
            error(at + ".steps", "required: the pattern's steps, in order");
        } else if (!steps.isArray()) {
            error(at + ".steps", "must be a list of steps");
        } else {
            for (int i = 0; i < steps.size(); i++) {
                spec.steps.add(readStep(steps.get(i), at + ".steps[" + i + "]"));
            }
        }
        return spec;
    }

    private void readSkip(PatternSpec spec, String skip, String at) {
        String s = skip.strip();
        int colon = s.indexOf(':');
        String kind = colon < 0 ? s : s.substring(0, colon).strip();
        switch (kind) {
            case "no-skip":
                spec.skip = PatternSpec.SkipKind.NO_SKIP;
                break;
            case "skip-to-next":
                spec.skip = PatternSpec.SkipKind.SKIP_TO_NEXT;
                break;
            case "skip-past-last-event":
                spec.skip = PatternSpec.SkipKind.SKIP_PAST_LAST_EVENT;
                break;
            case "skip-to-first":
            case "skip-to-last":
                spec.skip = kind.equals("skip-to-first")
                        ? PatternSpec.SkipKind.SKIP_TO_FIRST : PatternSpec.SkipKind.SKIP_TO_LAST;
                if (colon < 0 || s.substring(colon + 1).isBlank()) {
                    error(at, kind + " needs a step name: '" + kind + ":STEP'");
                } else {
                    spec.skipStep = s.substring(colon + 1).strip();
                }
                return;
            default:
                error(at, "unknown skip strategy '" + skip + "'; one of no-skip, skip-to-next, skip-past-last-event,"
                        + " skip-to-first:STEP, skip-to-last:STEP");
                return;
        }
        if (colon >= 0) {
            error(at, kind + " takes no step name, was '" + skip + "'");
        }
    }

    private StepSpec readStep(JsonNode n, String at) {
        StepSpec step = new StepSpec();
        if (!n.isObject()) {
            error(at, "a step is a map (name, event-types, …)");
            step.match = new EventMatcher(Set.of(), List.of());
            return step;
        }
        unknownFields(n, at, STEP);
        step.name = text(n, at, "name");
        step.match = matcher(n, at, null);
        String contiguity = text(n, at, "contiguity");
        if (contiguity != null) {
            step.contiguity = enumValue(StepSpec.Contiguity.class, contiguity, at + ".contiguity");
        }
        step.optional = bool(n, at, "optional");
        step.negate = bool(n, at, "negate");
        JsonNode times = n.get("times");
        if (times != null && !times.isNull()) {
            step.times = times(times, at + ".times");
        }
        JsonNode until = n.get("until");
        if (until != null && !until.isNull()) {
            step.until = matcher(until, at + ".until", MATCHER);
        }
        return step;
    }

    private StepSpec.Times times(JsonNode n, String at) {
        if (n.isIntegralNumber()) {
            return new StepSpec.Times(n.intValue(), n.intValue());
        }
        if (!n.isObject()) {
            error(at, "a number (exactly that many) or a map {exactly: N} / {min: N, max: M, loop: strict}");
            return null;
        }
        unknownFields(n, at, TIMES);
        Integer exactly = integer(n, at, "exactly");
        Integer min = integer(n, at, "min");
        Integer max = integer(n, at, "max");
        StepSpec.Times t;
        if (exactly != null) {
            if (min != null || max != null) {
                error(at, "give either exactly or min/max, not both");
            }
            t = new StepSpec.Times(exactly, exactly);
        } else if (min == null && max == null) {
            error(at, "needs exactly, min or max");
            return null;
        } else {
            t = new StepSpec.Times(min == null ? 1 : min, max);
        }
        String loop = text(n, at, "loop");
        if (loop != null) {
            StepSpec.Contiguity c = enumValue(StepSpec.Contiguity.class, loop, at + ".loop");
            if (c != null) {
                t.loop = c;
            }
        }
        return t;
    }

    /** A step's or a matcher's event types and where conditions; {@code allowed} null: the caller checks fields. */
    private EventMatcher matcher(JsonNode n, String at, Set<String> allowed) {
        if (!n.isObject()) {
            error(at, "a map {event-types: [...], where: [...]}");
            return null;
        }
        if (allowed != null) {
            unknownFields(n, at, allowed);
        }
        Set<EventType> types = eventTypes(n, at);
        List<FieldCondition> where = new ArrayList<>();
        JsonNode w = n.get("where");
        if (w != null && !w.isNull()) {
            if (!w.isArray()) {
                error(at + ".where", "a list of {field, op, value}");
            } else {
                for (int i = 0; i < w.size(); i++) {
                    FieldCondition c = condition(w.get(i), at + ".where[" + i + "]");
                    if (c != null) {
                        where.add(c);
                    }
                }
            }
        }
        return new EventMatcher(types, where);
    }

    private Set<EventType> eventTypes(JsonNode n, String at) {
        Set<EventType> types = EnumSet.noneOf(EventType.class);
        JsonNode list = n.get("event-types");
        String field = at + ".event-types";
        if (list == null || list.isNull()) {
            error(field, "required: a list of canonical event types");
            return types;
        }
        if (!list.isArray() || list.isEmpty()) {
            error(field, "a non-empty list of canonical event types, e.g. [checkout]");
            return types;
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode t = list.get(i);
            EventType type = t.isTextual() ? EventType.fromWireName(t.asText().strip()) : null;
            if (type == null) {
                List<String> names = Arrays.stream(EventType.values()).map(EventType::wireName)
                        .collect(Collectors.toList());
                error(field + "[" + i + "]", "unknown event type '" + t.asText() + "'"
                        + suggestion(t.asText(), names) + "; canonical types are " + String.join(", ", names));
            } else {
                types.add(type);
            }
        }
        return types;
    }

    private FieldCondition condition(JsonNode n, String at) {
        if (!n.isObject()) {
            error(at, "a condition is a map {field: price, op: \">=\", value: 500}");
            return null;
        }
        unknownFields(n, at, CONDITION);
        String fieldName = text(n, at, "field");
        String opSymbol = text(n, at, "op");
        JsonNode value = n.get("value");
        boolean ok = true;
        SpecField field = null;
        if (fieldName == null) {
            error(at + ".field", "required");
            ok = false;
        } else {
            field = SpecField.fromWireName(fieldName.strip());
            if (field == null) {
                List<String> names = Arrays.stream(SpecField.values()).map(SpecField::wireName)
                        .collect(Collectors.toList());
                error(at + ".field", "unknown field '" + fieldName + "'" + suggestion(fieldName, names)
                        + "; conditions can test " + SpecField.wireNames());
                ok = false;
            }
        }
        FieldCondition.Op op = null;
        if (opSymbol == null) {
            error(at + ".op", "required: one of ==, !=, >, >=, <, <=, in, not-in (quote it in YAML: \">=\")");
            ok = false;
        } else {
            op = FieldCondition.Op.fromSymbol(opSymbol.strip());
            if (op == null) {
                error(at + ".op", "unknown operator '" + opSymbol + "'; one of ==, !=, >, >=, <, <=, in, not-in");
                ok = false;
            }
        }
        if (value == null || value.isNull()) {
            error(at + ".value", "required");
            return null;
        }
        if (!ok) {
            return null;
        }
        if (op.ordering() && !field.isNumeric()) {
            error(at + ".op", "'" + op.symbol() + "' compares numbers, and " + field.wireName()
                    + " is text; use ==, !=, in or not-in");
            return null;
        }
        List<Object> values = new ArrayList<>();
        if (op.takesList()) {
            if (!value.isArray() || value.isEmpty()) {
                error(at + ".value", "'" + op.symbol() + "' needs a non-empty list of values");
                return null;
            }
            for (int i = 0; i < value.size(); i++) {
                Object v = scalar(value.get(i), field, at + ".value[" + i + "]");
                if (v == null) {
                    return null;
                }
                values.add(v);
            }
        } else {
            Object v = scalar(value, field, at + ".value");
            if (v == null) {
                return null;
            }
            values.add(v);
        }
        return new FieldCondition(field, op, values);
    }

    private Object scalar(JsonNode v, SpecField field, String at) {
        if (field.isNumeric()) {
            if (v.isNumber()) {
                double d = v.doubleValue();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    error(at, field.wireName() + " is compared with a finite number, was " + v.asText());
                    return null;
                }
                return d;
            }
            error(at, field.wireName() + " is numeric: the value must be a number, was "
                    + (v.isTextual() ? "the text '" + v.asText() + "'" : v.getNodeType().name().toLowerCase(Locale.ROOT)
                    + " " + v));
            return null;
        }
        if (v.isTextual()) {
            return v.asText();
        }
        error(at, field.wireName() + " is text: the value must be a string (quote it), was "
                + v.getNodeType().name().toLowerCase(Locale.ROOT) + " " + v);
        return null;
    }

    // ---- scalar fields ------------------------------------------------------------------------------------------

    private String text(JsonNode n, String at, String name) {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isValueNode() || v.isBoolean()) {
            error(at + "." + name, "must be text, was " + v.getNodeType().name().toLowerCase(Locale.ROOT));
            return null;
        }
        return v.asText();
    }

    private Integer integer(JsonNode n, String at, String name) {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            error(at + "." + name, "must be a whole number, was " + (v.isTextual() ? "the text '" + v.asText() + "'"
                    : v.toString()));
            return null;
        }
        return v.intValue();
    }

    private boolean bool(JsonNode n, String at, String name) {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            error(at + "." + name, "must be true or false, was " + v);
            return false;
        }
        return v.booleanValue();
    }

    private Duration duration(JsonNode n, String at, String name) {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            error(at + "." + name, "a duration such as 15m, 1h or 500ms, was " + v);
            return null;
        }
        try {
            return Durations.parse(v.asText());
        } catch (IllegalArgumentException e) {
            error(at + "." + name, e.getMessage());
            return null;
        }
    }

    private <E extends Enum<E>> E enumValue(Class<E> type, String text, String at) {
        String normal = text.strip().replace('-', '_').toUpperCase(Locale.ROOT);
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(normal)) {
                return e;
            }
        }
        error(at, "unknown value '" + text + "'; one of " + Arrays.stream(type.getEnumConstants())
                .map(e -> type == PatternKind.class ? e.name() : e.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .collect(Collectors.joining(", ")));
        return null;
    }

    private void unknownFields(JsonNode n, String at, Set<String> allowed) {
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            String name = it.next().getKey();
            if (!allowed.contains(name)) {
                error(at.isEmpty() ? name : at + "." + name, "unknown field '" + name + "'"
                        + suggestion(name, allowed) + "; expected " + String.join(", ", allowed));
            }
        }
    }

    private void error(String field, String message) {
        failed = true;
        doc.add(Finding.error(field, message));
    }

    /** {@code "; did you mean 'x'"} for a name at most two edits from a known one, else empty. */
    static String suggestion(String name, Iterable<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String k : known) {
            int d = distance(name.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best == null ? "" : " (did you mean '" + best + "'?)";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
