package io.journeycep.patterns.segments;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A named, versioned segment rule: a user is a member while {@link #condition} holds (DESIGN §3). Written as
 * {@code {id: FREQUENT_BUYER, version: 1, description: "…", when: {count: [purchase], within: 365d, more-than: 10}}}.
 */
public final class SegmentDefinition implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Set<String> FIELDS = Set.of("id", "version", "description", "when");

    public final String id;
    public final int version;
    public final String description;
    public final SegmentCondition condition;

    public SegmentDefinition(String id, int version, String description, SegmentCondition condition) {
        this.id = Objects.requireNonNull(id, "id");
        this.version = version;
        this.description = description;
        this.condition = Objects.requireNonNull(condition, "condition");
    }

    /** Parses one definition; {@code null} with {@code "path: message"} errors when it is not valid. */
    public static SegmentDefinition parse(JsonNode node, String path, int maxDays, List<String> errors) {
        if (node == null || !node.isObject()) {
            errors.add(path + ": a segment definition is a map with id, version, when");
            return null;
        }
        int before = errors.size();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                errors.add(path + "." + f + ": unknown field (id, version, description, when)");
            }
        }
        JsonNode id = node.get("id");
        if (id == null || !id.isTextual() || !ID.matcher(id.textValue()).matches()) {
            errors.add(path + ".id: required; letters, digits, '_', '.', '-' (at most 64), was " + id);
        } else if (id.textValue().startsWith("RFM_")) {
            errors.add(path + ".id: RFM_ is reserved for the RFM scores");
        }
        JsonNode version = node.get("version");
        int v = 1;
        if (version != null) {
            if (!version.canConvertToInt() || !version.isIntegralNumber() || version.intValue() < 1) {
                errors.add(path + ".version: a whole number ≥ 1, was " + version);
            } else {
                v = version.intValue();
            }
        }
        JsonNode description = node.get("description");
        SegmentCondition c = SegmentConditions.parse(node.get("when"), path + ".when", maxDays, errors);
        if (errors.size() > before || c == null) {
            return null;
        }
        return new SegmentDefinition(id.textValue(), v, description == null ? null : description.asText(), c);
    }
}
