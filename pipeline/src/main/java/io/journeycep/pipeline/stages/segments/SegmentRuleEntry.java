package io.journeycep.pipeline.stages.segments;

import java.util.Objects;

/** An accepted control-topic change of a segment definition, kept in broadcast state. A Flink POJO. */
public class SegmentRuleEntry {
    public String id;
    public int version;
    /** The definition as JSON; {@code null} for a removal (a tombstone that keeps its version). */
    public String definition;

    public SegmentRuleEntry() {}

    static SegmentRuleEntry of(String id, int version, String definition) {
        SegmentRuleEntry e = new SegmentRuleEntry();
        e.id = id;
        e.version = version;
        e.definition = definition;
        return e;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SegmentRuleEntry)) {
            return false;
        }
        SegmentRuleEntry that = (SegmentRuleEntry) o;
        return version == that.version && Objects.equals(id, that.id) && Objects.equals(definition, that.definition);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, version, definition);
    }
}
