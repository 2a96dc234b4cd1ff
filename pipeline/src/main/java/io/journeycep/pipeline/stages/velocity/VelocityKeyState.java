package io.journeycep.pipeline.stages.velocity;

import io.journeycep.patterns.velocity.VelocityDetector;
import io.journeycep.patterns.velocity.VelocityRule;

/**
 * One rule's state on one key of {@link VelocityEvaluator}: the rule id, the epoch its windows date from ({@link
 * io.journeycep.patterns.velocity.VelocityRuleBook.Entry#since}) and the detector (which holds the rule version it was
 * last evaluated with). The rule itself is the one in force in the evaluator's book. A Flink POJO.
 */
public class VelocityKeyState {
    public String ruleId;
    public long since;
    public VelocityDetector detector;

    public VelocityKeyState() {}

    static VelocityKeyState fresh(VelocityRule rule, long since) {
        VelocityKeyState s = new VelocityKeyState();
        s.ruleId = rule.ruleId;
        s.since = since;
        s.detector = VelocityDetector.forRule(rule);
        return s;
    }

    @Override
    public String toString() {
        return ruleId + " since " + since + ' ' + detector;
    }
}
