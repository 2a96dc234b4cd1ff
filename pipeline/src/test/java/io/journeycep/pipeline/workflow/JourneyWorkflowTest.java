package io.journeycep.pipeline.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.ingest.EventParser;
import io.journeycep.pipeline.ingest.EventSources;
import io.journeycep.pipeline.ingest.InputFormat;
import io.journeycep.pipeline.ingest.ParserSettings;
import io.journeycep.pipeline.testing.CollectingSink;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertIds;
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

/**
 * The whole workflow on a MiniCluster with file input and collecting sinks: CART_ABANDONED and HIGH_VALUE_BROWSING
 * end to end.
 */
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

    /** High-value browsing beside cart abandonment, through the whole job, on heap and RocksDB with parallelism 2. */
    @ParameterizedTest(name = "stateBackend={0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void highValueBrowsingEndToEnd(String backend) throws Exception {
        List<Line> l = new ArrayList<>();
        // h1: 3 high-value views, the 3rd exactly 1 h after the 1st, a cheap view and a cart add in between: one alert;
        // the 4th view does not fire again
        l.add(event("h1-v1", "view", "h1", 0, "tv", 600));
        l.add(event("h1-c", "view", "h1", 5 * MIN, "cable", 12.5));
        l.add(event("h1-v2", "view", "h1", 20 * MIN, "laptop", 500));
        l.add(event("h1-a", "cart_add", "h1", 30 * MIN, "cable", 12.5));
        l.add(event("h1-v3", "view", "h1", 60 * MIN, "camera", 1250.5));
        l.add(event("h1-v4", "view", "h1", 70 * MIN, "tv", 600));
        // h2: 2 views, a purchase, 1 view: nothing
        l.add(event("h2-v1", "view", "h2", 0, "tv", 900));
        l.add(event("h2-v2", "view", "h2", MIN, "tv", 900));
        l.add(event("h2-p", "purchase", "h2", 2 * MIN, "tv", 900));
        l.add(event("h2-v3", "view", "h2", 3 * MIN, "tv", 900));
        // h3: 3 views over more than 1 h: nothing
        l.add(event("h3-v1", "view", "h3", 0, "tv", 900));
        l.add(event("h3-v2", "view", "h3", 30 * MIN, "tv", 900));
        l.add(event("h3-v3", "view", "h3", 61 * MIN, "tv", 900));
        // h4: 3 views of cheap items: nothing
        l.add(event("h4-v1", "view", "h4", 0, "mug", 499.99));
        l.add(event("h4-v2", "view", "h4", MIN, "mug", 499.99));
        l.add(event("h4-v3", "view", "h4", 2 * MIN, "mug", 499.99));
        // h5: 6 views within the hour: two alerts, each for 3 new views
        for (int i = 1; i <= 6; i++) {
            l.add(event("h5-v" + i, "view", "h5", i * MIN, "sofa", 800));
        }
        // h6: view → cart add → nothing: a cart abandonment only, in the same alert stream
        l.add(event("h6-v", "view", "h6", 0, "mug", 10));
        l.add(event("h6-c", "cart_add", "h6", MIN, "mug", 10));
        l.add(event("end", "view", "zz", 5 * 60 * MIN, "p0", 1));
        Result r = run(l.stream().map(Line::json).collect(Collectors.toList()), backend, 2);

        List<Alert> browsing = r.alerts.stream()
                .filter(a -> a.kind == AlertKind.HIGH_VALUE_BROWSING)
                .sorted(Comparator.comparing((Alert a) -> a.subjectKey).thenComparingLong(a -> a.eventTime))
                .collect(Collectors.toList());
        assertThat(browsing).extracting(a -> a.subjectKey + " " + a.evidenceEventIds).containsExactly(
                "h1 [h1-v1, h1-v2, h1-v3]", "h5 [h5-v1, h5-v2, h5-v3]", "h5 [h5-v4, h5-v5, h5-v6]");
        Alert h1 = browsing.get(0);
        assertThat(h1.ruleId).isEqualTo("high-value-browsing");
        assertThat(h1.ruleVersion).isEqualTo(1);
        assertThat(h1.score).isEqualTo(3.0);
        assertThat(h1.threshold).isEqualTo(3.0);
        assertThat(h1.windowStart).isEqualTo(T0);
        assertThat(h1.windowEnd).isEqualTo(T0 + 60 * MIN);
        assertThat(h1.eventTime).as("the view that completed the match").isEqualTo(T0 + 60 * MIN);
        assertThat(h1.evidenceJson)
                .contains("\"item_ids\":[\"tv\",\"laptop\",\"camera\"]")
                .contains("\"prices\":[600.0,500.0,1250.5]");
        assertThat(h1.alertId).isEqualTo(AlertIds.of(h1));
        assertThat(browsing.get(2).windowStart).isEqualTo(T0 + 4 * MIN);
        assertThat(r.alerts).filteredOn(a -> a.kind == AlertKind.CART_ABANDONED)
                .as("h1's cart add (a view 25 min before it) is an abandonment as well: the rules are independent")
                .extracting(a -> a.subjectKey).containsExactlyInAnyOrder("h1", "h6");
        assertThat(r.alerts).extracting(a -> a.alertId).doesNotHaveDuplicates();
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

        List<Alert> referenceAlerts = run(ordered, "hashmap", 1).alerts;
        Set<String> reference = summary(referenceAlerts);
        assertThat(referenceAlerts).filteredOn(a -> a.kind == AlertKind.CART_ABANDONED)
                .as("a workload with real abandonments").hasSizeGreaterThan(20);
        assertThat(referenceAlerts).filteredOn(a -> a.kind == AlertKind.HIGH_VALUE_BROWSING)
                .as("and real high-value browsing").hasSizeGreaterThan(5);
        assertThat(summary(run(ordered, backend, 2).alerts)).isEqualTo(reference);
        Result outOfOrder = run(shuffled, backend, 2);
        assertThat(outOfOrder.late).isEmpty();
        assertThat(summary(outOfOrder.alerts)).isEqualTo(reference);
    }

    private static Set<String> summary(List<Alert> alerts) {
        Set<String> s = new TreeSet<>();
        for (Alert a : alerts) {
            s.add(a.alertId + " " + a.kind + " " + a.subjectKey + " " + a.windowStart + ".." + a.windowEnd + " "
                    + a.evidenceEventIds);
        }
        assertThat(s).as("alert ids are unique").hasSameSizeAs(alerts);
        return s;
    }

    /** Users who view (prices 1..900: some high-value), add to cart and sometimes buy, at distinct ms timestamps. */
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
