package io.journeycep.pipeline.replay;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The CART_ABANDONED alerts a REES46 CSV file should produce, computed straight from the raw rows with a plain
 * per-user state machine written from the specification (DESIGN §3). It deliberately shares no code with the job:
 * its own CSV reading, its own time parsing, its own rules. It exists so the replay test can catch the job's bugs.
 *
 * <p>The specification, sentence by sentence, and where each is implemented:
 * <ol>
 *   <li>(R0) Per user, over events in event-time order; rows with equal timestamps keep file order —
 *       {@link #expectedAlerts}: a stable sort by time, then one pass.</li>
 *   <li>(R1) An episode STARTS with a {@code cart_add} that has a {@code view} by the same user at most 30 min before
 *       it (inclusive; a view with the same timestamp counts only if earlier in the file), while no episode of that
 *       user is open — {@link UserState#cartAdd}.</li>
 *   <li>(R2) Further {@code cart_add}s each within 30 min (inclusive) of the previous cart_add of the episode, with no
 *       {@code purchase} in between, JOIN the episode — {@link UserState#cartAdd}.</li>
 *   <li>(R3) If no {@code purchase} by that user follows within 30 min (inclusive) of the episode's last cart_add,
 *       exactly ONE alert fires for the episode — {@link UserState#expireIfDue}.</li>
 *   <li>(R4) A {@code purchase} within that time closes the episode with no alert — {@link UserState#purchase}.</li>
 *   <li>(R5) A cart_add more than 30 min after the last one does not join: the episode has ended (with an alert,
 *       since no purchase came in time, else it would already be closed) and that cart_add may start a new episode
 *       only with its own view — {@link UserState#expireIfDue} runs before every event of the user, then R1.</li>
 *   <li>(R6) At the end of the input every pending episode is resolved (the replay fires all timeouts) —
 *       the final loop of {@link #expectedAlerts}.</li>
 * </ol>
 * Alert fields: subject = user id, window start = first cart_add time, window end = last cart_add time + 30 min,
 * cart adds = number of cart_adds in the episode.
 */
public final class Rees46Episodes {
    /** The look-back (view → cart_add), the join gap (cart_add → cart_add), the timeout (cart_add → purchase). */
    public static final long WINDOW_MS = 30 * 60 * 1000L;

    public static final String HEADER =
            "event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session";
    private static final int COLUMNS = 9;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'");

    private Rees46Episodes() {}

    /** One complete CSV row. {@code line} is the 1-based line number in the file (the header is line 1). */
    public record Row(long line, long timeMs, String type, String productId, String userId, String raw) {}

    /** One expected alert: what the test compares with the job's {@code Alert}. */
    public record Episode(String userId, long windowStart, long windowEnd, int cartAdds)
            implements Comparable<Episode> {
        @Override
        public int compareTo(Episode o) {
            return Comparator.comparing(Episode::userId)
                    .thenComparingLong(Episode::windowStart)
                    .thenComparingLong(Episode::windowEnd)
                    .thenComparingInt(Episode::cartAdds)
                    .compare(this, o);
        }

        @Override
        public String toString() {
            return "user=" + userId
                    + " start=" + java.time.Instant.ofEpochMilli(windowStart) + " (" + windowStart + ")"
                    + " end=" + java.time.Instant.ofEpochMilli(windowEnd) + " (" + windowEnd + ")"
                    + " cartAdds=" + cartAdds;
        }
    }

    /**
     * The file's content split into complete rows and, if the file does not end with a newline, the cut-off last line
     * (which is not a row: the job must dead-letter it). Lines end with LF or CRLF (the REES46 file uses CRLF).
     * Throws if any complete line is not a plain 9-column row (quoted fields, embedded commas), since then splitting
     * on ',' would not be a faithful reading.
     */
    public record Parsed(List<Row> rows, String cutOffLine, long cutOffLineNumber) {}

    public static Parsed parse(byte[] content) {
        String text = new String(content, StandardCharsets.UTF_8);
        List<Row> rows = new ArrayList<>();
        int start = 0;
        long lineNo = 0;
        String cutOff = null;
        long cutOffNo = -1;
        while (start < text.length()) {
            lineNo++;
            int nl = text.indexOf('\n', start);
            if (nl < 0) { // no newline after it: the line was cut off
                cutOff = text.substring(start);
                cutOffNo = lineNo;
                break;
            }
            String line = text.substring(start, nl);
            start = nl + 1;
            if (line.endsWith("\r")) { // the REES46 export ends its lines with CRLF
                line = line.substring(0, line.length() - 1);
            }
            if (lineNo == 1) {
                if (!line.equals(HEADER)) {
                    throw new IllegalArgumentException("unexpected header: " + line);
                }
                continue;
            }
            if (line.indexOf('"') >= 0) {
                throw new IllegalArgumentException("line " + lineNo + ": quoted field, split on ',' would be wrong");
            }
            String[] f = line.split(",", -1);
            if (f.length != COLUMNS) {
                throw new IllegalArgumentException("line " + lineNo + ": " + f.length + " columns: " + line);
            }
            long time = LocalDateTime.parse(f[0], TIME).toInstant(ZoneOffset.UTC).toEpochMilli();
            String type = f[1];
            if (!type.equals("view") && !type.equals("cart") && !type.equals("purchase")) {
                throw new IllegalArgumentException("line " + lineNo + ": unexpected event_type " + type);
            }
            if (f[7].isEmpty()) {
                throw new IllegalArgumentException("line " + lineNo + ": no user_id");
            }
            rows.add(new Row(lineNo, time, type, f[2], f[7], line));
        }
        return new Parsed(rows, cutOff, cutOffNo);
    }

    /** The row's CSV line with {@code event_time} set to {@code timeMs} (for inputs derived from the real file). */
    public static String withTime(Row row, long timeMs) {
        String time = TIME.format(LocalDateTime.ofEpochSecond(Math.floorDiv(timeMs, 1000L), 0, ZoneOffset.UTC));
        if (timeMs % 1000L != 0) {
            throw new IllegalArgumentException("the CSV time has whole seconds only: " + timeMs);
        }
        return time + row.raw().substring(row.raw().indexOf(','));
    }

    /** One user's open episode, if any, and the time of the user's latest view so far. */
    private static final class UserState {
        final String userId;
        /** Latest view so far in (time, file) order; in sorted order it is the best candidate for R1. */
        Long lastViewMs;
        /** Open episode: first and last cart_add time and the count; {@code open == false} means none. */
        boolean open;
        long firstCartMs;
        long lastCartMs;
        int cartAdds;

        UserState(String userId) {
            this.userId = userId;
        }

        /**
         * R3/R5: an open episode whose last cart_add is more than 30 min before {@code nowMs} can no longer be closed
         * by a purchase nor joined by a cart_add (both inclusive at exactly 30 min), so its alert fires.
         */
        void expireIfDue(long nowMs, List<Episode> out) {
            if (open && nowMs - lastCartMs > WINDOW_MS) {
                fire(out);
            }
        }

        void view(long t) {
            lastViewMs = t;
        }

        void cartAdd(long t) {
            if (open) {
                // R2: within 30 min of the previous cart_add (guaranteed: expireIfDue ran first), no purchase between
                // (a purchase would have closed the episode): join.
                lastCartMs = t;
                cartAdds++;
            } else if (lastViewMs != null && t - lastViewMs <= WINDOW_MS) {
                // R1: a view at most 30 min before (inclusive); same-timestamp views count only if earlier in the
                // file, which holds because rows are processed in (time, file) order.
                open = true;
                firstCartMs = t;
                lastCartMs = t;
                cartAdds = 1;
            }
            // else: a cart_add without a recent view starts nothing.
        }

        void purchase() {
            // R4: a purchase within 30 min of the last cart_add (guaranteed: expireIfDue ran first) closes the
            // episode with no alert.
            open = false;
        }

        /** R3: exactly one alert per episode, then the episode is over. */
        void fire(List<Episode> out) {
            out.add(new Episode(userId, firstCartMs, lastCartMs + WINDOW_MS, cartAdds));
            open = false;
        }
    }

    /** The alerts the rows should produce, as a sorted set (one entry per episode). */
    public static Set<Episode> expectedAlerts(List<Row> rows) {
        List<Row> ordered = new ArrayList<>(rows);
        ordered.sort(Comparator.comparingLong(Row::timeMs)); // R0: List.sort is stable, so ties keep file order
        Map<String, UserState> users = new HashMap<>();
        List<Episode> out = new ArrayList<>();
        for (Row r : ordered) {
            UserState u = users.computeIfAbsent(r.userId(), UserState::new);
            u.expireIfDue(r.timeMs(), out);
            switch (r.type()) {
                case "view" -> u.view(r.timeMs());
                case "cart" -> u.cartAdd(r.timeMs());
                case "purchase" -> u.purchase();
                default -> throw new IllegalArgumentException("unexpected event_type " + r.type());
            }
        }
        for (UserState u : users.values()) { // R6: end of input resolves every pending episode
            if (u.open) {
                u.fire(out);
            }
        }
        Set<Episode> set = new TreeSet<>(out);
        if (set.size() != out.size()) {
            throw new IllegalStateException("two identical episodes: " + out);
        }
        return set;
    }
}
