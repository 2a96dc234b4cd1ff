package io.journeycep.patterns.velocity;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The velocity rules in force (issue 3, live rules): the rules of the config file plus the changes accepted from the
 * control topic, and the decision whether a change is accepted. Plain Java; the Flink operators keep the
 * {@link #entries() accepted changes} in broadcast state and a book rebuilt from them.
 *
 * <ul>
 *   <li><b>Versions decide.</b> For each rule id the entry with the highest version is in force, whether it comes from
 *       the config or from the control topic. On equal versions the control topic's entry wins: it was accepted
 *       against the version in force at the time, so a restart with an unchanged config neither reverts a live
 *       change nor resurrects a removed rule. To override a live change from the config, give the config rule a
 *       higher version.
 *   <li><b>Upsert</b> ({@link #upsert}) of a valid rule: accepted only if its version is higher than the version in
 *       force for its id (the rule's or a removal's), else rejected as {@link Outcome#STALE_VERSION}. A new id is
 *       accepted at any version.
 *   <li><b>Removal</b> ({@link #remove}) of an id at version {@code n}: accepted if a rule with that id is in force
 *       and {@code n} is at least its version; it leaves a tombstone with version {@code n}, so an older upsert seen
 *       later (a replay, a delayed producer) cannot bring the rule back, while an upsert with a higher version can.
 *       A removal of an id with no rule in force is rejected as {@link Outcome#NOT_IN_FORCE}; one with a lower
 *       version than the rule in force as {@link Outcome#STALE_VERSION}.
 *   <li>Rejected changes leave the book as it was.
 * </ul>
 *
 * <p><b>Epochs and window lineages.</b> The book counts the changes it accepted: its {@link #epoch()} (0 before the
 * first). Each entry records the epoch that accepted it ({@link Entry#epoch}) and the epoch its <i>windows</i> date
 * from ({@link Entry#since}): a change with the same windows as the rule it replaces ({@link
 * VelocityRule#sameWindowsAs}) keeps the predecessor's {@code since}; an added rule, a change to other windows and a
 * removal start a new lineage at their own epoch. Config rules date from epoch 0. Two copies of the book that saw the
 * same changes in the same order have the same epoch, so a stream operator can stamp a record with the epoch of its
 * copy and another operator can tell, with its own copy, whether the record was routed under a rule's current
 * windows ({@code stamp >= since}) or under an older lineage. When a restore lets a config rule take over from a
 * stored entry with other windows, the lineage breaks there: the epoch moves one on ({@link #restore}).
 *
 * <p>Decisions depend only on the config rules and the order of the changes for one id, so every copy of the book
 * that sees the same changes in the same order (each parallel instance of a broadcast operator) decides the same.
 * Not thread-safe.
 */
public final class VelocityRuleBook {

    /**
     * A change accepted from the control topic: a rule ({@link #rule} set) or a removal ({@link #rule} {@code null},
     * a tombstone) at {@link #version}. Also used for the entry in force for an id, whatever its origin. A Flink POJO,
     * kept in broadcast state.
     */
    public static class Entry {
        public String ruleId;
        public int version;
        /** The rule; {@code null} for a removal. */
        public VelocityRule rule;
        /** The book epoch that accepted this change (0: a config rule). Bookkeeping, not part of equality. */
        public long epoch;
        /** The epoch the windows of this rule date from (see the class comment). Not part of equality. */
        public long since;

        public Entry() {}

        public static Entry of(VelocityRule rule) {
            Entry e = new Entry();
            e.ruleId = rule.ruleId;
            e.version = rule.version;
            e.rule = rule;
            return e;
        }

        public static Entry removal(String ruleId, int version) {
            Entry e = new Entry();
            e.ruleId = ruleId;
            e.version = version;
            return e;
        }

        public boolean isRemoval() {
            return rule == null;
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) {
                return true;
            }
            if (!(o instanceof Entry)) {
                return false;
            }
            Entry that = (Entry) o;
            return version == that.version && Objects.equals(ruleId, that.ruleId) && Objects.equals(rule, that.rule);
        }

        @Override
        public int hashCode() {
            return Objects.hash(ruleId, version);
        }

        @Override
        public String toString() {
            return isRemoval() ? "Removed{" + ruleId + " v" + version + '}' : String.valueOf(rule);
        }
    }

    public enum Outcome {
        ACCEPTED,
        /** The version is not newer than the one in force (an upsert), or older than it (a removal). */
        STALE_VERSION,
        /** A removal of an id that has no rule in force. */
        NOT_IN_FORCE
    }

    /** What the book made of a change. */
    public static final class Decision {
        private final Outcome outcome;
        private final String detail;
        private final Entry before;
        private final Entry after;

        private Decision(Outcome outcome, String detail, Entry before, Entry after) {
            this.outcome = outcome;
            this.detail = detail;
            this.before = before;
            this.after = after;
        }

        public Outcome outcome() {
            return outcome;
        }

        public boolean accepted() {
            return outcome == Outcome.ACCEPTED;
        }

        /** Why a change was rejected, naming the field at fault; for an accepted one, what changed. */
        public String detail() {
            return detail;
        }

        /** The entry in force for the id before the change, or {@code null}. */
        public Entry before() {
            return before;
        }

        /** The entry in force for the id after the change (the accepted entry; unchanged when rejected). */
        public Entry after() {
            return after;
        }

        @Override
        public String toString() {
            return outcome + ": " + detail;
        }
    }

    private final Map<String, VelocityRule> config = new LinkedHashMap<>();
    private final Map<String, Entry> entries = new HashMap<>();
    /** The entry in force per id (config rules wrapped); rebuilt on every change. */
    private final Map<String, Entry> inForce = new HashMap<>();
    private List<VelocityRule> rulesInForce = List.of();
    private long epoch;
    /** The epoch at the end of {@link #restore} (where config rules that broke a lineage date from). */
    private long restoredAt;

    /** A book with the config's rules (valid, distinct ids; may be empty) and no changes yet. */
    public VelocityRuleBook(Collection<VelocityRule> configRules) {
        for (VelocityRule rule : configRules) {
            rule.requireValid();
            if (config.put(rule.ruleId, rule.copy()) != null) {
                throw new IllegalArgumentException("two velocity rules have the id " + rule.ruleId);
            }
        }
        rebuild();
    }

    /**
     * Adds previously accepted changes as they are, without deciding again (restoring a book from broadcast state).
     */
    public VelocityRuleBook restore(Iterable<Entry> accepted) {
        for (Entry e : accepted) {
            entries.put(e.ruleId, e);
            epoch = Math.max(epoch, e.epoch);
        }
        // a config rule that takes over from a stored entry with other windows breaks that id's lineage here; every
        // copy restored from the same entries with the same config computes the same epoch
        boolean breaks = false;
        for (VelocityRule rule : config.values()) {
            Entry stored = entries.get(rule.ruleId);
            if (stored != null && rule.version > stored.version
                    && (stored.isRemoval() || !rule.sameWindowsAs(stored.rule))) {
                breaks = true;
            }
        }
        if (breaks) {
            epoch++;
        }
        restoredAt = epoch;
        rebuild();
        return this;
    }

    /** The number of changes accepted so far (restored: the highest stored, plus one if a restore broke a lineage). */
    public long epoch() {
        return epoch;
    }

    /** Adds or changes a rule (valid: {@link VelocityRule#validate()}); see the class comment. */
    public Decision upsert(VelocityRule rule) {
        rule.requireValid();
        Entry before = inForce.get(rule.ruleId);
        if (before != null && rule.version <= before.version) {
            return new Decision(Outcome.STALE_VERSION, "rule.version: " + rule.version + " is not newer than "
                    + describe(before) + "; raise the version to change the rule", before, before);
        }
        Entry after = Entry.of(rule.copy());
        after.epoch = ++epoch;
        after.since = before != null && !before.isRemoval() && rule.sameWindowsAs(before.rule) ? before.since : epoch;
        entries.put(rule.ruleId, after);
        rebuild();
        return new Decision(Outcome.ACCEPTED, (before == null ? "added " : "changed from " + describe(before) + " to ")
                + rule, before, after);
    }

    /** Removes the rule with this id as of {@code version}; see the class comment. */
    public Decision remove(String ruleId, int version) {
        Entry before = inForce.get(ruleId);
        if (before == null || before.isRemoval()) {
            return new Decision(Outcome.NOT_IN_FORCE, "rule-id: no velocity rule '" + ruleId + "' is in force"
                    + (before == null ? "" : " (removed at version " + before.version + ")"), before, before);
        }
        if (version < before.version) {
            return new Decision(Outcome.STALE_VERSION, "version: " + version + " is older than " + describe(before)
                    + "; a removal needs at least the version in force", before, before);
        }
        Entry after = Entry.removal(ruleId, version);
        after.epoch = ++epoch;
        after.since = epoch;
        entries.put(ruleId, after);
        rebuild();
        return new Decision(Outcome.ACCEPTED, "removed " + describe(before) + " at version " + version, before, after);
    }

    private static String describe(Entry e) {
        return e.isRemoval() ? "the removal of '" + e.ruleId + "' at version " + e.version
                : "version " + e.version + " of '" + e.ruleId + "' in force";
    }

    private void rebuild() {
        inForce.clear();
        config.forEach((id, rule) -> inForce.put(id, Entry.of(rule)));
        for (Entry e : entries.values()) {
            Entry c = inForce.get(e.ruleId);
            if (c == null || e.version >= c.version) {
                inForce.put(e.ruleId, e);
            } else if (!e.isRemoval() && c.rule.sameWindowsAs(e.rule)) {
                c.since = e.since; // the config's newer version keeps the stored rule's windows
            } else {
                c.since = restoredAt; // a lineage break at the restore (see restore)
            }
        }
        List<VelocityRule> rules = new ArrayList<>();
        for (Entry e : inForce.values()) {
            if (!e.isRemoval()) {
                rules.add(e.rule);
            }
        }
        rules.sort(Comparator.comparing(r -> r.ruleId));
        rulesInForce = Collections.unmodifiableList(rules);
    }

    /**
     * The entry in force for an id: a rule (from the config or the control topic) or a removal; {@code null} when the
     * id was never known. Do not modify it.
     */
    public Entry inForce(String ruleId) {
        return inForce.get(ruleId);
    }

    /** The rule in force for an id, or {@code null} (unknown or removed). Do not modify it. */
    public VelocityRule ruleInForce(String ruleId) {
        Entry e = inForce.get(ruleId);
        return e == null ? null : e.rule;
    }

    /** The rules in force, by id; do not modify them. */
    public List<VelocityRule> rulesInForce() {
        return rulesInForce;
    }

    /** The accepted changes (one per id, the latest), for broadcast state. */
    public Map<String, Entry> entries() {
        return Collections.unmodifiableMap(entries);
    }

    @Override
    public String toString() {
        return "VelocityRuleBook" + rulesInForce;
    }
}
