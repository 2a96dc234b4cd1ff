package io.journeycep.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Where a replay ends (issue 14): by default event time ends at the input's last event, so a cart whose deadline is
 * after it stays open and the summary counts what is pending; {@code --drain} fires everything; {@code --drain} with
 * {@code --until} is a usage error.
 */
class ReplayEndTest {
    private static final long MIN = 60_000L;
    private static final long T0 = 1_700_000_000_000L; // 2023-11-14T22:13:20Z

    @TempDir
    Path dir;

    static VerbRun verbs(String... argv) throws Exception {
        return VerbRun.of(argv);
    }

    private static String event(String id, String type, String user, long minute) {
        return String.format("{\"event_id\":\"%s\",\"event_type\":\"%s\",\"user_id\":\"%s\",\"ts\":%d,"
                + "\"item_id\":\"i-%s\",\"price\":10.0}", id, type, user, T0 + minute * MIN, id);
    }

    /** The last event is z's view at minute 300. */
    static final Instant LAST = Instant.ofEpochMilli(T0 + 300 * MIN);

    /**
     * a abandons a cart at minute 1 (due at 31, well before the end); p adds to cart at minute 290 (due at 320, after
     * the last event); z's view at 300 is the last event. Sessions: a's closed at 31, p's and z's open at 300.
     */
    static Path input(Path dir) throws Exception {
        Path input = dir.resolve("events.jsonl");
        Files.write(input, List.of(
                event("a-v", "view", "a", 0), event("a-c", "cart_add", "a", 1),
                event("p-v", "view", "p", 285), event("p-c", "cart_add", "p", 290),
                event("z-v", "view", "z", 300)));
        return input;
    }

    @Test
    void byDefaultEventTimeEndsAtTheLastEventAndWhatIsDueAfterItStaysPending() throws Exception {
        VerbRun r = verbs("replay", "--input", input(dir).toString(), "--state-backend", "hashmap");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out())
                .contains("finished, event time ended at " + LAST + " (the last event)")
                .containsPattern("CART_ABANDONED +1\\n") // a's; p's is due after the end
                .containsPattern("cart-abandonment +1\\n")
                .contains(String.format("  event time ended at %s   (the last event; --drain fires the timeouts after"
                        + " it)%n", LAST))
                .contains(String.format("  pending when event time ended%n"
                        + "    open carts              1   (CART_ABANDONED deadline not reached)%n"
                        + "    open sessions           2   (journey sessions not closed, not scored)%n"
                        + "    segment timers          3   (users with a membership change still due)%n"))
                .doesNotContain("after --until");
    }

    @Test
    void drainFiresEveryPendingTimeout() throws Exception {
        VerbRun r = verbs("replay", "--input", input(dir).toString(), "--drain", "--state-backend", "hashmap");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out())
                .contains("finished, event time ran to the end of time (--drain: every pending timeout fired)")
                .containsPattern("CART_ABANDONED +2\\n") // p's too
                .containsPattern("cart-abandonment +2\\n")
                .contains("  event time ended at the end of time   (--drain: every pending timeout fired)")
                .doesNotContain("pending when event time ended");
    }

    @Test
    void drainWithUntilIsAUsageError() throws Exception {
        String input = input(dir).toString();
        for (String[] argv : List.of(
                new String[] {"replay", "--input", input, "--drain", "--until", LAST.toString()},
                new String[] {"replay", "--until", LAST.toString(), "--input", input, "--drain"})) {
            VerbRun r = verbs(argv);
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).startsWith("replay: --drain and --until exclude each other (--drain fires every pending"
                    + " timeout, --until stops event time at TIME)\n")
                    .doesNotContain("Exception").doesNotContain("\tat ");
            assertThat(r.out()).as("no job ran").isEmpty();
        }
    }

    @Test
    void helpSaysWhereAReplayEnds() throws Exception {
        VerbRun help = verbs("replay", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("Event time ends at the").contains("last (greatest) event time")
                .contains("--drain").contains("Not with --until.");
    }
}
