package io.journeycep.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.pipeline.config.Instants;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** {@code replay --until TIME}: parsing and validation of TIME, and the summary of a replay stopped at TIME. */
class ReplayUntilTest {
    private static final long MIN = 60_000L;
    private static final long T0 = 1_700_000_000_000L; // 2023-11-14T22:13:20Z

    @TempDir
    Path dir;

    private static VerbRun verbs(String... argv) throws Exception {
        return VerbRun.of(argv);
    }

    private static String event(String id, String type, String user, long minute) {
        return String.format("{\"event_id\":\"%s\",\"event_type\":\"%s\",\"user_id\":\"%s\",\"ts\":%d,"
                + "\"item_id\":\"i-%s\",\"price\":10.0}", id, type, user, T0 + minute * MIN, id);
    }

    private Path input() throws Exception {
        Path input = dir.resolve("events.jsonl");
        Files.write(input, List.of(
                event("a-v", "view", "a", 0), event("a-c", "cart_add", "a", 1), // deadline 31 min
                event("b-v", "view", "b", 40), event("b-c", "cart_add", "b", 45), // deadline 75 min
                event("c-v", "view", "c", 61), event("c-c", "cart_add", "c", 62), // after TIME (60 min)
                event("z-v", "view", "z", 300)));
        return input;
    }

    @Test
    void timeIsAnIsoInstantWithAZoneOrEpochMillis() {
        assertThat(Instants.parse("2019-10-01T12:00:00Z")).isEqualTo(Instant.parse("2019-10-01T12:00:00Z"));
        assertThat(Instants.parse(" 2019-10-01T14:00:00.250+02:00 "))
                .isEqualTo(Instant.parse("2019-10-01T12:00:00.250Z"));
        assertThat(Instants.parse("1569931200000")).isEqualTo(Instant.parse("2019-10-01T12:00:00Z"));
        assertThat(Instants.parse("0")).isEqualTo(Instant.EPOCH);
    }

    @Test
    void aBadTimeIsAUsageErrorThatSaysWhatIsExpected() throws Exception {
        String input = input().toString();
        String expected = "replay: --until must be an ISO-8601 instant with a zone (2019-10-01T12:00:00Z) or epoch"
                + " milliseconds (1569931200000), was ";
        VerbRun noZone = verbs("replay", "--input", input, "--until", "2019-10-01T12:00:00");
        assertThat(noZone.code()).isEqualTo(2);
        assertThat(noZone.err()).startsWith(expected + "'2019-10-01T12:00:00', which has no zone (add Z or an offset)\n")
                .contains("(see `replay --help`)");
        VerbRun words = verbs("replay", "--input", input, "--until=yesterday");
        assertThat(words.code()).isEqualTo(2);
        assertThat(words.err()).startsWith(expected + "'yesterday'\n");
        VerbRun negative = verbs("replay", "--input", input, "--until", "-5");
        assertThat(negative.code()).isEqualTo(2);
        assertThat(negative.err()).startsWith(expected + "'-5'\n");
        VerbRun huge = verbs("replay", "--input", input, "--until", "99999999999999999999");
        assertThat(huge.code()).isEqualTo(2);
        assertThat(huge.err()).startsWith(expected + "'99999999999999999999' (too large for epoch milliseconds)\n");
        VerbRun empty = verbs("replay", "--input", input, "--until", "");
        assertThat(empty.code()).isEqualTo(2);
        assertThat(empty.err()).startsWith(expected + "an empty value\n");
        VerbRun missing = verbs("replay", "--input", input, "--until");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).startsWith("replay: --until needs a value\n");
        assertThat(noZone.out() + words.out() + missing.out()).as("no job ran").isEmpty();
    }

    @Test
    void helpDescribesUntil() throws Exception {
        VerbRun help = verbs("replay", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("--until TIME").contains("epoch").contains("as of TIME");
    }

    @Test
    void aReplayUntilTimeFiresOnlyTheTimeoutsBeforeItAndCountsTheEventsAfterIt() throws Exception {
        String until = Instant.ofEpochMilli(T0 + 60 * MIN).toString(); // 2023-11-14T23:13:20Z
        VerbRun r = verbs("replay", "--input", input().toString(), "--until", until, "--state-backend", "hashmap");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out())
                .contains("finished, event time stopped at 2023-11-14T23:13:20Z")
                .contains(String.format("  records read              7%n"
                        + "    accepted                4%n"
                        + "    rejected                0   (dead-letter output, with reason and raw bytes)%n"
                        + "    after --until           3   (not processed: event time after 2023-11-14T23:13:20Z)%n"))
                .containsPattern("CART_ABANDONED +1\\n")
                .containsPattern("cart-abandonment +1\\n");
    }
}
