package io.journeycep.pipeline.bench;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;

import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * A deterministic synthetic stream for the velocity stage: event {@code i} belongs to a pseudo-random user out of
 * {@code users}, with an IP (one per 5 users), a device (one per 2 users, shared by neighbours so that some devices
 * see several users) and a card (one per user); time advances {@code stepMillis} per event. The type mix is 60% view,
 * 10% cart add, 5% purchase, 12% login, 8% login failed, 5% payment failed. Every tenth user is "noisy" and sends
 * most of the failures, so rules cross their thresholds at a realistic, non-zero rate.
 */
public final class SyntheticRiskTraffic implements GeneratorFunction<Long, JourneyEvent> {
    private static final long serialVersionUID = 1L;
    static final long T0 = 1_700_000_000_000L;

    private final int users;
    private final long stepMillis;

    public SyntheticRiskTraffic(int users, long stepMillis) {
        this.users = users;
        this.stepMillis = stepMillis;
    }

    /** The user (0 … users-1) of event {@code index}. */
    static long userOf(long index, int users) {
        long h = SyntheticClickstream.mix(index);
        return userOf(h, typeOf(h), users);
    }

    private static EventType typeOf(long h) {
        int roll = (int) Math.floorMod(h >>> 20, 100);
        return roll < 60 ? EventType.VIEW : roll < 70 ? EventType.CART_ADD : roll < 75 ? EventType.PURCHASE
                : roll < 87 ? EventType.LOGIN : roll < 95 ? EventType.LOGIN_FAILED : EventType.PAYMENT_FAILED;
    }

    private static long userOf(long h, EventType type, int users) {
        long user = Math.floorMod(h, users);
        if (type == EventType.LOGIN_FAILED || type == EventType.PAYMENT_FAILED) {
            user = (user / 10) * 10; // failures concentrate on every tenth user
        }
        return user;
    }

    @Override
    public JourneyEvent map(Long index) {
        long i = index;
        long h = SyntheticClickstream.mix(i);
        EventType type = typeOf(h);
        long user = userOf(h, type, users);
        JourneyEvent e = new JourneyEvent();
        e.eventId = "e" + i;
        e.type = type;
        e.userId = "u" + user;
        e.timestamp = T0 + i * stepMillis;
        e.ip = "10." + (user / 5 / 65536) % 256 + '.' + (user / 5 / 256) % 256 + '.' + (user / 5) % 256;
        e.deviceId = "d" + (user + Math.floorMod(h >>> 40, 3)) / 2;
        e.cardId = "c" + user;
        e.itemId = "p" + Math.floorMod(h >>> 32, 5000);
        e.price = (double) (1 + Math.floorMod(h >>> 44, 900));
        e.source = "bench";
        e.position = i;
        return e;
    }
}
