package io.journeycep.pipeline.ingest;

import io.journeycep.model.JourneyEvent;
import io.journeycep.sinks.RejectedEvent;

import java.util.Objects;

/**
 * What a source emits for one raw record: either a parsed {@link JourneyEvent} or a {@link RejectedEvent} for the
 * dead-letter output, never both. Parsing happens inside the source so that watermarks are generated per Kafka
 * partition from event times, and a bad record never throws.
 */
public class IngestRecord {
    public JourneyEvent event;
    public RejectedEvent rejected;

    public IngestRecord() {}

    public static IngestRecord accepted(JourneyEvent event) {
        IngestRecord r = new IngestRecord();
        r.event = Objects.requireNonNull(event);
        return r;
    }

    public static IngestRecord rejected(RejectedEvent rejected) {
        IngestRecord r = new IngestRecord();
        r.rejected = Objects.requireNonNull(rejected);
        return r;
    }

    public boolean isAccepted() {
        return event != null;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof IngestRecord)) {
            return false;
        }
        IngestRecord that = (IngestRecord) o;
        return Objects.equals(event, that.event) && Objects.equals(rejected, that.rejected);
    }

    @Override
    public int hashCode() {
        return Objects.hash(event, rejected);
    }

    @Override
    public String toString() {
        return isAccepted() ? "Accepted{" + event + '}' : "Rejected{" + rejected + '}';
    }
}
