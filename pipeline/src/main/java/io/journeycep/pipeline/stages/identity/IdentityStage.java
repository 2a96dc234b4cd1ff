package io.journeycep.pipeline.stages.identity;

import io.journeycep.model.JourneyEvent;
import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.stages.Keys;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Identity stitching between dedupe and the detectors (DESIGN §1): {@code keyBy(anonymous id, else user id)} →
 * {@link IdentityStitcher} → {@code keyBy(user key)} (a pass-through, so the user's pass and the stages chained to it
 * read their input as keyed by user). Its one output is routed ({@link JourneyEvent#route}): the journeys' re-keyed
 * anonymous paths travel with the detectors' events. Without it ({@code identity.enabled: false}) the events are the
 * input, every one routed to both.
 */
public final class IdentityStage {
    public static final String UID = "identity-stitcher";
    public static final String BY_USER_UID = "stitched-by-user";

    private IdentityStage() {}

    /**
     * @return the stitched events, partitioned by {@link JourneyEvent#userKey()}: every event at once, with the user id
     *     of a known link, for the detectors; the journeys' steps, an anonymous path re-keyed to its user when a link
     *     comes (when journeys are on)
     */
    public static DataStream<JourneyEvent> apply(DataStream<JourneyEvent> onTime, JobConfig config) {
        if (!config.identity.enabled) {
            return onTime;
        }
        DataStream<JourneyEvent> stitched = onTime
                .keyBy(new IdentityStitcher.Key())
                .process(new IdentityStitcher(config.journeys.enabled, config.journeys.sessionGap.toMillis(),
                                config.identity.linkTtl.toMillis(), config.identity.maxPendingEvents),
                        TypeInformation.of(JourneyEvent.class))
                .name("identity stitcher")
                .uid(UID);
        // the user's pass reads its input as already partitioned by user key (as the dedupe's output is)
        return stitched
                .keyBy(new Keys.UserKey())
                .map(e -> e, TypeInformation.of(JourneyEvent.class))
                .name("partition stitched events by user")
                .uid(BY_USER_UID);
    }
}
