package io.journeycep.pipeline.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.ingest.EventParser;
import io.journeycep.pipeline.ingest.EventSources;
import io.journeycep.pipeline.ingest.InputFormat;
import io.journeycep.pipeline.ingest.ParserSettings;
import io.journeycep.pipeline.testing.CollectingSink;
import io.journeycep.pipeline.testing.DriftTraffic;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertKind;
import io.journeycep.sinks.DriftStat;
import io.journeycep.sinks.RejectedEvent;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * DRIFT end to end on a MiniCluster (parallelism 2, so the pre-aggregation is two-phase): a generated stream of
 * Poisson traffic per one-minute bucket ({@link DriftTraffic}), with and without an injected level shift.
 */
class DriftWorkflowTest {
    private static final long B = 60_000L;
    private static final long T0 = 1_700_000_040_000L - 1_700_000_040_000L % B;
    private static final int BUCKETS = 120;
    private static final int SHIFT_AT = 90;
    private static final int WARMUP = 30;

    @TempDir
    Path dir;

    /** Views at {@code views[bucket]} per bucket (Poisson), 30 purchases and 15 cart adds per bucket (Poisson). */
    private static List<String> traffic(long seed, double viewsBefore, double viewsAfter) {
        return new DriftTraffic(T0, B, BUCKETS, SHIFT_AT, viewsBefore, viewsAfter, 30, 15).jsonLines(seed, "");
    }

    private record Result(List<Alert> drift, List<DriftStat> stats) {}

    private Result run(List<String> lines, List<String> metrics) throws Exception {
        Path file = Files.createTempFile(dir, "events", ".jsonl");
        Files.write(file, lines, StandardCharsets.UTF_8);
        JobConfig config = new JobConfig();
        config.eventTime.quietPeriod = null;
        config.eventTime.idleTimeout = null;
        config.velocity.enabled = false;
        config.cartAbandonment.timeout = Duration.ofMinutes(1);
        config.drift.enabled = true;
        config.drift.warmup = WARMUP;
        config.drift.metrics = new ArrayList<>(metrics);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        CollectingSink<Alert> alerts = new CollectingSink<>();
        CollectingSink<DriftStat> stats = new CollectingSink<>();
        CollectingSink<RejectedEvent> dead = new CollectingSink<>();
        JourneyWorkflow.define(
                env,
                EventSources.files(List.of(file), InputFormat.JSONL, null, new EventParser(ParserSettings.defaults())),
                new WorkflowSinks().alerts("alerts", alerts).deadLetters("dead", dead).lateEvents("late", dead)
                        .driftStats("drift-stats", stats),
                config);
        env.execute("drift workflow test");
        assertThat(dead.results()).isEmpty();
        List<Alert> drift = alerts.results().stream().filter(a -> a.kind == AlertKind.DRIFT)
                .sorted(Comparator.comparingLong((Alert a) -> a.windowStart).thenComparing(a -> a.subjectKey))
                .collect(Collectors.toList());
        return new Result(drift, stats.results());
    }

    @Test
    void anInjectedLevelShiftGivesExactlyTheExpectedAlerts() throws Exception {
        Result r = run(traffic(7, 60, 120), List.of("rate", "conversion", "aov"));
        // the view rate doubles (60 → 120 per minute, about 7.7 sd): found within 3 buckets, UP, once;
        // conversion = purchases / views halves (0.5 → 0.25, under 2 sd of its bucket-to-bucket noise): DOWN, once,
        // within 15 buckets (CusumDetector's simulated delay for a 2 sd shift is at most 12; this seed: 9)
        assertThat(r.drift).extracting(a -> a.subjectKey).containsExactlyInAnyOrder("rate.view", "conversion");
        Alert views = r.drift.stream().filter(a -> a.subjectKey.equals("rate.view")).findFirst().orElseThrow();
        assertThat(views.evidenceJson).contains("\"direction\":\"UP\"");
        assertThat((views.windowStart - T0) / B).isBetween((long) SHIFT_AT, SHIFT_AT + 2L);
        Alert conversion = r.drift.stream().filter(a -> a.subjectKey.equals("conversion")).findFirst().orElseThrow();
        assertThat(conversion.evidenceJson).contains("\"direction\":\"DOWN\"");
        assertThat((conversion.windowStart - T0) / B).isBetween((long) SHIFT_AT, SHIFT_AT + 15L);
        // one drift_stats row per metric and bucket, the last (cut by the end of input) excepted
        assertThat(r.stats.stream().filter(s -> s.metric.equals("rate.view"))).hasSize(BUCKETS - 1);
        assertThat(r.stats.stream().map(s -> s.metric).distinct())
                .containsExactlyInAnyOrder("rate.view", "rate.purchase", "rate.cart_add", "conversion", "aov");
    }

    @Test
    void aStationaryRunGivesNone() throws Exception {
        Result r = run(traffic(11, 60, 60), List.of("rate", "conversion", "abandonment", "aov"));
        assertThat(r.drift).isEmpty();
        assertThat(r.stats.stream().filter(s -> s.metric.equals("rate.view"))).hasSize(BUCKETS - 1);
    }
}
