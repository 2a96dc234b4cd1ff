package io.journeycep.patterns.cep;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.ToLongFunction;

/**
 * The records of a keyed operator's keys that arrived before the watermark passed their time, on the heap, by key and
 * in arrival order, each with the watermark it arrived under (issue 14: the user pass, velocity).
 *
 * <p>Why: a stage that works in event-time order holds a record until the watermark passes its time anyway. Held in
 * the key's state, a record cost a read and a write when it arrived and another read and write, a timer registration
 * and a timer firing when the watermark passed it. Held here, it costs one read and one write of the key's state when
 * the watermark passes it, and no timer. A key's records leave together, when the watermark passes the earliest of
 * them, so the stage sees them in the order they arrived.
 *
 * <p>Not state: the operator hands everything held here over into the keys' state before a checkpoint barrier, before
 * a broadcast (control) record, at the end of the input, and when more than a bound are held.
 *
 * <p>Single-threaded, like the operator.
 *
 * @param <K> the key
 * @param <T> the record
 */
public final class Arrivals<K, T> {
    /** A record and the watermark it arrived under. */
    public static final class Arrival<T> {
        public final T record;
        public final long watermark;

        Arrival(T record, long watermark) {
            this.record = record;
            this.watermark = watermark;
        }
    }

    /** One key's arrivals, and the earliest event time among them. */
    private static final class Waiting<K, T> {
        final K key;
        final List<Arrival<T>> arrivals = new ArrayList<>(2);
        long earliest = Long.MAX_VALUE;

        Waiting(K key) {
            this.key = key;
        }
    }

    /** What is done with a key's arrivals when they leave. */
    public interface Consumer<K, T> {
        void accept(K key, List<Arrival<T>> arrivals) throws Exception;
    }

    private final ToLongFunction<T> time;
    private final Map<K, Waiting<K, T>> byKey = new HashMap<>();
    private final PriorityQueue<Waiting<K, T>> byEarliest =
            new PriorityQueue<>(Comparator.comparingLong(w -> w.earliest));
    private int size;

    /** @param time a record's event time */
    public Arrivals(ToLongFunction<T> time) {
        this.time = time;
    }

    /** Whether {@code key} has records held here. */
    public boolean has(K key) {
        return byKey.containsKey(key);
    }

    /** Records held here, of all keys. */
    public int size() {
        return size;
    }

    public void add(K key, T record, long watermark) {
        long t = time.applyAsLong(record);
        Waiting<K, T> w = byKey.get(key);
        if (w == null) {
            w = new Waiting<>(key);
            byKey.put(key, w);
        } else if (t < w.earliest) {
            byEarliest.remove(w); // out of order within the key: rare; re-queued below at its new earliest time
        }
        w.arrivals.add(new Arrival<>(record, watermark));
        size++;
        if (t < w.earliest) {
            w.earliest = t;
            byEarliest.add(w);
        }
    }

    /** Forgets {@code key}'s records (an erasure). */
    public void drop(K key) {
        Waiting<K, T> w = byKey.remove(key);
        if (w != null) {
            byEarliest.remove(w);
            size -= w.arrivals.size();
        }
    }

    /** Hands over, and forgets, the records of each key whose earliest record is at or before {@code watermark}. */
    public void takeDue(long watermark, Consumer<K, T> consumer) throws Exception {
        while (!byEarliest.isEmpty() && byEarliest.peek().earliest <= watermark) {
            take(byEarliest.poll(), consumer);
        }
    }

    /** Hands over, and forgets, every key's records. */
    public void takeAll(Consumer<K, T> consumer) throws Exception {
        while (!byEarliest.isEmpty()) {
            take(byEarliest.poll(), consumer);
        }
    }

    private void take(Waiting<K, T> w, Consumer<K, T> consumer) throws Exception {
        byKey.remove(w.key);
        size -= w.arrivals.size();
        consumer.accept(w.key, w.arrivals);
    }
}
