package io.journeycep.pipeline.config;

import io.journeycep.model.Durations;
import io.journeycep.model.EventType;
import io.journeycep.patterns.velocity.VelocityField;
import io.journeycep.patterns.velocity.VelocityRule;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;

import java.io.Serializable;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One velocity rule as written by people (kebab-case): in the config file ({@code velocity.rules[i]}) and in a
 * {@code velocity-rule} message on the control topic, so both share one format and one set of error messages.
 * Turned into a {@link VelocityRule} by {@link #toValidRule}. Event types are canonical wire names
 * ({@code login_failed}), the field a wire name ({@code userId}, {@code price}), the comparison {@code >=} or
 * {@code >}, durations as in {@link Durations}.
 */
public final class VelocityRuleSpec implements Serializable {
    private static final long serialVersionUID = 1L;
    public String ruleId;
    public int version = 1;
    public List<String> eventTypes;
    public VelocityRule.Dimension dimension;
    public VelocityRule.Aggregate aggregate;
    public String field;
    public String comparison = ">=";
    public Double threshold;
    public Duration window;
    public VelocityRule.Severity severity = VelocityRule.Severity.MEDIUM;
    /** Absent: equal to the window. */
    public Duration cooldown;

    /** Reads the JSON form (the same fields and values as the config file's YAML form). */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .addModule(new SimpleModule().addDeserializer(Duration.class, new JobConfig.DurationDeserializer()))
            .build();

    /**
     * A rule written as a JSON object (a control message's {@code rule}), bound with the config file's rules: kebab-case
     * names, unknown fields refused, case-insensitive enum names, durations as in {@link Durations}. Throws on a field
     * that cannot be bound (its path is in the exception); call {@link #toValidRule} for everything else.
     */
    public static VelocityRuleSpec fromJson(JsonNode node) throws JsonProcessingException {
        return JSON.treeToValue(node, VelocityRuleSpec.class);
    }

    /**
     * The rule and every problem with it, each added to {@code errors} as {@code "field: message"} with this format's
     * (kebab-case) field names ({@code "threshold: a count threshold must be a whole number, was 2.5"}). The rule is
     * usable only when no error was added.
     */
    public VelocityRule toValidRule(List<String> errors) {
        List<String> own = new java.util.ArrayList<>();
        VelocityRule rule = toRule(own);
        Set<String> reported = new LinkedHashSet<>();
        for (String error : own) {
            reported.add(error.substring(0, error.indexOf(':')));
            errors.add(error);
        }
        for (String error : rule.validate()) {
            int colon = error.indexOf(':');
            String name = CONFIG_NAMES.getOrDefault(error.substring(0, colon), error.substring(0, colon));
            if (reported.contains(name)) {
                continue;
            }
            if (name.equals("window") && window != null && error.contains("at most")) {
                errors.add("window: must be at most " + Durations.format(VelocityRule.MAX_WINDOW) + ", was "
                        + Durations.format(window));
            } else {
                errors.add(name + error.substring(colon));
            }
        }
        return rule;
    }

    /**
     * The rule; problems the rule's own {@link VelocityRule#validate()} cannot see (unknown names) are added to
     * {@code errors} as {@code "field: message"}, with this format's (kebab-case) field names.
     */
    VelocityRule toRule(List<String> errors) {
        Set<EventType> types = null;
        if (eventTypes != null) {
            types = new LinkedHashSet<>();
            for (String name : eventTypes) {
                EventType type = EventType.fromWireName(name == null ? null : name.strip());
                if (type == null) {
                    errors.add("event-types: unknown event type '" + name + "'; canonical types are "
                            + Arrays.stream(EventType.values()).map(EventType::wireName)
                                    .collect(Collectors.joining(", ")));
                } else {
                    types.add(type);
                }
            }
        }
        VelocityField f = null;
        if (field != null) {
            f = VelocityField.fromWireName(field.strip());
            if (f == null) {
                errors.add("field: unknown field '" + field + "'; one of "
                        + Arrays.stream(VelocityField.values()).map(VelocityField::wireName)
                                .collect(Collectors.joining(", ")));
            }
        }
        VelocityRule.Comparison cmp = null;
        if (comparison != null) {
            for (VelocityRule.Comparison c : VelocityRule.Comparison.values()) {
                if (c.symbol().equals(comparison.strip()) || c.name().equalsIgnoreCase(comparison.strip())) {
                    cmp = c;
                }
            }
            if (cmp == null) {
                errors.add("comparison: must be \">=\" or \">\", was \"" + comparison + '"');
            }
        }
        if (threshold == null) {
            errors.add("threshold: required");
        }
        if (window == null) {
            errors.add("window: required");
        }
        VelocityRule rule = VelocityRule.of(ruleId, version, types, dimension, aggregate, f, cmp,
                threshold == null ? 0 : threshold, window, severity, cooldown);
        if (cmp == null) {
            rule.comparison = null; // of() keeps it; validate() then reports it unless already reported above
        }
        return rule;
    }

    /** The rules of specs that {@link JobConfig#validateVelocityRules} found no error in. */
    public static List<VelocityRule> toRules(List<VelocityRuleSpec> specs) {
        List<VelocityRule> out = new java.util.ArrayList<>();
        for (VelocityRuleSpec spec : specs) {
            out.add(spec.toRule(new java.util.ArrayList<>()));
        }
        return out;
    }

    /** {@link VelocityRule#validate()}'s field names → this format's names, where they differ. */
    static final Map<String, String> CONFIG_NAMES = Map.of(
            "ruleId", "rule-id",
            "eventTypes", "event-types",
            "windowMs", "window",
            "cooldownMs", "cooldown");
}
