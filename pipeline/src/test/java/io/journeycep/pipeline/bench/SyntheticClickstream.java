package io.journeycep.pipeline.bench;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;

import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * A deterministic synthetic clickstream: event {@code i} belongs to a pseudo-random user out of {@code users}, time
 * advances {@code stepMillis} per event, and the type mix is 80% view, 12% cart add, 5% purchase, 3% login.
 * With 100k users and a 3 ms step, each user sends about six events per 30 minutes of event time.
 */
public final class SyntheticClickstream implements GeneratorFunction<Long, JourneyEvent> {
    private static final long serialVersionUID = 1L;
    static final long T0 = 1_700_000_000_000L;
    /** Events generated so far in this JVM (the progress {@link BenchCluster} samples). */
    static final java.util.concurrent.atomic.AtomicLong GENERATED = new java.util.concurrent.atomic.AtomicLong();

    private final int users;
    private final long stepMillis;

    public SyntheticClickstream(int users, long stepMillis) {
        this.users = users;
        this.stepMillis = stepMillis;
    }

    @Override
    public JourneyEvent map(Long index) {
        long i = index;
        long h = mix(i);
        JourneyEvent e = new JourneyEvent();
        e.eventId = "e" + i;
        e.userId = "u" + Math.floorMod(h, users);
        e.timestamp = T0 + i * stepMillis;
        int roll = (int) Math.floorMod(h >>> 20, 100);
        e.type = roll < 80 ? EventType.VIEW : roll < 92 ? EventType.CART_ADD : roll < 97 ? EventType.PURCHASE
                : EventType.LOGIN;
        e.itemId = "p" + Math.floorMod(h >>> 32, 5000);
        e.price = (double) (1 + Math.floorMod(h >>> 40, 900));
        e.source = "bench";
        e.position = i;
        GENERATED.lazySet(i + 1);
        return e;
    }

    /** SplitMix64's finalizer: a well-spread pseudo-random long for each index (shared by the generators). */
    static long mix(long x) {
        x += 0x9E3779B97F4A7C15L;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }
}
