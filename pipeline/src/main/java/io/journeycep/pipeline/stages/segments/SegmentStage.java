package io.journeycep.pipeline.stages.segments;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.segments.SegmentBook;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertKind;
import io.journeycep.sinks.SegmentChange;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Segments (DESIGN §3): events (activity) and CART_ABANDONED alerts → {@link SegmentInput} → keyBy(user)
 * {@link SegmentEvaluator} → ENTER/EXIT changes, keyed by user in order.
 */
public final class SegmentStage {
    public static final String INPUTS_UID = "segment-inputs";
    public static final String ABANDONED_UID = "segment-cart-abandoned";
    public static final String EVALUATOR_UID = "segment-evaluator";

    private SegmentStage() {}

    public static DataStream<SegmentChange> apply(DataStream<JourneyEvent> events, DataStream<Alert> alerts,
            SegmentBook book, long sessionGapMs) {
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
        return activity.union(abandoned)
                .keyBy(in -> in.userKey, TypeInformation.of(String.class))
                .process(new SegmentEvaluator(book, sessionGapMs), TypeInformation.of(SegmentChange.class))
                .name("segment evaluator")
                .uid(EVALUATOR_UID);
    }
}
