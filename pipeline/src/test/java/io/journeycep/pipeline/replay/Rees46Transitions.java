package io.journeycep.pipeline.replay;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Markov transition counts a REES46 CSV file should give, computed from the raw lines with no job code: its own
 * line splitting, time parsing and type names. Sessions (DESIGN §3): per {@code user_id} in file order (the file is in
 * time order; equal timestamps keep file order), a row starts a new session when its {@code user_session} differs from
 * the user's previous row's or it is more than 30 min after that row; each session is {@code START → types … → EXIT}
 * with {@code view}, {@code cart → cart_add}, {@code purchase} (the rees46 mapping). A cut-off last line (no newline)
 * is not a row.
 */
final class Rees46Transitions {
    static final long GAP_MS = 30 * 60 * 1000L;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'");

    private Rees46Transitions() {}

    /** "from>to" → count, sorted. */
    static Map<String, Long> expected(Path csv) throws Exception {
        String text = new String(Files.readAllBytes(csv), StandardCharsets.UTF_8);
        int lastNewline = text.lastIndexOf('\n');
        // every complete line ends with "\n" (CRLF in this file): cut there, then drop the "\r"s
        List<String> lines = List.of(text.substring(0, lastNewline + 1).split("\r?\n"));
        Map<String, String> lastState = new HashMap<>();
        Map<String, String> lastSession = new HashMap<>();
        Map<String, Long> lastTime = new HashMap<>();
        Map<String, Long> counts = new TreeMap<>();
        long previous = Long.MIN_VALUE;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            long t = LocalDateTime.parse(f[0], TIME).toInstant(ZoneOffset.UTC).toEpochMilli();
            if (t < previous) {
                throw new IllegalStateException("file not in time order at " + line);
            }
            previous = t;
            String type = switch (f[1]) {
                case "view" -> "view";
                case "cart" -> "cart_add";
                case "purchase" -> "purchase";
                default -> throw new IllegalStateException("unexpected type " + f[1]);
            };
            String user = f[7];
            String session = f[8];
            String from = lastState.get(user);
            if (from != null && (!session.equals(lastSession.get(user)) || t - lastTime.get(user) > GAP_MS)) {
                counts.merge(from + ">EXIT", 1L, Long::sum);
                from = null;
            }
            counts.merge((from == null ? "START" : from) + ">" + type, 1L, Long::sum);
            lastState.put(user, type);
            lastSession.put(user, session);
            lastTime.put(user, t);
        }
        lastState.values().forEach(s -> counts.merge(s + ">EXIT", 1L, Long::sum));
        return counts;
    }
}
