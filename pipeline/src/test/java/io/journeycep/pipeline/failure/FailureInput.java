package io.journeycep.pipeline.failure;

/**
 * The failure test's fixed input: event {@code i} of {@code n} as flat JSON, a pure function of {@code i} (SplitMix64
 * of the index), so every run of the test feeds the same events.
 *
 * <ul>
 *   <li>Time: {@code T0 + i * STEP_MS}, strictly increasing (no two events share a timestamp, so no output depends
 *       on how equal timestamps from different subtasks interleave).</li>
 *   <li>Users: {@code users} in {@value #COHORTS} cohorts; the events of a stretch of {@link #cohortLength} events
 *       come from one cohort, so a user is active for a few minutes and then quiet for about an hour of event
 *       time: sessions close, carts time out, users come back.</li>
 *   <li>Types: 55 % view, 13 % cart add, 5 % purchase, 10 % login, 4 % login failed and 2 % payment failed (both on
 *       every tenth user), 5 % search, 6 % page. A quarter of the items cost 500–1,499 (HIGH_VALUE_BROWSING).</li>
 *   <li>IP per 5 users, device shared by neighbouring users (distinct-users-per-device), card per user.</li>
 * </ul>
 * The last record, {@link #clock}, is a view 8 days after the last event: it moves event time on, so every pending
 * timeout (carts, sessions, transition flushes, the segments' daily timers for 8 days) fires in both runs.
 */
final class FailureInput {
    static final long T0 = 1_700_000_000_000L; // 2023-11-14: far enough in the past for any future-time check
    static final long STEP_MS = 5;
    static final int COHORTS = 12;
    static final long CLOCK_JUMP_MS = 8L * 24 * 3600 * 1000;

    private final long n;
    private final int users;
    private final long cohortLength;

    FailureInput(long n) {
        this.n = n;
        this.users = (int) Math.max(1200, n / 25);
        // one cohort's stretch lasts 5 min of event time; the cohort is back after COHORTS stretches (1 h)
        this.cohortLength = 60_000;
    }

    long size() {
        return n + 1;
    }

    int users() {
        return users;
    }

    long clockTimestamp() {
        return T0 + (n - 1) * STEP_MS + CLOCK_JUMP_MS;
    }

    /** The user of event i (also its Kafka key). */
    String user(long i) {
        if (i == n) {
            return "clock";
        }
        long h = mix(i);
        int perCohort = users / COHORTS;
        long cohort = (i / cohortLength) % COHORTS;
        return "u" + (cohort * perCohort + Math.floorMod(h, perCohort));
    }

    String json(long i) {
        if (i == n) {
            return "{\"event_id\":\"clock\",\"event_type\":\"view\",\"user_id\":\"clock\",\"ts\":" + clockTimestamp()
                    + ",\"item_id\":\"p0\",\"price\":1.0}";
        }
        long h = mix(i);
        String u = user(i);
        long user = Long.parseLong(u.substring(1));
        int roll = (int) Math.floorMod(h >>> 20, 100);
        String type = roll < 55 ? "view" : roll < 68 ? "cart_add" : roll < 73 ? "purchase" : roll < 83 ? "login"
                : roll < 87 ? "login_failed" : roll < 89 ? "payment_failed" : roll < 94 ? "search" : "page";
        if (type.equals("login_failed") || type.equals("payment_failed")) {
            user = (user / 10) * 10;
            u = "u" + user;
        }
        int priceRoll = (int) Math.floorMod(h >>> 44, 100);
        double price = priceRoll < 75 ? 5 + Math.floorMod(h >>> 50, 300) : 500 + Math.floorMod(h >>> 50, 1000);
        return "{\"event_id\":\"e" + i + "\",\"event_type\":\"" + type + "\",\"user_id\":\"" + u + "\",\"ts\":"
                + (T0 + i * STEP_MS) + ",\"item_id\":\"p" + Math.floorMod(h >>> 32, 3000) + "\",\"price\":" + price
                + ",\"ip\":\"10." + (user / 5 / 65536) % 256 + '.' + (user / 5 / 256) % 256 + '.' + (user / 5) % 256
                + "\",\"device_id\":\"d" + (user + Math.floorMod(h >>> 40, 3)) / 2 + "\",\"card_id\":\"c" + user
                + "\"}";
    }

    /** SplitMix64's finalizer. */
    static long mix(long x) {
        x += 0x9E3779B97F4A7C15L;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }
}
