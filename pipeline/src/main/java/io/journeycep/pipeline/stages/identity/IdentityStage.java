package io.journeycep.pipeline.stages.identity;

import io.journeycep.model.JourneyEvent;
import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.stages.Keys;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Identity stitching between dedupe and the detectors (DESIGN §1): {@code keyBy(anonymous id, else user id)} →
 * {@link IdentityStitcher} → {@code keyBy(user key)} (a pass-through, so the pattern stages can read their input as
 * keyed by user). Without it ({@code identity.enabled: false}) the events are the input, and the journeys get them
 * without {@code identify} calls.
 */
public final class IdentityStage {
    public static final String UID = "identity-stitcher";
    public static final String BY_USER_UID = "stitched-by-user";

    private IdentityStage() {}

    public static final class Output {
        /** Every event at once, with the user id of a known link (patterns, velocity, drift). */
        public final DataStream<JourneyEvent> events;
        /** The journeys' events: an anonymous path re-keyed to its user when a link comes (null: journeys off). */
        public final DataStream<JourneyEvent> journeyEvents;

        Output(DataStream<JourneyEvent> events, DataStream<JourneyEvent> journeyEvents) {
            this.events = events;
            this.journeyEvents = journeyEvents;
        }
    }

    public static Output apply(DataStream<JourneyEvent> onTime, JobConfig config) {
        boolean journeys = config.journeys.enabled;
        if (!config.identity.enabled) {
            return new Output(onTime, journeys ? onTime.filter(e -> !IdentityStitcher.isIdentifyCall(e))
                    .name("journey steps (no identify calls)").uid("journey-steps") : null);
        }
        SingleOutputStreamOperator<JourneyEvent> stitched = onTime
                .keyBy(new IdentityStitcher.Key())
                .process(new IdentityStitcher(journeys, config.journeys.sessionGap.toMillis(),
                                config.identity.linkTtl.toMillis(), config.identity.maxPendingEvents),
                        TypeInformation.of(JourneyEvent.class))
                .name("identity stitcher")
                .uid(UID);
        // the pattern stages read their input as already partitioned by user key (as the dedupe's output is)
        DataStream<JourneyEvent> byUser = stitched
                .keyBy(new Keys.UserKey())
                .map(e -> e, TypeInformation.of(JourneyEvent.class))
                .name("partition stitched events by user")
                .uid(BY_USER_UID);
        return new Output(byUser, journeys ? stitched.getSideOutput(IdentityStitcher.JOURNEY_EVENTS) : null);
    }
}
