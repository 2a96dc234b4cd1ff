package io.journeycep.pipeline.stages.segments;

import io.journeycep.patterns.segments.RfmScoring;
import io.journeycep.patterns.segments.SegmentBook;
import io.journeycep.patterns.segments.SegmentDefinition;
import io.journeycep.pipeline.control.ControlMessage;
import io.journeycep.sinks.RejectReason;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The segment definitions in force: the config's (fixed when the job is built) overridden by accepted control-topic
 * changes, which live in broadcast state ({@link #DESCRIPTOR}, checkpointed). The policy is the velocity rules': a
 * change needs a version higher than the one in force, a removal at least the one in force (and stays as a tombstone
 * with its version, so an older message cannot bring the segment back); on restore, a stored change wins over the
 * config's definition unless the config's version is higher.
 */
final class SegmentRules implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    static final MapStateDescriptor<String, SegmentRuleEntry> DESCRIPTOR = new MapStateDescriptor<>(
            "segment-rule-changes", Types.STRING, TypeInformation.of(SegmentRuleEntry.class));

    private final List<SegmentDefinition> configDefinitions;
    private final RfmScoring rfm;
    private final int horizonDays;

    /** Changes in force by id (a mirror of the broadcast state), and the book they make. */
    private transient Map<String, SegmentRuleEntry> changes;
    private transient SegmentBook book;

    SegmentRules(SegmentBook configBook, RfmScoring rfm) {
        this.configDefinitions = new ArrayList<>(configBook.definitions());
        this.rfm = rfm;
        this.horizonDays = configBook.horizonDays();
    }

    boolean loaded() {
        return changes != null;
    }

    /** Loads the accepted changes (after a start or restore). */
    void load(Iterable<Map.Entry<String, SegmentRuleEntry>> stored) {
        changes = new LinkedHashMap<>();
        for (Map.Entry<String, SegmentRuleEntry> e : stored) {
            changes.put(e.getKey(), e.getValue());
        }
        book = null;
    }

    SegmentBook book() {
        if (book == null) {
            Map<String, SegmentDefinition> byId = new LinkedHashMap<>();
            for (SegmentDefinition d : configDefinitions) {
                byId.put(d.id, d);
            }
            for (SegmentRuleEntry e : changes.values()) {
                SegmentDefinition inConfig = byId.get(e.id);
                if (inConfig != null && inConfig.version > e.version) {
                    continue; // the config was raised past the stored change
                }
                if (e.definition == null) {
                    byId.remove(e.id);
                } else {
                    byId.put(e.id, parse(e.definition));
                }
            }
            book = new SegmentBook(new ArrayList<>(byId.values()), rfm, horizonDays);
        }
        return book;
    }

    /** The version in force for an id (a tombstone's included), or 0. */
    private int versionInForce(String id) {
        SegmentRuleEntry e = changes.get(id);
        int config = 0;
        for (SegmentDefinition d : configDefinitions) {
            if (d.id.equals(id)) {
                config = d.version;
            }
        }
        return e == null ? config : Math.max(config, e.version);
    }

    private boolean inForce(String id) {
        for (SegmentDefinition d : book().definitions()) {
            if (d.id.equals(id)) {
                return true;
            }
        }
        return false;
    }

    /** Applies a segment message: null when accepted (the entry to store is returned by {@link #accepted}). */
    RejectReason apply(ControlMessage m) {
        int inForce = versionInForce(m.ruleId);
        if (ControlMessage.SEGMENT_RULE.equals(m.type)) {
            if (m.version <= inForce) {
                return RejectReason.STALE_RULE_VERSION;
            }
            accepted = SegmentRuleEntry.of(m.ruleId, m.version, m.definition);
        } else {
            if (!inForce(m.ruleId)) {
                return RejectReason.UNKNOWN_RULE;
            }
            if (m.version < inForce) {
                return RejectReason.STALE_RULE_VERSION;
            }
            accepted = SegmentRuleEntry.of(m.ruleId, m.version, null);
        }
        changes.put(m.ruleId, accepted);
        book = null;
        return null;
    }

    private transient SegmentRuleEntry accepted;

    /** The entry the last accepted {@link #apply} stored. */
    SegmentRuleEntry accepted() {
        return accepted;
    }

    private SegmentDefinition parse(String json) {
        List<String> errors = new ArrayList<>();
        try {
            SegmentDefinition d = SegmentDefinition.parse(JSON.readTree(json), "segment", horizonDays, errors);
            if (d == null) {
                throw new IllegalStateException("a stored segment rule no longer parses: " + errors);
            }
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
