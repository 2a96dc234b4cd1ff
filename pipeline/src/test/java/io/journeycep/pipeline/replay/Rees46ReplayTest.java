package io.journeycep.pipeline.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.ingest.CsvMapping;
import io.journeycep.pipeline.ingest.EventParser;
import io.journeycep.pipeline.ingest.EventSources;
import io.journeycep.pipeline.ingest.InputFormat;
import io.journeycep.pipeline.ingest.ParserSettings;
import io.journeycep.pipeline.replay.Rees46Episodes.Episode;
import io.journeycep.pipeline.replay.Rees46Episodes.Parsed;
import io.journeycep.pipeline.replay.Rees46Episodes.Row;
import io.journeycep.pipeline.testing.CollectingSink;
import io.journeycep.pipeline.workflow.JourneyWorkflow;
import io.journeycep.pipeline.workflow.WorkflowSinks;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertKind;
import io.journeycep.sinks.RejectedEvent;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Acceptance: replaying the real REES46 file through the whole job (CSV source, parser, dedupe, watermarks, CEP)
 * gives exactly the CART_ABANDONED alerts that {@link Rees46Episodes} computes from the raw rows by the specification,
 * and the HIGH_VALUE_BROWSING alerts that {@link Rees46HighValueBrowsing} computes, on heap and on RocksDB, with
 * parallelism 2; the cut-off last line is the one dead letter; alert ids are unique and
 * deterministic (the same on both backends).
 */
class Rees46ReplayTest {
    static final String DATA = "shared/data/rees46-2019-oct-head/2019-Oct.csv";
    static final String SHA256 = "3f27c30d1a43d33ed5cb1da6e688154a65bcd94a25e5c1fd1fed7fa276cec6d8";
    static final int COMPLETE_ROWS = 17_434;
    /** Time stretch of the derived replay: 20 s × 90 = 30 min. */
    static final long STRETCH = 90;

    static Path file;
    static byte[] content;
    static Parsed parsed;
    static Set<Episode> expected;
    private static final Map<String, Result> RUNS = new ConcurrentHashMap<>();

    private record Result(List<Alert> alerts, List<RejectedEvent> deadLetters, List<RejectedEvent> late) {}

    @BeforeAll
    static void expectation() throws Exception {
        file = locateData();
        content = Files.readAllBytes(file);
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)))
                .as("%s is the file its README describes", file)
                .isEqualTo(SHA256);
        parsed = Rees46Episodes.parse(content);
        assertThat(parsed.rows()).hasSize(COMPLETE_ROWS);
        assertThat(parsed.cutOffLine()).as("the last line is cut off").isNotNull();
        expected = Rees46Episodes.expectedAlerts(parsed.rows());
        System.out.printf("REES46 replay: %d complete rows, %d expected CART_ABANDONED alerts (%d cart adds)%n",
                parsed.rows().size(), expected.size(), expected.stream().mapToInt(Episode::cartAdds).sum());
        assertThat(expected).as("a non-trivial expectation").hasSizeGreaterThan(0);
    }

    /** Walks up from the working directory to the first ancestor that holds {@value #DATA}. */
    static Path locateData() {
        String override = System.getProperty("rees46.csv");
        if (override != null) {
            return Path.of(override);
        }
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(DATA);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return fail("%s not found in %s or any directory above it (CI checks out shared/ beside the repo)", DATA,
                start);
    }

    private static synchronized Result run(String stateBackend) throws Exception {
        Result cached = RUNS.get(stateBackend);
        if (cached != null) {
            return cached;
        }
        Result r = replay(file, stateBackend);
        RUNS.put(stateBackend, r);
        return r;
    }

    /** The whole job over one CSV file in the rees46 mapping, parallelism 2, event time from the data only. */
    private static Result replay(Path input, String stateBackend) throws Exception {
        JobConfig config = new JobConfig();
        config.eventTime.quietPeriod = null; // replay: event time comes from the data only
        config.eventTime.idleTimeout = null;
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, stateBackend);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        CollectingSink<Alert> alerts = new CollectingSink<>();
        CollectingSink<RejectedEvent> dead = new CollectingSink<>();
        CollectingSink<RejectedEvent> late = new CollectingSink<>();
        JourneyWorkflow.define(
                env,
                EventSources.files(List.of(input), InputFormat.CSV, CsvMapping.named("rees46"),
                        new EventParser(ParserSettings.defaults())),
                new WorkflowSinks().alerts("collect", alerts).deadLetters("dead", dead).lateEvents("late", late),
                config);
        env.execute("rees46 replay (" + stateBackend + ")");
        return new Result(alerts.results(), dead.results(), late.results());
    }

    private static List<Alert> cartAbandoned(Result r) {
        return r.alerts().stream().filter(a -> a.kind == AlertKind.CART_ABANDONED).collect(Collectors.toList());
    }

    private static Episode episodeOf(Alert a) {
        assertThat(a.score).as("score of %s is a whole number of cart adds", a).isEqualTo(Math.rint(a.score));
        return new Episode(a.subjectKey, a.windowStart, a.windowEnd, (int) a.score);
    }

    @ParameterizedTest(name = "stateBackend={0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void replayReproducesTheIndependentlyComputedAbandonments(String backend) throws Exception {
        Result r = run(backend);
        List<Alert> alerts = cartAbandoned(r);
        System.out.printf("REES46 replay on %s: %d CART_ABANDONED alerts (expected %d), %d alerts of other kinds%n",
                backend, alerts.size(), expected.size(), r.alerts().size() - alerts.size());
        assertSameEpisodes("REES46 replay on " + backend, alerts, expected, parsed.rows());

        Set<String> ids = alerts.stream().map(a -> a.alertId).collect(Collectors.toSet());
        assertThat(ids).as("alert ids are unique and present").hasSameSizeAs(alerts).doesNotContainNull();
    }

    /** HIGH_VALUE_BROWSING on the same replays, against {@link Rees46HighValueBrowsing}'s independent expectation. */
    @ParameterizedTest(name = "stateBackend={0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void replayReproducesTheIndependentlyComputedHighValueBrowsing(String backend) throws Exception {
        Set<Rees46HighValueBrowsing.Run> expectedRuns = Rees46HighValueBrowsing.expectedAlerts(parsed.rows());
        List<Alert> alerts = run(backend).alerts().stream()
                .filter(a -> a.kind == AlertKind.HIGH_VALUE_BROWSING)
                .collect(Collectors.toList());
        System.out.printf("REES46 replay on %s: %d HIGH_VALUE_BROWSING alerts (expected %d)%n",
                backend, alerts.size(), expectedRuns.size());
        assertThat(expectedRuns).as("a non-trivial expectation").hasSizeGreaterThan(0);
        List<Rees46HighValueBrowsing.Run> produced = alerts.stream()
                .map(a -> new Rees46HighValueBrowsing.Run(a.subjectKey, a.windowStart, a.eventTime, (int) a.score))
                .collect(Collectors.toList());
        assertThat(produced).as("no run reported twice").doesNotHaveDuplicates();
        assertThat(new TreeSet<>(produced)).isEqualTo(expectedRuns);
        assertThat(alerts).allSatisfy(a -> {
            assertThat(a.windowEnd).isEqualTo(a.windowStart + Rees46HighValueBrowsing.WINDOW_MS);
            assertThat(a.evidenceEventIds).hasSize(Rees46HighValueBrowsing.MIN_VIEWS);
        });
        assertThat(alerts.stream().map(a -> a.alertId).collect(Collectors.toSet())).hasSameSizeAs(alerts);
    }

    @ParameterizedTest(name = "stateBackend={0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theCutOffLastLineIsTheOnlyDeadLetterAndNothingIsLate(String backend) throws Exception {
        Result r = run(backend);
        assertThat(r.deadLetters()).as("dead letters").hasSize(1);
        RejectedEvent d = r.deadLetters().get(0);
        assertThat(d.reason).isEqualTo("MALFORMED");
        assertThat(d.raw).as("raw bytes of the cut-off line, exactly")
                .isEqualTo(parsed.cutOffLine().getBytes(StandardCharsets.UTF_8));
        assertThat(d.position).as("file line number (header = line 1)").isEqualTo(parsed.cutOffLineNumber());
        assertThat(d.source).as("source names the file").endsWith("2019-Oct.csv");
        assertThat(r.late()).as("the file is in time order: nothing is late").isEmpty();
    }

    /**
     * The real file does not probe every rule: in it every cart add has a view within 30 min, and no episode depends on
     * a gap of exactly 30 min (checked when this test was written). So the same rows are replayed once more, derived:
     * times stretched ×{@value #STRETCH} from the first row (a 20 s gap becomes exactly 30 min) and the views of every
     * user whose id is divisible by 3 removed. On that input a strict instead of an inclusive 30-min check, ignoring
     * the view requirement, ignoring purchases, or not joining cart adds each change the expected alerts. The
     * expectation is computed from the derived file's own bytes, exactly as for the real file.
     */
    @ParameterizedTest(name = "stateBackend={0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void derivedReplayProbesViewRuleAndThirtyMinuteBoundaries(String backend, @TempDir Path dir) throws Exception {
        long t0 = parsed.rows().get(0).timeMs();
        StringBuilder csv = new StringBuilder(Rees46Episodes.HEADER).append("\r\n");
        for (Row row : parsed.rows()) {
            if (row.type().equals("view") && Long.parseLong(row.userId()) % 3 == 0) {
                continue;
            }
            csv.append(Rees46Episodes.withTime(row, t0 + (row.timeMs() - t0) * STRETCH)).append("\r\n");
        }
        Path derived = dir.resolve("2019-Oct-derived.csv");
        Files.writeString(derived, csv, StandardCharsets.UTF_8);
        Parsed derivedRows = Rees46Episodes.parse(Files.readAllBytes(derived));
        assertThat(derivedRows.cutOffLine()).isNull();
        Set<Episode> derivedExpected = Rees46Episodes.expectedAlerts(derivedRows.rows());
        long boundaryCases = countThirtyMinuteGaps(derivedRows.rows());

        Result r = replay(derived, backend);
        List<Alert> alerts = cartAbandoned(r);
        System.out.printf("derived REES46 replay on %s: %d rows, %d same-user gaps of exactly 30 min, "
                        + "%d CART_ABANDONED alerts (expected %d)%n",
                backend, derivedRows.rows().size(), boundaryCases, alerts.size(), derivedExpected.size());
        assertThat(derivedExpected).as("a non-trivial expectation").hasSizeGreaterThan(0);
        assertSameEpisodes("derived REES46 replay on " + backend, alerts, derivedExpected, derivedRows.rows());
        assertThat(alerts.stream().map(a -> a.alertId).collect(Collectors.toSet())).hasSameSizeAs(alerts);
        assertThat(r.deadLetters()).isEmpty();
        assertThat(r.late()).isEmpty();
    }

    /** Same-user pairs of rows exactly 30 min apart (the input has the boundary cases it is meant to probe). */
    private static long countThirtyMinuteGaps(List<Row> rows) {
        Map<String, List<Long>> times = new TreeMap<>();
        rows.forEach(row -> times.computeIfAbsent(row.userId(), u -> new ArrayList<>()).add(row.timeMs()));
        long n = 0;
        for (List<Long> ts : times.values()) {
            Set<Long> set = new TreeSet<>(ts);
            for (long t : ts) {
                if (set.contains(t + Rees46Episodes.WINDOW_MS)) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void alertIdsAreTheSameOnHeapAndRocksDb() throws Exception {
        Map<String, Episode> heap = idsToEpisodes(cartAbandoned(run("hashmap")));
        Map<String, Episode> rocks = idsToEpisodes(cartAbandoned(run("rocksdb")));
        assertThat(heap).as("alert ids are unique").hasSameSizeAs(cartAbandoned(run("hashmap")));
        assertThat(rocks).as("the same alert ids for the same episodes on both backends").isEqualTo(heap);
    }

    private static Map<String, Episode> idsToEpisodes(List<Alert> alerts) {
        Map<String, Episode> m = new TreeMap<>();
        for (Alert a : alerts) {
            m.put(a.alertId, episodeOf(a));
        }
        return m;
    }

    /** The job's alerts as episodes must equal {@code expected} exactly; otherwise fails with a readable diff. */
    private static void assertSameEpisodes(String what, List<Alert> alerts, Set<Episode> expected, List<Row> rows) {
        List<Episode> produced = alerts.stream().map(Rees46ReplayTest::episodeOf).collect(Collectors.toList());
        Set<Episode> producedSet = new TreeSet<>(produced);
        if (!producedSet.equals(expected) || produced.size() != producedSet.size()) {
            fail(diff(what, expected, produced, producedSet, rows));
        }
    }

    /** A readable account of what differs, with each affected user's raw rows. */
    private static String diff(
            String what, Set<Episode> expected, List<Episode> produced, Set<Episode> producedSet, List<Row> rows) {
        Set<Episode> missing = new TreeSet<>(expected);
        missing.removeAll(producedSet);
        Set<Episode> unexpected = new TreeSet<>(producedSet);
        unexpected.removeAll(expected);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%s: the job's CART_ABANDONED alerts differ from the expectation%n", what));
        sb.append(String.format("expected %d, produced %d (%d distinct); missing %d, unexpected %d%n",
                expected.size(), produced.size(), producedSet.size(), missing.size(), unexpected.size()));
        if (produced.size() != producedSet.size()) {
            List<Episode> seen = new ArrayList<>();
            for (Episode e : produced) {
                if (seen.contains(e)) {
                    sb.append("  produced twice: ").append(e).append('\n');
                }
                seen.add(e);
            }
        }
        missing.forEach(e -> sb.append("  - missing:    ").append(e).append('\n'));
        unexpected.forEach(e -> sb.append("  + unexpected: ").append(e).append('\n'));
        Set<String> users = new TreeSet<>();
        missing.forEach(e -> users.add(e.userId()));
        unexpected.forEach(e -> users.add(e.userId()));
        for (String user : users) {
            sb.append("rows of user ").append(user).append(" (line: row):\n");
            for (Row row : rows) {
                if (row.userId().equals(user)) {
                    sb.append("    ").append(row.line()).append(": ").append(row.raw()).append('\n');
                }
            }
        }
        return sb.toString();
    }
}
