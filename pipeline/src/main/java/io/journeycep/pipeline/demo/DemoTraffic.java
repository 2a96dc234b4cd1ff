package io.journeycep.pipeline.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Scripted shoppers for the demo, with known outcomes: each new user follows one script, and the generator
 * counts how many cart abandonments it scripted. Half the users speak the Segment spec, half the flat shape;
 * now and then a malformed record is mixed in for the dead-letter output.
 */
public final class DemoTraffic {
    /** What a scripted user does. */
    public enum Script {
        /** view → cart add (→ second cart add) → nothing: one CART_ABANDONED. */
        ABANDON,
        /** view → cart add → purchase: no alert. */
        BUY,
        /** three views at one price, no purchase: a HIGH_VALUE_BROWSING alert when the price is at least 500. */
        BROWSE,
        /** cart add with no view before it: no alert. */
        CART_WITHOUT_VIEW,
        /** six failed logins two seconds apart: one VELOCITY alert (default rule: at least 5 per user in 10 min). */
        PASSWORD_GUESSING
    }

    /** One record to send at {@code atMillis} (wall clock). */
    public static final class TimedRecord {
        public final long atMillis;
        public final String key;
        public final byte[] value;
        /** For abandonment scripts: when the alert is due (last cart add + timeout); else 0. */
        public final long alertDueMillis;

        TimedRecord(long atMillis, String key, byte[] value, long alertDueMillis) {
            this.atMillis = atMillis;
            this.key = key;
            this.value = value;
            this.alertDueMillis = alertDueMillis;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Random random;
    private final long timeoutMillis;
    private long users;
    private long messages;
    private long abandonmentsScripted;

    public DemoTraffic(long seed, long timeoutMillis) {
        this.random = new Random(seed);
        this.timeoutMillis = timeoutMillis;
    }

    public long abandonmentsScripted() {
        return abandonmentsScripted;
    }

    /** The records of one new user whose first event is at {@code start}. */
    public List<TimedRecord> newUser(long start) {
        String user = "u-" + (++users);
        boolean segment = users % 2 == 0;
        int roll = random.nextInt(100);
        Script script = roll < 25 ? Script.ABANDON : roll < 50 ? Script.BUY : roll < 85 ? Script.BROWSE
                : roll < 95 ? Script.CART_WITHOUT_VIEW : Script.PASSWORD_GUESSING;
        String item = "p-" + (1 + random.nextInt(40));
        double price = 5 + random.nextInt(800);
        List<TimedRecord> out = new ArrayList<>();
        switch (script) {
            case ABANDON: {
                out.add(record(segment, user, "view", item, price, start, 0));
                long last = start + 2_000;
                if (random.nextBoolean()) {
                    out.add(record(segment, user, "cart_add", item, price, last, 0));
                    last += 2_000;
                    String second = "p-" + (1 + random.nextInt(40));
                    out.add(record(segment, user, "cart_add", second, 19.0, last, last + timeoutMillis));
                } else {
                    out.add(record(segment, user, "cart_add", item, price, last, last + timeoutMillis));
                }
                abandonmentsScripted++;
                break;
            }
            case BUY:
                out.add(record(segment, user, "view", item, price, start, 0));
                out.add(record(segment, user, "cart_add", item, price, start + 2_000, 0));
                out.add(record(segment, user, "purchase", item, price, start + 5_000, 0));
                break;
            case BROWSE:
                for (int i = 0; i < 3; i++) {
                    out.add(record(segment, user, "view", "p-" + (1 + random.nextInt(40)), price, start + i * 1_000L, 0));
                }
                break;
            case PASSWORD_GUESSING:
                for (int i = 0; i < 6; i++) {
                    out.add(record(segment, user, "login_failed", null, null, start + i * 2_000L, 0));
                }
                break;
            default:
                out.add(record(segment, user, "cart_add", item, price, start, 0));
                break;
        }
        if (random.nextInt(20) == 0) {
            out.add(new TimedRecord(start + 500, user, malformed(), 0));
        }
        return out;
    }

    private TimedRecord record(boolean segment, String user, String type, String item, Double price, long ts, long due) {
        ObjectNode n = JSON.createObjectNode();
        String id = "demo-" + (++messages);
        if (segment) {
            n.put("type", "track");
            n.put("event", segmentName(type));
            n.put("messageId", id);
            n.put("userId", user);
            n.put("timestamp", Instant.ofEpochMilli(ts).toString());
            if (item != null) {
                ObjectNode p = n.putObject("properties");
                p.put("product_id", item);
                p.put("price", price);
                p.put("currency", "EUR");
            }
        } else {
            n.put("event_id", id);
            n.put("event_type", type);
            n.put("user_id", user);
            n.put("ts", ts);
            if (item != null) {
                n.put("item_id", item);
                n.put("price", price);
            }
        }
        return new TimedRecord(ts, user, n.toString().getBytes(StandardCharsets.UTF_8), due);
    }

    private static String segmentName(String type) {
        switch (type) {
            case "view":
                return "Product Viewed";
            case "cart_add":
                return "Product Added";
            case "login_failed":
                return "Sign In Failed";
            default:
                return "Order Completed";
        }
    }

    private byte[] malformed() {
        String[] bad = {
            "{\"event_type\":\"view\",\"user_id\":\"u-x\",\"ts\":", // cut off
            "{\"event_type\":\"view\",\"ts\":1700000000000}", // no user
            "not json at all",
            "{\"event_type\":\"view\",\"user_id\":\"u-y\",\"ts\":\"yesterday\"}", // bad time
        };
        return bad[random.nextInt(bad.length)].getBytes(StandardCharsets.UTF_8);
    }
}
