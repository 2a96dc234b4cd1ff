package io.journeycep.pipeline.testing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * Generated traffic for drift tests: per event-time bucket a Poisson number of views (one rate before the bucket
 * {@code shiftAt}, another from it on: the injected level shift), purchases (with a price of 50–149) and cart adds,
 * each at a uniformly drawn time inside its bucket, by users {@code u-0 … u-499}; sorted by time (equal times keep
 * their generation order). The same seed gives the same events. Shared by {@code DriftWorkflowTest} (MiniCluster)
 * and {@code DriftPipelineIT} (Kafka and PostgreSQL).
 *
 * @param t0 start of the first bucket (a multiple of {@code bucketMillis})
 * @param viewsBefore mean views per bucket before {@code shiftAt}
 * @param viewsAfter mean views per bucket from {@code shiftAt} on
 * @param purchases mean purchases per bucket
 * @param cartAdds mean cart adds per bucket
 */
public record DriftTraffic(
        long t0,
        long bucketMillis,
        int buckets,
        int shiftAt,
        double viewsBefore,
        double viewsAfter,
        double purchases,
        double cartAdds) {

    /** One generated event; {@code price} is null except for purchases. */
    public record Event(String id, String type, String user, long ts, Integer price) {
        /** The flat JSON shape the parser reads. */
        public String json() {
            String p = price == null ? "" : String.format(",\"price\":%d.0", price);
            return String.format("{\"event_id\":\"%s\",\"event_type\":\"%s\",\"user_id\":\"%s\",\"ts\":%d%s}",
                    id, type, user, ts, p);
        }

        /** Index of the event's bucket from {@code t0}. */
        public int bucket(DriftTraffic traffic) {
            return (int) Math.floorDiv(ts - traffic.t0, traffic.bucketMillis);
        }
    }

    public DriftTraffic {
        if (t0 % bucketMillis != 0) {
            throw new IllegalArgumentException("t0 must be a multiple of the bucket: " + t0);
        }
    }

    /** A Poisson draw (Knuth). */
    public static int poisson(Random r, double lambda) {
        double l = Math.exp(-lambda);
        double p = 1.0;
        int k = 0;
        do {
            k++;
            p *= r.nextDouble();
        } while (p > l);
        return k - 1;
    }

    /** The events, in time order; ids are {@code <idPrefix>e-<n>} and users {@code <idPrefix>u-<n>}. */
    public List<Event> events(long seed, String idPrefix) {
        Random r = new Random(seed);
        List<long[]> times = new ArrayList<>(); // {time, kind}
        for (int b = 0; b < buckets; b++) {
            int views = poisson(r, b < shiftAt ? viewsBefore : viewsAfter);
            int bought = poisson(r, purchases);
            int carts = poisson(r, cartAdds);
            for (int i = 0; i < views + bought + carts; i++) {
                int kind = i < views ? 0 : i < views + bought ? 1 : 2;
                times.add(new long[] {t0 + b * bucketMillis + r.nextInt((int) bucketMillis), kind});
            }
        }
        times.sort(Comparator.comparingLong(t -> t[0]));
        List<Event> events = new ArrayList<>();
        String[] types = {"view", "purchase", "cart_add"};
        for (int i = 0; i < times.size(); i++) {
            long[] t = times.get(i);
            Integer price = t[1] == 1 ? 50 + r.nextInt(100) : null;
            events.add(new Event(idPrefix + "e-" + i, types[(int) t[1]], idPrefix + "u-" + r.nextInt(500), t[0],
                    price));
        }
        return events;
    }

    /** {@link #events} as JSON lines. */
    public List<String> jsonLines(long seed, String idPrefix) {
        return events(seed, idPrefix).stream().map(Event::json).collect(Collectors.toList());
    }
}
