package io.journeycep.pipeline.stages.velocity;

import io.journeycep.patterns.velocity.VelocityDetector;
import io.journeycep.patterns.velocity.VelocityRule;

/** The keyed state of {@link VelocityEvaluator} for one {@code ruleId|value}: the rule version and its detector. */
public class VelocityKeyState {
    public VelocityRule rule;
    public VelocityDetector detector;

    public VelocityKeyState() {}

    static VelocityKeyState fresh(VelocityRule rule) {
        VelocityKeyState s = new VelocityKeyState();
        s.rule = rule;
        s.detector = VelocityDetector.forRule(rule);
        return s;
    }
}
