package io.journeycep.patterns.pass;

import io.journeycep.model.JourneyEvent;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The events of a subtask's users that reached the user pass before the watermark passed their time, on the heap, by
 * user and in arrival order, each with the watermark it arrived under ({@link UserPassOperator}, issue 14).
 *
 * <p>Why: every guest holds an event until the watermark passes its time anyway (the detectors work in event-time
 * order). Held in the user's value, an event cost a read and a write when it arrived and another read and write, a
 * timer registration and a timer firing when the watermark passed it. Held here, it costs one read and one write of
 * the user's value when the watermark passes it, and no timer. A user's events leave together, when the watermark
 * passes the earliest of them, so the guests see them in the order they arrived.
 *
 * <p>Not state: the host hands everything held here to the guests (into the users' values) before a checkpoint
 * barrier, before a control message, at the end of the input, and when more than a bound are held.
 *
 * <p>Single-threaded, like the operator.
 */
final class Arrivals {
    /** An event and the watermark it arrived under. */
    static final class Arrival {
        final JourneyEvent event;
        final long watermark;

        Arrival(JourneyEvent event, long watermark) {
            this.event = event;
            this.watermark = watermark;
        }
    }

    /** One user's arrivals, and the earliest event time among them. */
    private static final class Waiting {
        final String user;
        final List<Arrival> arrivals = new ArrayList<>(2);
        long earliest = Long.MAX_VALUE;

        Waiting(String user) {
            this.user = user;
        }
    }

    /** What is done with a user's arrivals when they leave. */
    interface Consumer {
        void accept(String user, List<Arrival> arrivals) throws Exception;
    }

    private final Map<String, Waiting> byUser = new HashMap<>();
    private final PriorityQueue<Waiting> byEarliest = new PriorityQueue<>(Comparator.comparingLong(w -> w.earliest));
    private int size;

    /** Whether {@code user} has events held here. */
    boolean has(String user) {
        return byUser.containsKey(user);
    }

    /** Events held here, of all users. */
    int size() {
        return size;
    }

    void add(String user, JourneyEvent event, long watermark) {
        Waiting w = byUser.get(user);
        if (w == null) {
            w = new Waiting(user);
            byUser.put(user, w);
        } else if (event.timestamp < w.earliest) {
            byEarliest.remove(w); // out of order within the user: rare; re-queued below at its new earliest time
        }
        w.arrivals.add(new Arrival(event, watermark));
        size++;
        if (event.timestamp < w.earliest) {
            w.earliest = event.timestamp;
            byEarliest.add(w);
        }
    }

    /** Forgets {@code user}'s events (an erasure). */
    void drop(String user) {
        Waiting w = byUser.remove(user);
        if (w != null) {
            byEarliest.remove(w);
            size -= w.arrivals.size();
        }
    }

    /** Hands over, and forgets, the events of each user whose earliest event is at or before {@code watermark}. */
    void takeDue(long watermark, Consumer consumer) throws Exception {
        while (!byEarliest.isEmpty() && byEarliest.peek().earliest <= watermark) {
            take(byEarliest.poll(), consumer);
        }
    }

    /** Hands over, and forgets, every user's events. */
    void takeAll(Consumer consumer) throws Exception {
        while (!byEarliest.isEmpty()) {
            take(byEarliest.poll(), consumer);
        }
    }

    private void take(Waiting w, Consumer consumer) throws Exception {
        byUser.remove(w.user);
        size -= w.arrivals.size();
        consumer.accept(w.user, w.arrivals);
    }
}
