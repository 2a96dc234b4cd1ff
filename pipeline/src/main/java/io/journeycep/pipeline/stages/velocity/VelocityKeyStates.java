package io.journeycep.pipeline.stages.velocity;

import java.util.ArrayList;
import java.util.List;

/**
 * The keyed state of {@link VelocityEvaluator} for one {@code DIMENSION|value}: one value per key (one state read and
 * write per record or timer, whatever the number of rules). A Flink POJO (list fields use Flink's list serializer, no
 * Kryo).
 */
public class VelocityKeyStates {
    /** The per-rule states of this key, sorted by rule id (the order alerts of one timestamp come out in). */
    public List<VelocityKeyState> rules = new ArrayList<>();
    /** Records routed under a rule-book epoch this operator has not reached yet, in arrival order; usually null. */
    public List<DimensionEvent> pending;
    /** The outstanding housekeeping timer, or {@link Long#MIN_VALUE} when none. */
    public long housekeepingAt = Long.MIN_VALUE;

    public VelocityKeyStates() {}

    VelocityKeyState get(String ruleId) {
        for (VelocityKeyState s : rules) {
            if (s.ruleId.equals(ruleId)) {
                return s;
            }
        }
        return null;
    }

    void put(VelocityKeyState s) {
        int i = 0;
        while (i < rules.size() && rules.get(i).ruleId.compareTo(s.ruleId) < 0) {
            i++;
        }
        rules.add(i, s);
    }

    boolean hasPending() {
        return pending != null && !pending.isEmpty();
    }

    boolean isEmpty() {
        return rules.isEmpty() && !hasPending();
    }

    @Override
    public String toString() {
        return "VelocityKeyStates" + rules + (hasPending() ? " pending " + pending : "")
                + (housekeepingAt == Long.MIN_VALUE ? "" : " housekeeping at " + housekeepingAt);
    }
}
