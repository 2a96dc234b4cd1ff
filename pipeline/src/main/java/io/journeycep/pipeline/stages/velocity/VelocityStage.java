package io.journeycep.pipeline.stages.velocity;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.cep.WatermarkBatchingBroadcastOperator;
import io.journeycep.patterns.velocity.VelocityRule;
import io.journeycep.pipeline.control.ControlMessage;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.RejectedEvent;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

import java.util.List;

/**
 * The VELOCITY stage (DESIGN §3), with live rules: the control messages are broadcast (rule book in broadcast state)
 * to {@link VelocityFanOut}, which emits one {@link DimensionEvent} per key dimension some rule in force wants for the
 * event's type (at most four per event), keyed {@code DIMENSION|value}, and to {@link VelocityEvaluator}, which keeps
 * per key one state value with each rule's sliding window, fires one alert per crossing and applies rule changes to
 * in-flight windows.
 */
public final class VelocityStage {
    public static final String FAN_OUT_UID = "velocity-fan-out";
    public static final String EVALUATOR_UID = "velocity-evaluator";

    private VelocityStage() {}

    /** The stage's alerts, and its dead letters (rule changes the rule book rejected). */
    public static final class Output {
        public final DataStream<Alert> alerts;
        public final DataStream<RejectedEvent> rejected;

        Output(DataStream<Alert> alerts, DataStream<RejectedEvent> rejected) {
            this.alerts = alerts;
            this.rejected = rejected;
        }
    }

    /**
     * @param events deduplicated, on-time events (any partitioning: they are re-keyed by dimension and value)
     * @param configRules valid rules ({@link VelocityRule#validate()}) with distinct rule ids, from the config; may be
     *     empty when rules come from the control topic only
     * @param control parsed control messages (parallelism 1, so every instance sees them in one order; from the
     *     control topic idle, so they never hold back or advance event time; from a replay's control file with the
     *     events' watermarks, each rule change sent when they reach its ts: see {@link
     *     io.journeycep.pipeline.control.ControlStage#rulesAtTheirTime}); types other than velocity rules are ignored
     */
    public static Output apply(
            DataStream<JourneyEvent> events, List<VelocityRule> configRules, DataStream<ControlMessage> control) {
        BroadcastStream<ControlMessage> rules = control.broadcast(RuleBookMirror.DESCRIPTOR);
        SingleOutputStreamOperator<DimensionEvent> fanOut = events
                .connect(rules)
                .process(new VelocityFanOut(configRules), TypeInformation.of(DimensionEvent.class))
                .name("velocity rule fan-out")
                .uid(FAN_OUT_UID);
        SingleOutputStreamOperator<Alert> alerts = fanOut
                .keyBy(new DimensionKey())
                .connect(control.broadcast())
                .transform("velocity rules", TypeInformation.of(Alert.class), evaluator(configRules))
                .uid(EVALUATOR_UID);
        return new Output(alerts, fanOut.getSideOutput(VelocityFanOut.REJECTED));
    }

    /**
     * The evaluator in the operator that gives it a key's records the watermark has passed as one batch (one read and
     * one write of the key's value, no evaluation timers); its rule book is broadcast state, as with {@code process}.
     */
    public static WatermarkBatchingBroadcastOperator<DimensionEvent, ControlMessage, Alert> evaluator(
            List<VelocityRule> configRules) {
        return new WatermarkBatchingBroadcastOperator<>(new VelocityEvaluator(configRules),
                List.of(RuleBookMirror.DESCRIPTOR));
    }

    /** The evaluator's key, {@code DIMENSION|value}. */
    public static final class DimensionKey implements KeySelector<DimensionEvent, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(DimensionEvent record) {
            return record.key;
        }
    }
}
