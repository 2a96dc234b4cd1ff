package io.journeycep.pipeline.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.ingest.EventParser;
import io.journeycep.pipeline.ingest.EventSources;
import io.journeycep.pipeline.ingest.InputFormat;
import io.journeycep.pipeline.ingest.ParserSettings;
import io.journeycep.pipeline.testing.CollectingSink;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertKind;
import io.journeycep.sinks.RejectedEvent;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The whole workflow on a MiniCluster with file input and collecting sinks: CART_ABANDONED end to end. */
class JourneyWorkflowTest {
    private static final long MIN = 60_000L;
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private record Line(long ts, String json) {}

    private static Line event(String id, String type, String user, long offsetMillis, String item, double price) {
        long ts = T0 + offsetMillis;
        return new Line(ts, String.format(
                "{\"event_id\":\"%s\",\"event_type\":\"%s\",\"user_id\":\"%s\",\"ts\":%d,\"item_id\":\"%s\",\"price\":%s}",
                id, type, user, ts, item, price));
    }

    private record Result(List<Alert> alerts, List<RejectedEvent> deadLetters, List<RejectedEvent> late) {}

    private Result run(List<String> lines, String stateBackend, int parallelism) throws Exception {
        Path file = Files.createTempFile(dir, "events", ".jsonl");
        Files.write(file, lines, StandardCharsets.UTF_8);
        JobConfig config = new JobConfig();
        config.eventTime.quietPeriod = null;
        config.eventTime.idleTimeout = null;
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, stateBackend);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        CollectingSink<Alert> alerts = new CollectingSink<>();
        CollectingSink<RejectedEvent> dead = new CollectingSink<>();
        CollectingSink<RejectedEvent> late = new CollectingSink<>();
        JourneyWorkflow.define(
                env,
                EventSources.files(List.of(file), InputFormat.JSONL, null, new EventParser(ParserSettings.defaults())),
                new WorkflowSinks().alerts("alerts", alerts).deadLetters("dead", dead).lateEvents("late", late),
                config);
        env.execute("workflow test");
        return new Result(alerts.results(), dead.results(), late.results());
    }

    private static List<String> scenarioLines() {
        List<Line> l = new ArrayList<>();
        // u1: view → cart, nothing: abandoned
        l.add(event("u1-v", "view", "u1", 0, "p1", 10));
        l.add(event("u1-c", "cart_add", "u1", 5 * MIN, "p1", 10));
        // u2: view → cart → purchase: nothing
        l.add(event("u2-v", "view", "u2", 0, "p2", 20));
        l.add(event("u2-c", "cart_add", "u2", 5 * MIN, "p2", 20));
        l.add(event("u2-p", "purchase", "u2", 20 * MIN, "p2", 20));
        // u3: cart without a view: nothing
        l.add(event("u3-c", "cart_add", "u3", 5 * MIN, "p3", 30));
        // u4: three cart adds, each within 30 min of the previous: one alert for the episode
        l.add(event("u4-v", "view", "u4", 0, "p4", 40));
        l.add(event("u4-c1", "cart_add", "u4", MIN, "p4", 40));
        l.add(event("u4-c2", "cart_add", "u4", 20 * MIN, "p5", 1));
        l.add(event("u4-c3", "cart_add", "u4", 45 * MIN, "p6", 2));
        // u5: the cart add is delivered twice (same event id): deduplicated, one alert
        l.add(event("u5-v", "view", "u5", 0, "p7", 50));
        l.add(event("u5-c", "cart_add", "u5", 2 * MIN, "p7", 50));
        l.add(event("u5-c", "cart_add", "u5", 2 * MIN, "p7", 50));
        // a later event keeps event time moving for everyone
        l.add(event("u9-v", "view", "u9", 5 * 60 * MIN, "p9", 1));
        List<String> lines = l.stream().map(Line::json).collect(Collectors.toList());
        lines.add(3, "this is not json");
        return lines;
    }

    @Test
    void cartAbandonmentEndToEndWithDeadLettersAndDuplicates() throws Exception {
        Result r = run(scenarioLines(), "hashmap", 2);
        assertThat(r.alerts).extracting(a -> a.subjectKey).containsExactlyInAnyOrder("u1", "u4", "u5");
        Alert u4 = r.alerts.stream().filter(a -> a.subjectKey.equals("u4")).findFirst().orElseThrow();
        assertThat(u4.kind).isEqualTo(AlertKind.CART_ABANDONED);
        assertThat(u4.windowStart).isEqualTo(T0 + MIN);
        assertThat(u4.windowEnd).isEqualTo(T0 + 45 * MIN + 30 * MIN);
        assertThat(u4.evidenceEventIds).containsExactly("u4-v", "u4-c1", "u4-c2", "u4-c3");
        assertThat(u4.evidenceJson).contains("\"cart_items\":[\"p4\",\"p5\",\"p6\"]").contains("\"viewed_items\":[\"p4\"]");
        Alert u5 = r.alerts.stream().filter(a -> a.subjectKey.equals("u5")).findFirst().orElseThrow();
        assertThat(u5.score).as("one cart add after dedupe").isEqualTo(1.0);

        assertThat(r.deadLetters).hasSize(1);
        assertThat(r.deadLetters.get(0).reason).isEqualTo("MALFORMED");
        assertThat(new String(r.deadLetters.get(0).raw, StandardCharsets.UTF_8)).isEqualTo("this is not json");
        assertThat(r.deadLetters.get(0).position).isEqualTo(4);
        assertThat(r.late).isEmpty();
    }

    /**
     * A seeded random workload: the same alerts on heap and RocksDB, and when the input arrives out of order
     * within the allowed lateness (5 s), the same alerts as in order.
     */
    @ParameterizedTest(name = "stateBackend={0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void outOfOrderInputWithinTheLatenessGivesTheSameAlertsAsOrderedInput(String backend) throws Exception {
        List<Line> events = randomWorkload(new Random(7), 300);
        List<String> ordered = events.stream()
                .sorted(Comparator.comparingLong(Line::ts))
                .map(Line::json)
                .collect(Collectors.toList());
        Random jitter = new Random(11);
        List<String> shuffled = events.stream()
                .map(e -> new Object[] {e.ts() + jitter.nextInt(4_000), e})
                .sorted(Comparator.comparingLong(o -> (Long) o[0]))
                .map(o -> ((Line) o[1]).json())
                .collect(Collectors.toList());
        assertThat(shuffled).isNotEqualTo(ordered);

        Set<String> reference = summary(run(ordered, "hashmap", 1).alerts);
        assertThat(reference).as("a workload with real abandonments").hasSizeGreaterThan(20);
        assertThat(summary(run(ordered, backend, 2).alerts)).isEqualTo(reference);
        Result outOfOrder = run(shuffled, backend, 2);
        assertThat(outOfOrder.late).isEmpty();
        assertThat(summary(outOfOrder.alerts)).isEqualTo(reference);
    }

    private static Set<String> summary(List<Alert> alerts) {
        Set<String> s = new TreeSet<>();
        for (Alert a : alerts) {
            s.add(a.alertId + " " + a.subjectKey + " " + a.windowStart + ".." + a.windowEnd + " " + a.evidenceEventIds);
        }
        assertThat(s).as("alert ids are unique").hasSameSizeAs(alerts);
        return s;
    }

    /** Users who view, add to cart and sometimes buy, at distinct millisecond timestamps. */
    private static List<Line> randomWorkload(Random random, int users) {
        List<Line> out = new ArrayList<>();
        int seq = 0;
        for (int u = 0; u < users; u++) {
            String user = "r" + u;
            long t = random.nextInt(120) * MIN + u;
            int steps = 2 + random.nextInt(8);
            for (int s = 0; s < steps; s++) {
                int roll = random.nextInt(10);
                String type = roll < 5 ? "view" : roll < 8 ? "cart_add" : "purchase";
                out.add(event(user + "-" + (seq++), type, user, t, "p" + random.nextInt(30), 1 + random.nextInt(900)));
                t += (1 + random.nextInt(25)) * MIN + random.nextInt(1000) * 1000L;
            }
        }
        // one more event far later so event time passes every deadline before the end of input
        out.add(event("end", "view", "zz", 40 * 60 * MIN, "p0", 1));
        return out;
    }
}
