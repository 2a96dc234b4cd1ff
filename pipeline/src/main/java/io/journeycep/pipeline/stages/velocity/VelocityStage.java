package io.journeycep.pipeline.stages.velocity;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.velocity.VelocityRule;
import io.journeycep.sinks.Alert;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The VELOCITY stage (DESIGN §3) with rules fixed at job start (from the config; no control topic yet):
 * {@link FanOut} emits one {@link KeyedRuleEvent} per rule an event {@link VelocityRule#matches matches} (its type is
 * one of the rule's and it has a value for the rule's dimension), keyed {@code ruleId|value}; {@link
 * VelocityEvaluator} keeps each key's sliding window and fires one alert per crossing.
 */
public final class VelocityStage {
    public static final String FAN_OUT_UID = "velocity-fan-out";
    public static final String EVALUATOR_UID = "velocity-evaluator";

    private VelocityStage() {}

    /**
     * @param events deduplicated, on-time events (any partitioning: they are re-keyed by rule and dimension value)
     * @param rules valid rules ({@link VelocityRule#validate()}) with distinct rule ids; must not be empty
     */
    public static SingleOutputStreamOperator<Alert> apply(DataStream<JourneyEvent> events, List<VelocityRule> rules) {
        return events
                .flatMap(new FanOut(rules), TypeInformation.of(KeyedRuleEvent.class))
                .name("velocity rule fan-out")
                .uid(FAN_OUT_UID)
                .keyBy(new RuleKey())
                .process(new VelocityEvaluator(), TypeInformation.of(Alert.class))
                .name("velocity rules")
                .uid(EVALUATOR_UID);
    }

    /** One record per matching rule; stateless. */
    public static final class FanOut implements FlatMapFunction<JourneyEvent, KeyedRuleEvent> {
        private static final long serialVersionUID = 1L;
        private final List<VelocityRule> rules;

        public FanOut(List<VelocityRule> rules) {
            if (rules == null || rules.isEmpty()) {
                throw new IllegalArgumentException("the velocity stage needs at least one rule");
            }
            Set<String> ids = new HashSet<>();
            List<VelocityRule> copies = new ArrayList<>();
            for (VelocityRule rule : rules) {
                rule.requireValid();
                if (!ids.add(rule.ruleId)) {
                    throw new IllegalArgumentException("two velocity rules have the id " + rule.ruleId);
                }
                copies.add(rule.copy());
            }
            this.rules = copies;
        }

        @Override
        public void flatMap(JourneyEvent event, Collector<KeyedRuleEvent> out) {
            for (VelocityRule rule : rules) {
                if (rule.matches(event)) {
                    out.collect(KeyedRuleEvent.of(rule, event));
                }
            }
        }
    }

    private static final class RuleKey implements KeySelector<KeyedRuleEvent, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(KeyedRuleEvent record) {
            return record.key;
        }
    }
}
