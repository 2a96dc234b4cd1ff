package io.journeycep.patterns.velocity;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Events and a tiny watermark-driven driver that runs a {@link VelocityDetector} the way the Flink operator does. */
final class VelocityTestSupport {

    static final long T0 = 1_795_341_600_000L; // 2026-11-22T10:00:00Z
    static final long SEC = 1_000L;
    static final long MIN = 60 * SEC;
    static final long HOUR = 60 * MIN;

    private VelocityTestSupport() {}

    static JourneyEvent event(String id, EventType type, long ts) {
        JourneyEvent e = new JourneyEvent();
        e.eventId = id;
        e.type = type;
        e.timestamp = ts;
        e.userId = "u-1";
        e.ip = "203.0.113.5";
        e.deviceId = "d-1";
        e.cardId = "c-1";
        return e;
    }

    static JourneyEvent withUser(JourneyEvent e, String user) {
        e.userId = user;
        return e;
    }

    static JourneyEvent withPrice(JourneyEvent e, Double price) {
        e.price = price;
        return e;
    }

    /**
     * Feeds events in the given (arrival) order to one detector; the watermark trails the largest timestamp seen by
     * {@code lagMs + 1} (Flink's bounded out-of-orderness: equal timestamps are never late); every contributing event time is evaluated once the watermark
     * reaches it, in order, and the window is settled; at the end the watermark goes to +infinity.
     */
    static final class Driver {
        final VelocityRule rule;
        final long lagMs;
        final VelocityDetector detector;
        final TreeSet<Long> pending = new TreeSet<>();
        final List<VelocityCrossing> crossings = new ArrayList<>();
        final List<String> late = new ArrayList<>();
        long watermark = Long.MIN_VALUE;
        int maxBuckets;

        Driver(VelocityRule rule, long lagMs) {
            this.rule = rule.requireValid();
            this.lagMs = lagMs;
            this.detector = VelocityDetector.forRule(rule);
        }

        Driver feed(List<JourneyEvent> events) {
            for (JourneyEvent e : events) {
                feed(e);
            }
            return this;
        }

        Driver feed(JourneyEvent e) {
            if (e.timestamp <= watermark) {
                late.add(e.eventId);
                return this;
            }
            if (rule.matches(e) && detector.add(rule, e)) {
                pending.add(e.timestamp);
            }
            maxBuckets = Math.max(maxBuckets, detector.window.size());
            advance(Math.max(watermark, e.timestamp - lagMs - 1)); // as Flink's bounded out-of-orderness
            return this;
        }

        Driver advance(long wm) {
            watermark = wm;
            while (!pending.isEmpty() && pending.first() <= wm) {
                long t = pending.pollFirst();
                VelocityCrossing c = detector.evaluate(rule, t);
                if (c != null) {
                    crossings.add(c);
                }
            }
            // eviction as the operator's timers do it: everything that left every future window
            if (pending.isEmpty() || pending.first() > wm) {
                long settleTo = pending.isEmpty() ? wm : Math.min(wm, pending.first() - 1);
                if (settleTo > detector.window.frontier && settleTo != Long.MAX_VALUE) {
                    detector.settle(settleTo);
                }
            }
            return this;
        }

        Driver finish() {
            return advance(Long.MAX_VALUE - 1);
        }

        List<Long> crossingTimes() {
            List<Long> out = new ArrayList<>();
            for (VelocityCrossing c : crossings) {
                out.add(c.eventTime());
            }
            return out;
        }
    }
}
