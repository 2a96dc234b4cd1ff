package io.journeycep.sinks;

import java.util.Arrays;
import java.util.Objects;

/**
 * A record the job could not accept, kept whole for the dead-letter outputs (Kafka {@code events.dlq}, table
 * {@code rejected_events}). {@code (source, position)} identifies it, so writing it twice is harmless.
 */
public class RejectedEvent {
    /** {@code kafka:<topic>/<partition>} or {@code file:<name>}. */
    public String source;
    /** Kafka offset or file line number. */
    public long position;
    /** A {@link RejectReason} name. */
    public String reason;
    /** Human-readable detail: which field, what was wrong. */
    public String detail;
    /** The record exactly as received. */
    public byte[] raw;
    /** Wall-clock time of rejection (epoch ms). */
    public long receivedAt;

    public RejectedEvent() {}

    public static RejectedEvent of(
            String source, long position, RejectReason reason, String detail, byte[] raw, long receivedAt) {
        RejectedEvent r = new RejectedEvent();
        r.source = source;
        r.position = position;
        r.reason = reason.name();
        r.detail = detail;
        r.raw = raw;
        r.receivedAt = receivedAt;
        return r;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RejectedEvent)) {
            return false;
        }
        RejectedEvent that = (RejectedEvent) o;
        return position == that.position
                && receivedAt == that.receivedAt
                && Objects.equals(source, that.source)
                && Objects.equals(reason, that.reason)
                && Objects.equals(detail, that.detail)
                && Arrays.equals(raw, that.raw);
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, position, reason);
    }

    @Override
    public String toString() {
        return "RejectedEvent{" + source + '@' + position + ' ' + reason + ": " + detail + '}';
    }
}
