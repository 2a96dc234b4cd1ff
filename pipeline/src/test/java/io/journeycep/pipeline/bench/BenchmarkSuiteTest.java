package io.journeycep.pipeline.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A smoke run of the benchmark suite at tiny sizes, in this JVM (but the {@code replay} verb, which runs in a JVM of its
 * own as a user runs it): every measurement produces a number and the markdown has its five tables, each well-formed,
 * between the markers, replacing only that part of the file. No timing assertion: benchmarks are not tests
 * (docs/BENCHMARKS.md).
 */
class BenchmarkSuiteTest {

    @Test
    void aTinyRunWritesEveryTableBetweenTheMarkers(@TempDir Path dir) throws Exception {
        BenchmarkSuite.Sizes sizes = BenchmarkSuite.Sizes.fromEnv(Map.of(
                "QUICK", "1", "EVENTS", "3000", "USERS_LIST", "300", "CEP_EVENTS", "2000", "CEP_USERS", "200",
                "LATENCY_SECONDS", "4", "LATENCY_USERS", "200", "LATENCY_RATE", "500"));

        String section = BenchmarkSuite.run(sizes, false, dir);
        System.out.println(section);

        assertThat(section).startsWith(BenchmarkSuite.BEGIN).endsWith(BenchmarkSuite.END + "\n")
                .contains("smoke run (QUICK=1)")
                .doesNotContain("Did not produce a number", "did not finish");
        List<List<String>> tables = tables(section);
        assertThat(tables).hasSize(5);
        // throughput (1 user count and the parallelism-2 row), replay (1 user count), CEP (2 comparisons), latency
        // (2 alert groups), state (1 user count)
        assertThat(tables.stream().map(t -> t.size() - 2).toList()).containsExactly(2, 1, 2, 2, 1);
        for (List<String> table : tables) {
            List<String> header = cells(table.get(0));
            assertThat(table.get(1)).matches("\\|(-+:?\\|)+");
            assertThat(header).contains("bar", "met");
            for (String row : table.subList(2, table.size())) {
                List<String> c = cells(row);
                assertThat(c).as(row).hasSize(header.size());
                assertThat(c.get(header.indexOf("met"))).as(row)
                        .isIn("met", "**not met**", "–", "n/a: not the same result", "n/a");
            }
        }
        // the numbers the tables are made of are there
        assertThat(cells(tables.get(0).get(2)).get(2)).matches("[0-9,]+");
        assertThat(cells(tables.get(0).get(2)).get(3)).matches("[0-9,]+");
        assertThat(cells(tables.get(0).get(2)).get(4)).matches("[0-9.]+ %");
        // parallelism 2: both rates with their rate per core and against parallelism 1, and the same alerts (the
        // same events, event time advancing alike in both source subtasks)
        List<String> scaled = cells(tables.get(0).get(3));
        assertThat(scaled.get(0)).isEqualTo("300 at parallelism 2");
        assertThat(scaled.get(2)).as("pass-through").matches("[0-9,]+ \\([0-9,]+ per core, [0-9.]+× parallelism 1\\)");
        assertThat(scaled.get(3)).as("full pipeline").matches("[0-9,]+ \\([0-9,]+ per core, [0-9.]+× parallelism 1\\)");
        assertThat(scaled.get(4)).matches("[0-9.]+ %");
        assertThat(scaled.get(5)).isEqualTo("as at parallelism 1");
        // replay: the verb read every event of the file and finished; its rate, time and the streaming rate are there
        List<String> replay = cells(tables.get(1).get(2));
        List<String> replayHeader = cells(tables.get(1).get(0));
        assertThat(replay.get(replayHeader.indexOf("completed"))).isEqualTo("yes");
        assertThat(replay.get(replayHeader.indexOf("replay events/s"))).matches("[0-9,]+");
        assertThat(replay.get(replayHeader.indexOf("replay s"))).matches("[0-9.]+( \\(from submission\\))?");
        assertThat(replay.get(replayHeader.indexOf("streaming events/s"))).matches("[0-9,]+");
        assertThat(replay.get(replayHeader.indexOf("replay / streaming"))).matches("[0-9.]+×");
        assertThat(dir.resolve("replay-3000-events-300-users.jsonl")).hasContent(jsonLines(3000, 300));
        assertThat(cells(tables.get(2).get(2)).get(5)).as("stage matches").matches("[0-9,]+");
        assertThat(cells(tables.get(2).get(2)).get(6)).as("vanilla matches").matches("[0-9,]+");
        assertThat(cells(tables.get(4).get(2)).get(3)).as("bytes per active user").matches("[0-9]+");

        // only the section between the markers is replaced
        Path doc = dir.resolve("BENCHMARKS.md");
        Files.writeString(doc, "# Benchmarks\n\nbefore\n\n" + BenchmarkSuite.BEGIN + "\nold\n" + BenchmarkSuite.END
                + "\n\nafter\n");
        BenchmarkSuite.replaceSection(doc, section);
        assertThat(Files.readString(doc)).isEqualTo("# Benchmarks\n\nbefore\n\n" + section + "\nafter\n");
    }

    @Test
    void aReplayThatExitsWithAnErrorIsReportedAsNotCompletedWithTheVerbsError() {
        BenchmarkSuite.Sizes sizes = BenchmarkSuite.Sizes.fromEnv(Map.of("EVENTS", "4000", "USERS_LIST", "400",
                "PARALLELISM", "1"));
        BenchmarkSuite.Result streaming = new BenchmarkSuite.Result("full-400", BenchmarkSuite.parse(
                "RESULT variant=all events=4000 users=400 events_per_s=782 alerts_by_kind=VELOCITY=251"), null);
        // the RESULT line ReplayBenchmark printed for a verb that did its job and then failed in its clean-up
        BenchmarkSuite.Result replay = new BenchmarkSuite.Result("replay-400", BenchmarkSuite.parse(
                "RESULT variant=replay events=4000 users=400 bytes=699869 completed=no exit_code=1 records_read=-1"
                        + " seconds=-0.0 events_per_s=0 timed_from=submission alerts_by_kind=- event_time_end=-"
                        + " failure=java.io.UncheckedIOException%3A+java.nio.file.NoSuchFileException%3A+%2Ftmp%2Fx"),
                null);
        BenchmarkSuite.Result none = new BenchmarkSuite.Result("other", Map.of(), "not run");

        String section = BenchmarkSuite.render(sizes, "now", 0, List.<BenchmarkSuite.Result[]>of(
                        new BenchmarkSuite.Result[] {none, streaming}), null, List.of(replay),
                new BenchmarkSuite.Result[] {none, none, none}, none);

        List<String> table = tables(section).get(1);
        List<String> header = cells(table.get(0));
        List<String> row = cells(table.get(2));
        assertThat(table).hasSize(3);
        assertThat(row.get(header.indexOf("completed"))).isEqualTo("**no** (exit code 1, no summary:"
                + " java.io.UncheckedIOException: java.nio.file.NoSuchFileException: /tmp/x)");
        assertThat(row.get(header.indexOf("replay events/s"))).isEqualTo("–");
        assertThat(row.get(header.indexOf("streaming events/s"))).isEqualTo("782");
        assertThat(row.get(header.indexOf("met"))).isEqualTo("**not met**");
    }

    /** What the replay file must hold: the generator's events, one flat JSON object a line. */
    private static String jsonLines(long events, int users) {
        SyntheticRiskTraffic traffic = new SyntheticRiskTraffic(users, 3);
        StringBuilder b = new StringBuilder();
        for (long i = 0; i < events; i++) {
            b.append(new String(io.journeycep.pipeline.ingest.EventJson.toFlatJson(traffic.map(i)),
                    java.nio.charset.StandardCharsets.UTF_8)).append('\n');
        }
        return b.toString();
    }

    /** The markdown tables of a text: each a list of its lines (header, separator, rows). */
    private static List<List<String>> tables(String markdown) {
        List<List<String>> tables = new ArrayList<>();
        List<String> current = null;
        for (String line : markdown.split("\n")) {
            if (line.startsWith("|")) {
                if (current == null) {
                    current = new ArrayList<>();
                    tables.add(current);
                }
                current.add(line);
            } else {
                current = null;
            }
        }
        return tables;
    }

    private static List<String> cells(String row) {
        List<String> cells = new ArrayList<>();
        for (String c : row.substring(1, row.length() - 1).split("\\|", -1)) {
            cells.add(c.trim());
        }
        return cells;
    }
}
