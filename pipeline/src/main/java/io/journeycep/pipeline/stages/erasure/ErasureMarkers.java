package io.journeycep.pipeline.stages.erasure;

import io.journeycep.model.Erasure;
import io.journeycep.model.JourneyEvent;
import io.journeycep.pipeline.control.ControlMessage;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an erasure request of the control topic into one marker per user key it covers (the user's, and {@code
 * anon:<id>} per anonymous id), which join the events right before dedupe. Logs the request by its id and hash only.
 */
public final class ErasureMarkers implements FlatMapFunction<ControlMessage, JourneyEvent> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ErasureMarkers.class);

    @Override
    public void flatMap(ControlMessage m, Collector<JourneyEvent> out) {
        if (!m.isErasure()) {
            return;
        }
        Erasure e = m.erasure;
        LOG.info("erasure {} of user {} (requested at {}): deleting the user's state in every stage", e.erasureId,
                e.userHash, java.time.Instant.ofEpochMilli(e.requestedAt));
        for (int i = 0; i < e.userKeys.length; i++) {
            String key = e.userKeys[i];
            if (i == 0) {
                out.collect(JourneyEvent.erasureMarker(e, key, null, e.requestedAt));
            } else {
                out.collect(JourneyEvent.erasureMarker(e, null, key.substring("anon:".length()), e.requestedAt));
            }
        }
    }
}
