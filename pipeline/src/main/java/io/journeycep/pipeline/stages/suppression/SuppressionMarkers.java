package io.journeycep.pipeline.stages.suppression;

import io.journeycep.model.JourneyEvent;
import io.journeycep.model.Suppression;
import io.journeycep.model.UserKeys;
import io.journeycep.pipeline.control.ControlMessage;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a {@code suppress} or {@code unsuppress} request of the control topic into one marker per user key it covers
 * (the user's, and one per anonymous id; {@link UserKeys}), which join the events right before dedupe, the stage that
 * keeps the suppressions ({@link io.journeycep.pipeline.stages.dedupe.DedupeAndLateFilter}). Logs the request by its
 * id and hash only.
 */
public final class SuppressionMarkers implements FlatMapFunction<ControlMessage, JourneyEvent> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SuppressionMarkers.class);

    @Override
    public void flatMap(ControlMessage m, Collector<JourneyEvent> out) {
        if (!m.isSuppression()) {
            return;
        }
        Suppression s = m.suppression;
        LOG.info("{} {} of user {} from {}{}", s.suppress ? "suppression" : "unsuppression", s.requestId, s.userHash,
                java.time.Instant.ofEpochMilli(s.at), s.suppress
                        ? ": dropping the user's events at ingestion" : ": admitting the user's events again");
        for (String key : s.userKeys) {
            // read back with the encoding that built it, so the marker's userKey() is the key again
            UserKeys.Identity id = UserKeys.parse(key);
            out.collect(id.anonymous()
                    ? JourneyEvent.suppressionMarker(s, null, id.id())
                    : JourneyEvent.suppressionMarker(s, id.id(), null));
        }
    }
}
