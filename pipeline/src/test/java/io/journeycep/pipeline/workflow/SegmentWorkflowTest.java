package io.journeycep.pipeline.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.ingest.EventParser;
import io.journeycep.pipeline.ingest.EventSources;
import io.journeycep.pipeline.ingest.InputFormat;
import io.journeycep.pipeline.ingest.ParserSettings;
import io.journeycep.pipeline.testing.CollectingSink;
import io.journeycep.sinks.SegmentChange;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * Segments end to end on a MiniCluster: a shopper who abandons a cart (the CART_ABANDONED alert from the pattern stage
 * makes a CART_ABANDONER) and a buyer; the end of the input fires every timer, so each membership also ends, from
 * timers alone, at the event time the rules say.
 */
class SegmentWorkflowTest {
    private static final long DAY = 86_400_000L;
    private static final long MIN = 60_000L;
    private static final long T0 = 20_000 * DAY; // a UTC midnight

    @TempDir
    Path dir;

    private static String line(String id, String type, String user, long ts, double price) {
        return String.format("{\"event_id\":\"%s\",\"event_type\":\"%s\",\"user_id\":\"%s\",\"ts\":%d,"
                + "\"item_id\":\"p-1\",\"price\":%s}", id, type, user, ts, price);
    }

    @ParameterizedTest(name = "stateBackend={0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void changesComeFromEventsAlertsAndTimers(String backend) throws Exception {
        Path file = dir.resolve("events.jsonl");
        Files.write(file, List.of(
                line("a1", "view", "shopper", T0 + 60 * MIN, 20),
                line("a2", "cart_add", "shopper", T0 + 61 * MIN, 20), // no purchase: abandoned at 01:31
                line("b1", "purchase", "buyer", T0 + 120 * MIN, 1500)), StandardCharsets.UTF_8);
        JobConfig config = new JobConfig();
        config.eventTime.quietPeriod = null;
        config.eventTime.idleTimeout = null;
        config.journeys.enabled = false;
        config.segments.rfm.enabled = false;
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        CollectingSink<SegmentChange> changes = new CollectingSink<>();
        JourneyWorkflow.define(env,
                EventSources.files(List.of(file), InputFormat.JSONL, null, new EventParser(ParserSettings.defaults())),
                new WorkflowSinks().segmentChanges("segments", changes),
                config);
        env.execute("segment test");

        List<String> got = changes.results().stream()
                .sorted(Comparator.comparing((SegmentChange c) -> c.userId).thenComparingLong(c -> c.eventTime)
                        .thenComparing(c -> c.action).thenComparing(c -> c.segment))
                .map(c -> c.userId + " " + c.action + " " + c.segment + " @" + (c.eventTime - T0) / MIN + "m")
                .toList();
        long d = DAY / MIN;
        assertThat(got).containsExactly(
                "buyer ENTER HIGH_VALUE @120m",
                "buyer ENTER NEW_BUYER @120m",
                "buyer EXIT NEW_BUYER @" + 30 * d + "m",
                "buyer ENTER CHURN_RISK_30 @" + (30 * d + 120) + "m",
                "buyer ENTER CHURN_RISK_45 @" + (45 * d + 120) + "m",
                "buyer EXIT CHURN_RISK_30 @" + (45 * d + 120) + "m",
                "buyer ENTER CHURN_RISK_60 @" + (60 * d + 120) + "m",
                "buyer EXIT CHURN_RISK_45 @" + (60 * d + 120) + "m",
                "buyer ENTER LAPSED @" + 180 * d + "m",
                "buyer EXIT HIGH_VALUE @" + 365 * d + "m",
                "buyer EXIT LAPSED @" + 365 * d + "m",
                "buyer EXIT CHURN_RISK_60 @" + 366 * d + "m",
                "shopper ENTER CART_ABANDONER @91m",
                "shopper EXIT CART_ABANDONER @" + 7 * d + "m",
                "shopper ENTER CHURN_RISK_30 @" + (30 * d + 61) + "m",
                "shopper ENTER CHURN_RISK_45 @" + (45 * d + 61) + "m",
                "shopper EXIT CHURN_RISK_30 @" + (45 * d + 61) + "m",
                "shopper ENTER CHURN_RISK_60 @" + (60 * d + 61) + "m",
                "shopper EXIT CHURN_RISK_45 @" + (60 * d + 61) + "m",
                "shopper EXIT CHURN_RISK_60 @" + 366 * d + "m");
    }
}
