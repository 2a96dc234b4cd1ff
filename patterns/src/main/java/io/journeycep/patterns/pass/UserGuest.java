package io.journeycep.patterns.pass;

import io.journeycep.model.JourneyEvent;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.cep.time.TimerService;
import org.apache.flink.util.OutputTag;

import java.io.Serializable;

import javax.annotation.Nullable;

/**
 * One detector run by {@link UserPassOperator} for a user: it owns its slice of the user's one value (the states it
 * registered in the store the host gave it when it was made) and tells the host when it next needs time to pass.
 *
 * <p>The host calls it with the user's key current and the value loaded; it writes the value back and arms the user's
 * one timer after every call, so a guest never touches timers and never reads or writes the backend itself. Guests
 * run in the host's order; what a guest emits on the main output is handed to every guest ({@link #onPassOutput})
 * before the next one runs, so a later guest can use an earlier one's findings in the same pass (segments use the
 * CART_ABANDONED alerts of the cart pattern).
 *
 * @param <OUT> the host's main output
 * @param <CTRL> the host's broadcast input (rule changes)
 */
public interface UserGuest<OUT, CTRL> {
    /** Receives what the guest emits, with the event time of the record. */
    interface Emitter<OUT> {
        void emit(OUT value, long timestamp);

        <X> void emit(OutputTag<X> tag, X value, long timestamp);
    }

    /** Makes a guest while the host initializes its state. */
    interface Factory<OUT, CTRL> extends Serializable {
        /** Names the guest's slice of the user's value (a prefix of its state names): unique among the guests. */
        String sliceName();

        UserGuest<OUT, CTRL> create(KeyedStateStore slice, Setup setup) throws Exception;
    }

    /** What the host offers a guest it makes. */
    interface Setup {
        SerializerConfig serializers();

        /** The host's operator state (broadcast state of rule changes). */
        OperatorStateStore operatorState() throws Exception;

        TimerService processingTime();

        /** The host's subtask index (rejections of a broadcast message are reported once, by subtask 0). */
        int subtaskIndex();

        /** The key of the user whose value is loaded (while the host calls the guest for a user). */
        String currentUser();
    }

    /** The host's services while a broadcast message is handled (no user is current). */
    interface ControlContext<OUT> {
        long currentWatermark();

        Emitter<OUT> output();

        /**
         * Runs {@code action} for every user of this subtask that has a value, the user's key current and value
         * loaded; the host writes the value and re-arms the user's timer after each.
         */
        void forEachUser(UserAction action) throws Exception;
    }

    interface UserAction {
        void run(String userKey) throws Exception;
    }

    void open(RuntimeContext context) throws Exception;

    /**
     * Whether the guest takes this event ({@link #onEvent}): by default the events routed to the detectors
     * ({@link JourneyEvent#forDetectors()}), not the journeys' re-keyed anonymous paths.
     */
    default boolean takes(JourneyEvent event) {
        return event.forDetectors();
    }

    /**
     * An event of the user arrived; {@code watermark} is the host's current watermark (events at or before it are late
     * for event-time operators).
     */
    void onEvent(JourneyEvent event, long watermark, Emitter<OUT> out) throws Exception;

    /** A record a guest emitted on the main output in this pass (this guest's own included). */
    default void onPassOutput(OUT record, long timestamp) throws Exception {}

    /**
     * Whether a record emitted in the pass (main or side output) may leave the operator, asked of every guest before
     * it is sent, with the user's value loaded. A record some guest holds back is not sent, yet every guest still
     * sees it in {@link #onPassOutput}: withholding a trigger (a user's consent) must not change what the guests
     * compute from it. Also asked for records emitted while no user is current ({@link ControlContext#output}).
     */
    default boolean releases(Object record, long timestamp) throws Exception {
        return true;
    }

    /**
     * This guest held {@code record} back ({@link #releases} returned {@code false}): called once, on the guest that
     * refused it, with the same user's value loaded, so it can tell what it withheld (consent emits a record on a side
     * output of its own, README "Consent"). What it emits through {@code out} is asked of {@link #releases} like any
     * other record. By default nothing.
     */
    default void withheld(Object record, long timestamp, Emitter<OUT> out) throws Exception {}

    /** The watermark reached {@code watermark} and the user's timer fired: do everything due up to it. */
    void onWatermark(long watermark, Emitter<OUT> out) throws Exception;

    /** A broadcast message (a rule change). */
    default void onControl(CTRL message, ControlContext<OUT> context) throws Exception {}

    /** The earliest event time at which the guest needs {@link #onWatermark}; {@link Long#MAX_VALUE} for none. */
    long nextDue() throws Exception;

    /**
     * The accumulator in which the host counts, when the input ends, the users for which {@link #hasPending} holds
     * (a replay's pending work), or {@code null} for none.
     */
    @Nullable
    default String pendingAccumulator() {
        return null;
    }

    default boolean hasPending() throws Exception {
        return false;
    }

    default void close() throws Exception {}
}
