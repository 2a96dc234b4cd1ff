package io.journeycep.pipeline.stages.velocity;

import io.journeycep.model.EventType;
import io.journeycep.patterns.velocity.VelocityRule;
import io.journeycep.patterns.velocity.VelocityRuleBook;
import io.journeycep.pipeline.control.ControlMessage;
import io.journeycep.sinks.RejectReason;

import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A velocity operator's {@link VelocityRuleBook}: the config's rules (fixed when the job is built) plus the accepted
 * control-topic changes, which live in broadcast state ({@link #DESCRIPTOR}, checkpointed, so a restore keeps them).
 * The book object itself is a transient mirror of that state, rebuilt from it on first use after a (re)start and
 * updated together with it on every accepted change.
 */
final class RuleBookMirror implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The accepted changes, by rule id (the latest per id; removals are tombstones with their version). */
    static final MapStateDescriptor<String, VelocityRuleBook.Entry> DESCRIPTOR = new MapStateDescriptor<>(
            "velocity-rule-changes", Types.STRING, TypeInformation.of(VelocityRuleBook.Entry.class));

    private final ArrayList<VelocityRule> configRules;
    private transient VelocityRuleBook book;
    /** Derived from {@link #book}: the rules in force per dimension and event type; rebuilt on every change. */
    private transient Routing routing;

    /**
     * The rules in force by dimension (sorted by id) and, per event type, the dimensions some rule in force wants:
     * what the fan-out routes by and the evaluator iterates, without scanning every rule per event.
     */
    static final class Routing {
        private static final VelocityRule.Dimension[] DIMENSIONS = VelocityRule.Dimension.values();
        private final List<List<VelocityRule>> byDimension = new ArrayList<>();
        private final VelocityRule.Dimension[][] byType;

        Routing(List<VelocityRule> inForce) {
            EventType[] types = EventType.values();
            boolean[][] wants = new boolean[types.length][DIMENSIONS.length];
            for (VelocityRule.Dimension d : DIMENSIONS) {
                List<VelocityRule> rules = new ArrayList<>();
                for (VelocityRule r : inForce) { // sorted by id
                    if (r.dimension == d) {
                        rules.add(r);
                        for (EventType t : r.eventTypes) {
                            wants[t.ordinal()][d.ordinal()] = true;
                        }
                    }
                }
                byDimension.add(rules);
            }
            byType = new VelocityRule.Dimension[types.length][];
            for (EventType t : types) {
                List<VelocityRule.Dimension> ds = new ArrayList<>();
                for (VelocityRule.Dimension d : DIMENSIONS) {
                    if (wants[t.ordinal()][d.ordinal()]) {
                        ds.add(d);
                    }
                }
                byType[t.ordinal()] = ds.toArray(new VelocityRule.Dimension[0]);
            }
        }

        /** The rules in force keyed by this dimension, by id. */
        List<VelocityRule> rules(VelocityRule.Dimension d) {
            return byDimension.get(d.ordinal());
        }

        /** The dimensions at least one rule in force wants for this event type. */
        VelocityRule.Dimension[] dimensions(EventType type) {
            return byType[type.ordinal()];
        }
    }

    RuleBookMirror(List<VelocityRule> configRules) {
        this.configRules = new ArrayList<>();
        configRules.forEach(r -> this.configRules.add(r.copy()));
        new VelocityRuleBook(this.configRules); // validates now, on the client, rather than on the task managers
    }

    int configRuleCount() {
        return configRules.size();
    }

    /** The book, rebuilt from the broadcast state if this is the first use since the operator started. */
    VelocityRuleBook book(ReadOnlyBroadcastState<String, VelocityRuleBook.Entry> state) throws Exception {
        if (book == null) {
            List<VelocityRuleBook.Entry> entries = new ArrayList<>();
            for (Map.Entry<String, VelocityRuleBook.Entry> e : state.immutableEntries()) {
                entries.add(e.getValue());
            }
            book = new VelocityRuleBook(configRules).restore(entries);
            routing = null;
        }
        return book;
    }

    /** The book as last used, or {@code null} before the first use. */
    VelocityRuleBook current() {
        return book;
    }

    /** The routing of the {@link #book} in force (call {@link #book} first in the same call). */
    Routing routing(ReadOnlyBroadcastState<String, VelocityRuleBook.Entry> state) throws Exception {
        VelocityRuleBook b = book(state);
        if (routing == null) {
            routing = new Routing(b.rulesInForce());
        }
        return routing;
    }

    /**
     * Applies a velocity control message to the book and, if accepted, to the broadcast state. Every parallel instance
     * sees the same messages in the same order (the control stream has parallelism 1), so all decide the same.
     */
    VelocityRuleBook.Decision apply(ControlMessage m, BroadcastState<String, VelocityRuleBook.Entry> state)
            throws Exception {
        VelocityRuleBook b = book(state);
        VelocityRuleBook.Decision d = ControlMessage.VELOCITY_RULE.equals(m.type)
                ? b.upsert(m.rule)
                : b.remove(m.ruleId, m.version);
        if (d.accepted()) {
            state.put(d.after().ruleId, d.after());
            routing = null;
        }
        return d;
    }

    /** The dead-letter reason of a rejected decision. */
    static RejectReason reasonOf(VelocityRuleBook.Decision d) {
        switch (d.outcome()) {
            case STALE_VERSION:
                return RejectReason.STALE_RULE_VERSION;
            case NOT_IN_FORCE:
                return RejectReason.UNKNOWN_RULE;
            default:
                throw new IllegalArgumentException("not a rejection: " + d);
        }
    }
}
