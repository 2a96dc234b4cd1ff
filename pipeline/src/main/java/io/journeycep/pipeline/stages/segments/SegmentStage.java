package io.journeycep.pipeline.stages.segments;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.segments.SegmentBook;
import io.journeycep.pipeline.control.ControlMessage;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertKind;
import io.journeycep.sinks.RejectedEvent;
import io.journeycep.sinks.SegmentChange;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Segments (DESIGN §3): events (activity) and CART_ABANDONED alerts → {@link SegmentInput} → keyBy(user)
 * {@link SegmentEvaluator} → ENTER/EXIT changes, keyed by user in order.
 */
public final class SegmentStage {
    public static final String INPUTS_UID = "segment-inputs";
    public static final String ABANDONED_UID = "segment-cart-abandoned";
    public static final String EVALUATOR_UID = "segment-evaluator";

    private SegmentStage() {}

    /** The stage's changes, and its dead letters (segment rule changes it rejected). */
    public static final class Output {
        public final DataStream<SegmentChange> changes;
        public final DataStream<RejectedEvent> rejected;

        Output(DataStream<SegmentChange> changes, DataStream<RejectedEvent> rejected) {
            this.changes = changes;
            this.rejected = rejected;
        }
    }

    /**
     * @param control parsed control messages (parallelism 1, idle; see {@code ControlStage}); only segment rule
     *     messages concern this stage
     */
    public static Output apply(DataStream<JourneyEvent> events, DataStream<Alert> alerts,
            DataStream<ControlMessage> control, SegmentBook book, long sessionGapMs) {
        DataStream<SegmentInput> activity = events
                .map(SegmentInput::of, TypeInformation.of(SegmentInput.class))
                .name("segment inputs")
                .uid(INPUTS_UID);
        DataStream<SegmentInput> abandoned = alerts
                .filter(a -> a.kind == AlertKind.CART_ABANDONED)
                .name("CART_ABANDONED for segments")
                .uid(ABANDONED_UID + "-filter")
                .map(SegmentInput::cartAbandoned, TypeInformation.of(SegmentInput.class))
                .name("CART_ABANDONED as segment inputs")
                .uid(ABANDONED_UID);
        SingleOutputStreamOperator<SegmentChange> changes = activity.union(abandoned)
                .keyBy(in -> in.userKey, TypeInformation.of(String.class))
                .connect(control.broadcast(SegmentRules.DESCRIPTOR))
                .process(new SegmentEvaluator(book, sessionGapMs), TypeInformation.of(SegmentChange.class))
                .name("segment evaluator")
                .uid(EVALUATOR_UID);
        return new Output(changes, changes.getSideOutput(SegmentEvaluator.REJECTED));
    }
}
