package io.journeycep.patterns.pass;

import io.journeycep.model.JourneyEvent;

import org.apache.flink.api.common.functions.RuntimeContext;

/**
 * One detector run by {@link UserPassOperator} for a user: it owns its slice of the user's one value (states it
 * registered in the store the host gave it when it was made) and tells the host when it next needs time to pass.
 *
 * <p>The host calls it with the user's key current and the value loaded; it writes the value back and arms the user's
 * one timer after every call, so a guest never touches timers and never reads or writes the backend itself.
 */
public interface UserGuest<OUT> {
    /** Receives what the guest emits, with the event time of the record. */
    interface Emitter<OUT> {
        void emit(OUT value, long timestamp);
    }

    void open(RuntimeContext context) throws Exception;

    /**
     * An on-time event of the user arrived; {@code watermark} is the host's current watermark (events at or before it
     * are late for event-time operators and are not matched).
     */
    void onEvent(JourneyEvent event, long watermark) throws Exception;

    /** The watermark reached {@code watermark} and the user's timer fired: do everything due up to it. */
    void onWatermark(long watermark, Emitter<OUT> out) throws Exception;

    /** The earliest event time at which the guest needs {@link #onWatermark}; {@link Long#MAX_VALUE} for none. */
    long nextDue() throws Exception;

    /** Whether the user has something the guest would report as pending at the end of a replay (an open match). */
    boolean hasPending() throws Exception;

    void close() throws Exception;
}
