package io.journeycep.pipeline.stages.erasure;

import io.journeycep.model.Erasure;
import io.journeycep.model.JourneyEvent;
import io.journeycep.model.UserKeys;
import io.journeycep.pipeline.control.ControlMessage;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an erasure request of the control topic (or a {@code suppress} with {@code "delete": true}) into one marker per
 * user key it covers (the user's, and one per anonymous id; {@link UserKeys}), which join the events right before
 * dedupe. Logs the request by its id and hash only.
 */
public final class ErasureMarkers implements FlatMapFunction<ControlMessage, JourneyEvent> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ErasureMarkers.class);

    @Override
    public void flatMap(ControlMessage m, Collector<JourneyEvent> out) {
        if (!m.erases()) { // an erasure request, or a suppress with "delete": true
            return;
        }
        Erasure e = m.erasure;
        LOG.info("erasure {} of user {} (requested at {}): deleting the user's state in every stage", e.erasureId,
                e.userHash, java.time.Instant.ofEpochMilli(e.requestedAt));
        for (String key : e.userKeys) {
            // read back with the encoding that built it, so the marker's userKey() is the key again
            UserKeys.Identity id = UserKeys.parse(key);
            out.collect(id.anonymous()
                    ? JourneyEvent.erasureMarker(e, null, id.id(), e.requestedAt)
                    : JourneyEvent.erasureMarker(e, id.id(), null, e.requestedAt));
        }
    }
}
