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

    private JourneyStates() {}

    /** The state of an event type. */
    public static String of(EventType type) {
        return type.wireName();
    }
}
