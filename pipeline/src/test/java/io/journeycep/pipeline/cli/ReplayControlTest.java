package io.journeycep.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code replay --control FILE}: privacy requests rehearsed on history, at their {@code ts}, without a broker; a bad
 * line stops the replay before it starts, naming the file, line and field.
 */
class ReplayControlTest {
    private static final long MIN = 60_000L;
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private static String event(String id, String type, String user, long minute) {
        return String.format("{\"event_id\":\"%s\",\"event_type\":\"%s\",\"user_id\":\"%s\",\"ts\":%d,"
                + "\"item_id\":\"i-%s\",\"price\":10.0}", id, type, user, T0 + minute * MIN, id);
    }

    /** Alice abandons a cart at minute 1 and another at minute 61, Bob one at minute 1; event time ends at 300. */
    private Path events() throws Exception {
        return events(true);
    }

    private Path events(boolean secondCart) throws Exception {
        // in event-time order: a view at minute 0 read after a cart at minute 1 would be behind the watermark
        // (5 s out of order allowed) whenever one was emitted between the two, and late
        List<String> lines = new ArrayList<>();
        for (String u : List.of("alice", "bob")) {
            lines.add(event(u + "-v1", "view", u, 0));
        }
        for (String u : List.of("alice", "bob")) {
            lines.add(event(u + "-c1", "cart_add", u, 1));
        }
        if (secondCart) {
            lines.add(event("alice-v2", "view", "alice", 60));
            lines.add(event("alice-c2", "cart_add", "alice", 61));
        }
        lines.add(event("z-v", "view", "zed", 300));
        Path input = dir.resolve("events.jsonl");
        Files.write(input, lines);
        return input;
    }

    private Path control(String... lines) throws Exception {
        Path file = dir.resolve("control.jsonl");
        Files.write(file, List.of(lines));
        return file;
    }

    private static String at(long minute) {
        return java.time.Instant.ofEpochMilli(T0 + minute * MIN).toString();
    }

    private VerbRun replay(Path input, Path control) throws Exception {
        List<String> argv = new ArrayList<>(List.of("replay", "--input", input.toString(), "--state-backend",
                "hashmap"));
        if (control != null) {
            argv.addAll(List.of("--control", control.toString()));
        }
        return VerbRun.of(argv.toArray(new String[0]));
    }

    @Test
    void aSuppressionInTheFileDropsTheUsersEventsBetweenItsTsAndTheUnsuppress() throws Exception {
        Path input = events();
        VerbRun plain = replay(input, null);
        assertThat(plain.code()).as(plain.err()).isZero();
        assertThat(plain.out()).containsPattern("CART_ABANDONED +3\\n").doesNotContain("suppressed");

        VerbRun suppressed = replay(input, control(
                "{\"ts\":\"" + at(200) + "\",\"type\":\"unsuppress\",\"user-id\":\"alice\"}",
                "{\"ts\":" + (T0 + 50 * MIN) + ",\"type\":\"suppress\",\"user-id\":\"alice\"}"));
        assertThat(suppressed.code()).as(suppressed.err()).isZero();
        // alice's first cart (before 50) fires, her second (60, 61: suppressed) never starts; bob's fires
        assertThat(suppressed.out()).containsPattern("CART_ABANDONED +2\\n")
                .containsPattern("suppressed +2 ");
    }

    @Test
    void aSuppressWithDeleteErasesWhatTheUserHadAndDropsWhatComesAfter() throws Exception {
        VerbRun run = replay(events(), control(
                "{\"ts\":\"" + at(10) + "\",\"type\":\"suppress\",\"user-id\":\"alice\",\"delete\":true}"));
        assertThat(run.code()).as(run.err()).isZero();
        // alice's open cart (due at 31) is erased at 10, her later events are suppressed: only bob's cart fires
        assertThat(run.out()).containsPattern("CART_ABANDONED +1\\n").containsPattern("suppressed +2 ");
    }

    @Test
    void anErasureInTheFileDeletesWhatTheUserHadAtItsTs() throws Exception {
        Path input = events(false);
        assertThat(replay(input, null).out()).containsPattern("CART_ABANDONED +2\\n").containsPattern("late +0 ");
        VerbRun run = replay(input, control(
                "{\"ts\":\"" + at(10) + "\",\"type\":\"erasure\",\"user-id\":\"alice\"}"));
        assertThat(run.code()).as(run.err()).isZero();
        // alice's cart, open at 10 (due at 31), is deleted with her state: only bob's fires; nothing is suppressed
        assertThat(run.out()).containsPattern("CART_ABANDONED +1\\n").containsPattern("late +0 ")
                .doesNotContain("suppressed");
    }

    /**
     * The race of a control stream without event time: the erasure comes after thousands of other control messages,
     * while the few events are read at once and would carry event time past alice's cart deadline (minute 31) long
     * before the erasure (minute 10) entered the job. In event time the control stream holds the events' watermark
     * behind every message not yet read, so the erasure still acts at minute 10.
     */
    @Test
    void anErasureBehindThousandsOfControlMessagesStillActsAtItsTs() throws Exception {
        Path input = events(false);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            lines.add("{\"ts\":" + (T0 + 5 * MIN + i) + ",\"type\":\"unsuppress\",\"user-id\":\"other-" + i
                    + "\"}");
        }
        lines.add("{\"ts\":\"" + at(10) + "\",\"type\":\"erasure\",\"user-id\":\"alice\"}");
        VerbRun run = replay(input, control(lines.toArray(new String[0])));
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("CART_ABANDONED +1\\n").containsPattern("late +0 ");
    }

    @Test
    void aBadLineStopsTheReplayNamingFileLineAndFieldWithoutAStackTrace() throws Exception {
        Path input = events();
        String[][] cases = {
                {"{\"type\":\"suppress\",\"user-id\":\"alice\"}", "line 2: ts: required"},
                {"{\"ts\":\"2023-11-14 22:13\",\"type\":\"suppress\",\"user-id\":\"alice\"}", "line 2: ts: "},
                {"{\"ts\":true,\"type\":\"suppress\",\"user-id\":\"alice\"}", "line 2: ts: must be ISO-8601"},
                {"{\"ts\":1,\"type\":\"suppress\",\"user-id\":\"alice\",\"delete\":\"yes\"}",
                        "line 2: delete: must be true or false"},
                {"{\"ts\":1,\"type\":\"suppress\"}", "line 2: user-id: required"},
                {"{\"ts\":1,\"type\":\"velocity-rule\",\"rule\":{\"rule-id\":\"x\"}}", "line 2: rule.version: required"},
                {"not json", "line 2: not JSON"},
                {"[1]", "line 2: a line is a JSON object"}};
        for (String[] c : cases) {
            Path control = control("{\"ts\":1,\"type\":\"unsuppress\",\"user-id\":\"bob\"}", "", c[0]);
            VerbRun run = replay(input, control);
            assertThat(run.code()).as(c[0]).isEqualTo(2);
            assertThat(run.err()).as(c[0]).contains("control file " + control + ", " + c[1].replace("line 2",
                    "line 3")).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("alice");
            assertThat(run.err().lines().count()).as(c[0]).isOne();
            assertThat(run.out()).as(c[0]).doesNotContain("replay of");
        }
        VerbRun missing = replay(input, dir.resolve("no-such.jsonl"));
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("cannot read control file");
    }
}
