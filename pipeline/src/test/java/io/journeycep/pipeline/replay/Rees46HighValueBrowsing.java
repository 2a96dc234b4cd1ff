package io.journeycep.pipeline.replay;

import io.journeycep.pipeline.replay.Rees46Episodes.Row;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The HIGH_VALUE_BROWSING alerts a REES46 file should produce with the default thresholds, computed from the raw rows
 * by the specification (DESIGN §3 and the README), sharing no code with the job.
 *
 * <p>Per user, in event-time order (equal times in file order), keep the views priced at least 500 (the {@code price}
 * column, read as a decimal) and the purchases. A match is 3 consecutive kept rows that are all views, the last at
 * most 1 h (inclusive) after the first. With {@code SKIP_PAST_LAST_EVENT} the next match may only start after the
 * previous match's last view, and the earliest-ending match is taken first.
 */
final class Rees46HighValueBrowsing {
    static final int MIN_VIEWS = 3;
    static final BigDecimal MIN_PRICE = new BigDecimal("500");
    static final long WINDOW_MS = 60 * 60 * 1000L;

    /** One expected alert: user, first view time, last view time, number of views. */
    record Run(String userId, long firstView, long lastView, int views) implements Comparable<Run> {
        @Override
        public int compareTo(Run o) {
            return Comparator.comparing(Run::userId)
                    .thenComparingLong(Run::firstView)
                    .thenComparingLong(Run::lastView)
                    .thenComparingInt(Run::views)
                    .compare(this, o);
        }
    }

    private Rees46HighValueBrowsing() {}

    static Set<Run> expectedAlerts(List<Row> rows) {
        Map<String, List<Row>> byUser = new LinkedHashMap<>();
        for (Row row : rows) {
            boolean highValueView = row.type().equals("view") && price(row).compareTo(MIN_PRICE) >= 0;
            if (highValueView || row.type().equals("purchase")) {
                byUser.computeIfAbsent(row.userId(), u -> new ArrayList<>()).add(row);
            }
        }
        Set<Run> out = new TreeSet<>();
        for (List<Row> kept : byUser.values()) {
            kept.sort(Comparator.comparingLong(Row::timeMs).thenComparingLong(Row::line)); // stable: file order
            int lastEnd = -1;
            for (int end = MIN_VIEWS - 1; end < kept.size(); end++) {
                int start = end - MIN_VIEWS + 1;
                if (start <= lastEnd) {
                    continue;
                }
                boolean allViews = kept.subList(start, end + 1).stream().allMatch(r -> r.type().equals("view"));
                if (allViews && kept.get(end).timeMs() - kept.get(start).timeMs() <= WINDOW_MS) {
                    out.add(new Run(kept.get(start).userId(), kept.get(start).timeMs(), kept.get(end).timeMs(),
                            MIN_VIEWS));
                    lastEnd = end;
                }
            }
        }
        return out;
    }

    private static BigDecimal price(Row row) {
        String[] f = row.raw().split(",", -1);
        return f[6].isEmpty() ? BigDecimal.valueOf(-1) : new BigDecimal(f[6]);
    }
}
