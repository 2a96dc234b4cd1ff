package io.journeycep.pipeline.rules;

import io.journeycep.model.Durations;
import io.journeycep.patterns.spec.BuiltInPatterns;
import io.journeycep.patterns.spec.CompiledPattern;
import io.journeycep.patterns.spec.Finding;
import io.journeycep.patterns.spec.PatternLint;
import io.journeycep.patterns.spec.PatternSpec;
import io.journeycep.patterns.spec.PatternSpecReader;
import io.journeycep.patterns.spec.RulesDocument;
import io.journeycep.patterns.velocity.VelocityRule;
import io.journeycep.pipeline.config.ConfigException;
import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.config.VelocityRuleSpec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The rules linter: reads rules files and reports, with file, line and field, every mistake that would make a pattern
 * or velocity rule fail or misbehave (errors) and the patterns that will keep many partial matches (warnings). Used by
 * {@code journey-cep.jar rules lint FILE…} and, with the same messages, at job start ({@link #loadOrFail}).
 *
 * <p>Per file: the reader's findings (unknown fields, event types and condition fields, values of the wrong type),
 * {@link PatternLint}'s (negations, windows against the state horizon, quantifiers, skip strategies, duplicate step
 * names, partial-match warnings), then Flink CEP's own compilation of each pattern that passed; the {@code velocity:}
 * list with the config's velocity checks. Across files: pattern ids and velocity rule ids are unique, and no pattern
 * takes a built-in's id.
 */
public final class RulesLinter {
    private RulesLinter() {}

    /** What the files hold, and every finding. */
    public static final class Result {
        public final List<Finding> findings = new ArrayList<>();
        /** Every pattern of every file, in order (only meaningful without errors). */
        public final List<PatternSpec> patterns = new ArrayList<>();
        /** The velocity rules of the files, or null when no file has a {@code velocity:} list. */
        public List<VelocityRuleSpec> velocity;

        public boolean hasErrors() {
            return findings.stream().anyMatch(Finding::isError);
        }

        public List<Finding> errors() {
            return findings.stream().filter(Finding::isError).collect(Collectors.toList());
        }

        public List<Finding> warnings() {
            return findings.stream().filter(f -> !f.isError()).collect(Collectors.toList());
        }

        /** The velocity rules as the job runs them (call only without errors). */
        public List<VelocityRule> velocityRules() {
            return velocity == null ? null : VelocityRuleSpec.toRules(velocity);
        }
    }

    /** Lints files against the state horizon {@code maxWindow}. */
    public static Result lint(List<Path> files, Duration maxWindow) {
        List<RulesDocument> docs = new ArrayList<>();
        for (Path file : files) {
            docs.add(PatternSpecReader.read(file));
        }
        return lintDocuments(docs, maxWindow);
    }

    /** Lints documents already read (tests read text). */
    public static Result lintDocuments(List<RulesDocument> docs, Duration maxWindow) {
        Result result = new Result();
        Map<String, String> patternIds = new HashMap<>();
        patternIds.put(BuiltInPatterns.CART_ABANDONMENT, "a built-in pattern");
        patternIds.put(BuiltInPatterns.HIGH_VALUE_BROWSING, "a built-in pattern");
        // one id space: an id is the rule_id of its alerts and names its per-rule count
        Map<String, String> velocityIds = patternIds;
        for (RulesDocument doc : docs) {
            for (int i = 0; i < doc.patterns.size(); i++) {
                PatternSpec spec = doc.patterns.get(i);
                String at = "patterns[" + i + "]";
                // a pattern with reading errors is still checked as a whole, but findings on fields the reader
                // already reported (or on their parents or children) are left out: one mistake, one message
                List<String> reported = doc.findings().stream().map(f -> f.field)
                        .filter(f -> f.startsWith(at + ".") || f.startsWith(at + "[") || f.equals(at))
                        .collect(Collectors.toList());
                List<Finding> own = new ArrayList<>();
                for (Finding f : PatternLint.check(spec, maxWindow)) {
                    Finding placed = f.under(at);
                    if (reported.stream().noneMatch(r -> related(r, placed.field))) {
                        own.add(placed);
                    }
                }
                own.forEach(doc::add);
                if (!doc.unreadable(i) && own.stream().noneMatch(Finding::isError)) {
                    try {
                        CompiledPattern.compile(spec);
                    } catch (IllegalArgumentException e) {
                        doc.add(Finding.error(at, e.getMessage()));
                    }
                }
                if (spec.id != null) {
                    String where = doc.origin + " " + at;
                    String first = patternIds.putIfAbsent(spec.id, where);
                    if (first != null) {
                        doc.add(Finding.error(at + ".id", "'" + spec.id + "' is already the id of " + first
                                + "; pattern ids must be unique (they are rule ids and operator uids)"));
                    }
                }
                result.patterns.add(spec);
            }
            if (doc.velocity != null) {
                List<VelocityRuleSpec> rules = velocity(doc, velocityIds);
                if (result.velocity == null) {
                    result.velocity = new ArrayList<>();
                }
                result.velocity.addAll(rules);
            }
            result.findings.addAll(doc.findings());
        }
        return result;
    }

    /** Whether one field path is the other, or one lies inside the other. */
    private static boolean related(String a, String b) {
        return a.equals(b) || inside(a, b) || inside(b, a);
    }

    private static boolean inside(String child, String parent) {
        return child.startsWith(parent) && (child.charAt(parent.length()) == '.' || child.charAt(parent.length()) == '[');
    }

    private static List<VelocityRuleSpec> velocity(RulesDocument doc, Map<String, String> seenIds) {
        List<VelocityRuleSpec> rules = new ArrayList<>();
        JsonNode list = doc.velocity;
        boolean bound = true;
        for (int i = 0; i < list.size(); i++) {
            try {
                rules.add(MAPPER.treeToValue(list.get(i), VelocityRuleSpec.class));
            } catch (JsonMappingException e) {
                doc.add(Finding.error("velocity[" + i + "]" + path(e), e.getOriginalMessage()));
                bound = false;
            } catch (IOException e) {
                doc.add(Finding.error("velocity[" + i + "]", e.getMessage()));
                bound = false;
            }
        }
        if (!bound) {
            return List.of();
        }
        List<String> errors = new ArrayList<>();
        JobConfig.validateVelocityRules(errors, "velocity", rules);
        for (String error : errors) {
            int colon = error.indexOf(": ");
            doc.add(Finding.error(error.substring(0, colon), error.substring(colon + 2)));
        }
        for (int i = 0; i < rules.size(); i++) {
            String id = rules.get(i).ruleId;
            if (id != null) {
                String first = seenIds.putIfAbsent(id, doc.origin + " velocity[" + i + "]");
                // a repeat within this file's velocity list is reported by validateVelocityRules already
                if (first != null && !first.startsWith(doc.origin + " velocity[")) {
                    doc.add(Finding.error("velocity[" + i + "].rule-id", "'" + id + "' is already the id of " + first
                            + "; rule ids must be unique, also across patterns and velocity rules (an id is the"
                            + " rule_id of its alerts)"));
                }
            }
        }
        return rules;
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                sb.append('.').append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    /**
     * Lints the job's rules files and fails on any error, with every message ({@code file:line: error: field:
     * message}, one per line), as {@code rules lint} prints them. Warnings are returned for the caller to log.
     */
    public static Result loadOrFail(List<String> files, Duration maxWindow) {
        List<Path> paths = files.stream().map(Path::of).collect(Collectors.toList());
        Result result = lint(paths, maxWindow);
        if (result.hasErrors()) {
            throw new ConfigException("rules files have errors (max pattern window " + Durations.format(maxWindow)
                    + "):\n" + result.errors().stream().map(Finding::format).collect(Collectors.joining("\n")));
        }
        return result;
    }

    /** Binds velocity rules as the config does: kebab-case names, case-insensitive enums, durations like 10m. */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .addModule(new SimpleModule().addDeserializer(Duration.class, new JsonDeserializer<Duration>() {
                @Override
                public Duration deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
                    try {
                        return Durations.parse(p.getValueAsString());
                    } catch (IllegalArgumentException e) {
                        throw JsonMappingException.from(p, e.getMessage());
                    }
                }
            }))
            .build();
}
