package io.journeycep.patterns.journey;

import io.journeycep.model.EventType;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The states of a journey path (DESIGN §3 PATH_ANOMALY): {@code START}, the canonical event types by wire name, and
 * {@code EXIT}. A session's path is {@code START → type … → EXIT}.
 */
public final class JourneyStates {
    public static final String START = "START";
    public static final String EXIT = "EXIT";

    /** Every state a transition can go to: the event types and {@code EXIT} ({@code START} is never a target). */
    public static final List<String> TARGETS;

    static {
        List<String> targets = new ArrayList<>();
        for (EventType t : EventType.values()) {
            targets.add(t.wireName());
        }
        targets.add(EXIT);
        TARGETS = Collections.unmodifiableList(targets);
    }

    /**
     * Every state with a stable small code (its index): {@code START}, the event types, {@code EXIT}. Append only:
     * per-user models store pairs by these codes ({@link UserTransitionModel}), so an existing code never changes.
     */
    public static final List<String> CODED = List.of(START, "view", "cart_add", "cart_remove", "checkout",
            "purchase", "login", "login_failed", "payment_failed", "signup", "search", "page", "other", EXIT);

    private JourneyStates() {}

    /** The stable code of a state ({@link #CODED}), or -1 when it is not a journey state. */
    public static int code(String state) {
        return CODED.indexOf(state);
    }

    /** The state of an event type. */
    public static String of(EventType type) {
        return type.wireName();
    }
}
