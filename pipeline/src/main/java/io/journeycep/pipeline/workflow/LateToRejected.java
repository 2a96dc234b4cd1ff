package io.journeycep.pipeline.workflow;

import io.journeycep.model.JourneyEvent;
import io.journeycep.pipeline.ingest.EventJson;
import io.journeycep.sinks.RejectReason;
import io.journeycep.sinks.RejectedEvent;

import org.apache.flink.api.common.functions.MapFunction;

import java.time.Instant;

/** A late event as a dead-letter record: reason LATE, the event as flat JSON for its raw bytes. */
final class LateToRejected implements MapFunction<JourneyEvent, RejectedEvent> {
    private static final long serialVersionUID = 1L;

    @Override
    public RejectedEvent map(JourneyEvent event) {
        return RejectedEvent.of(
                event.source,
                event.position,
                RejectReason.LATE,
                "event time " + Instant.ofEpochMilli(event.timestamp) + " is behind the watermark by more than the"
                        + " allowed lateness",
                EventJson.toFlatJson(event),
                System.currentTimeMillis());
    }
}
