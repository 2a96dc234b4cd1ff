package io.journeycep.pipeline.report;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A generated shop for the report's integration test: six weeks of sessions of a few hundred shoppers (JSON lines,
 * the flat shape), deterministic for a seed. Sessions walk a small funnel (search, view, cart, checkout, purchase,
 * failed payments), some shoppers stop coming after their first week (churn), a few guess passwords, test stolen
 * cards or share a device, so every section of the report has data: transitions, alerts of several kinds, velocity
 * rules, segment entries and exits. Every fifth shopper denies marketing consent in a Segment {@code page} call
 * before the first session, so the job withholds their marketing triggers (the report's share withheld).
 */
final class ShopTraffic {
    static final Instant START = Instant.parse("2024-03-04T00:00:00Z");
    static final Duration LENGTH = Duration.ofDays(42);

    private record Event(long ts, String json) {}

    private final Random random;
    private final List<Event> events = new ArrayList<>();
    private long ids;

    ShopTraffic(long seed) {
        this.random = new Random(seed);
    }

    /** Writes the events of {@code users} shoppers in time order; returns the last event time. */
    Instant write(Path file, int users) throws IOException {
        for (int u = 1; u <= users; u++) {
            user("u-" + u, u % 5 == 0);
        }
        events.sort(Comparator.comparingLong(Event::ts));
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Event e : events) {
                w.write(e.json);
                w.write('\n');
            }
        }
        return Instant.ofEpochMilli(events.get(events.size() - 1).ts);
    }

    private void user(String user, boolean deniesMarketing) {
        long end = START.plus(LENGTH).toEpochMilli();
        long t = START.toEpochMilli() + (long) (random.nextDouble() * LENGTH.toMillis() * 0.8);
        int persona = random.nextInt(100);
        boolean loyal = persona < 12;
        boolean churns = persona >= 12 && persona < 30;
        long churnAt = t + Duration.ofDays(5 + random.nextInt(4)).toMillis();
        String device = "d-" + (random.nextInt(50) < 3 ? "shared" : user);
        String card = "c-" + user;
        if (persona >= 95) { // a password guesser: six failed logins, 20 s apart
            for (int i = 0; i < 6; i++) {
                add(user, "login_failed", t + i * 20_000L, null, device, null);
            }
            t += Duration.ofHours(2).toMillis();
        } else if (persona >= 92) { // a card tester: four failed payments in 20 min
            for (int i = 0; i < 4; i++) {
                add(user, "payment_failed", t + i * 300_000L, null, device, card);
            }
            t += Duration.ofHours(2).toMillis();
        }
        if (deniesMarketing) {
            events.add(new Event(t - 1000, String.format(Locale.ROOT, "{\"type\":\"page\",\"messageId\":\"e-%d\","
                    + "\"userId\":\"%s\",\"timestamp\":\"%s\",\"context\":{\"consent\":{\"categoryPreferences\":"
                    + "{\"Marketing\":false}}}}", ++ids, user, Instant.ofEpochMilli(t - 1000))));
        }
        while (t < end && !(churns && t > churnAt)) {
            session(user, t, device, card);
            long gapHours = loyal ? 12 + random.nextInt(36) : 24 + random.nextInt(24 * 9);
            t += Duration.ofHours(gapHours).toMillis() + random.nextInt(3_600_000);
        }
    }

    /** One session: a walk through the funnel, events 20 s to 2 min apart. */
    private void session(String user, long start, String device, String card) {
        double r = random.nextDouble();
        String state = r < 0.62 ? "view" : r < 0.85 ? "search" : r < 0.95 ? "login" : "page";
        long t = start;
        String item = item();
        for (int steps = 0; state != null && steps < 40; steps++) {
            double price = 10 + (Math.abs(item.hashCode()) % 900);
            add(user, state, t, state.equals("view") || state.startsWith("cart") || state.equals("purchase")
                    ? item : null, device, state.equals("payment_failed") || state.equals("purchase") ? card : null,
                    price);
            t += 20_000 + random.nextInt(100_000);
            state = next(state);
            if ("view".equals(state) && random.nextDouble() < 0.6) {
                item = item();
            }
        }
    }

    private String next(String state) {
        double r = random.nextDouble();
        switch (state) {
            case "view":
                return r < 0.48 ? "view" : r < 0.63 ? "cart_add" : r < 0.70 ? "search" : null;
            case "search":
                return r < 0.78 ? "view" : r < 0.83 ? "search" : null;
            case "login":
                return r < 0.7 ? "view" : r < 0.9 ? "search" : null;
            case "page":
                return r < 0.5 ? "view" : null;
            case "cart_add":
                return r < 0.38 ? "checkout" : r < 0.63 ? "view" : r < 0.68 ? "cart_remove" : null;
            case "cart_remove":
                return r < 0.5 ? "view" : null;
            case "checkout":
                return r < 0.74 ? "purchase" : r < 0.84 ? "payment_failed" : null;
            case "payment_failed":
                return r < 0.6 ? "checkout" : null;
            case "purchase":
                return r < 0.25 ? "view" : null;
            default:
                return null;
        }
    }

    private String item() {
        return "p-" + (1 + random.nextInt(300));
    }

    private void add(String user, String type, long ts, String item, String device, String card) {
        add(user, type, ts, item, device, card, 0);
    }

    private void add(String user, String type, long ts, String item, String device, String card, double price) {
        StringBuilder b = new StringBuilder(160);
        b.append("{\"event_id\":\"e-").append(++ids).append("\",\"event_type\":\"").append(type)
                .append("\",\"user_id\":\"").append(user).append("\",\"ts\":").append(ts);
        if (item != null) {
            b.append(",\"item_id\":\"").append(item).append("\",\"price\":")
                    .append(String.format(Locale.ROOT, "%.2f", price));
        }
        if (device != null) {
            b.append(",\"device_id\":\"").append(device).append('"');
        }
        if (card != null) {
            b.append(",\"card_id\":\"").append(card).append('"');
        }
        events.add(new Event(ts, b.append('}').toString()));
    }
}
