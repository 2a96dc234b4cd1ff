package io.journeycep.pipeline.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.ingest.EventParser;
import io.journeycep.pipeline.ingest.EventSources;
import io.journeycep.pipeline.ingest.InputFormat;
import io.journeycep.pipeline.ingest.ParserSettings;
import io.journeycep.pipeline.stages.journeys.PathScorer;
import io.journeycep.pipeline.testing.CollectingSink;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertIds;
import io.journeycep.sinks.AlertKind;
import io.journeycep.sinks.TransitionCount;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * PATH_ANOMALY end to end on a crafted input: 60 shoppers with the same ordinary path (view, view, cart_add, purchase),
 * then one session that starts with a purchase and repeats it: only that one fires, with the path, per-step
 * likelihoods and the model counts it was scored against (the 60 sessions before it). The minimum state support is
 * set to 60, so the first 60 sessions (a cold model) are not scored at all.
 */
class PathAnomalyWorkflowTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final long SEC = 1_000L;
    private static final long MIN = 60 * SEC;

    @TempDir
    Path dir;

    private static String line(String id, String type, String user, long ts) {
        return String.format("{\"event_id\":\"%s\",\"event_type\":\"%s\",\"user_id\":\"%s\",\"ts\":%d}",
                id, type, user, ts);
    }

    @ParameterizedTest(name = "stateBackend={0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void aWeirdPathAmongNormalOnesFiresAndTheNormalOnesDoNot(String backend) throws Exception {
        List<String> lines = new ArrayList<>();
        String[] normal = {"view", "view", "cart_add", "purchase"};
        for (int u = 0; u < 60; u++) {
            for (int i = 0; i < normal.length; i++) {
                lines.add(line("n" + u + "-" + i, normal[i], "shopper-" + u, T0 + u * 10 * SEC + i * SEC));
            }
        }
        long t = T0 + 120 * MIN;
        String[] weird = {"purchase", "purchase", "purchase"};
        for (int i = 0; i < weird.length; i++) {
            lines.add(line("w-" + i, weird[i], "odd-one", t + i * SEC));
        }
        Path file = dir.resolve("events.jsonl");
        Files.write(file, lines, StandardCharsets.UTF_8);

        JobConfig config = new JobConfig();
        config.eventTime.quietPeriod = null;
        config.eventTime.idleTimeout = null;
        config.journeys.minStateSupport = 60;
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        CollectingSink<Alert> alerts = new CollectingSink<>();
        CollectingSink<TransitionCount> transitions = new CollectingSink<>();
        JourneyWorkflow.define(env,
                EventSources.files(List.of(file), InputFormat.JSONL, null, new EventParser(ParserSettings.defaults())),
                new WorkflowSinks().alerts("alerts", alerts).transitions("transitions", transitions),
                config);
        env.execute("path anomaly test");

        List<Alert> found = alerts.results().stream().filter(a -> a.kind == AlertKind.PATH_ANOMALY).toList();
        assertThat(found).hasSize(1);
        Alert a = found.get(0);
        assertThat(a.subjectKey).isEqualTo("odd-one");
        assertThat(a.ruleId).isEqualTo(PathScorer.RULE_ID);
        assertThat(a.evidenceEventIds).containsExactly("w-0", "w-1", "w-2");
        assertThat(a.alertId).isEqualTo(AlertIds.of(a));
        assertThat(a.threshold).isEqualTo(2.0);
        // START→purchase and purchase→purchase (twice) were never seen: (0+1)/(60+13); purchase→EXIT: (60+1)/(60+13)
        double rare = -Math.log(1.0 / 73);
        double exit = -Math.log(61.0 / 73);
        assertThat(a.score).isCloseTo((3 * rare + exit) / 4, org.assertj.core.data.Offset.offset(1e-9));
        JsonNode e = new ObjectMapper().readTree(a.evidenceJson);
        assertThat(e.get("path").toString()).isEqualTo("[\"START\",\"purchase\",\"purchase\",\"purchase\",\"EXIT\"]");
        assertThat(e.get("transitions").asLong()).isEqualTo(4);
        assertThat(e.get("steps")).hasSize(4);
        assertThat(e.get("steps").get(0).get("count").asLong()).isZero();
        assertThat(e.get("steps").get(0).get("from_total").asLong()).isEqualTo(60);
        assertThat(e.get("steps").get(3).get("count").asLong()).isEqualTo(60);
        assertThat(e.get("model_counts").get(0).get("user_from_total").asDouble()).as("the user's first session")
                .isZero();
        assertThat(e.get("user_mean_nll").asDouble()).as("no history: uniform").isCloseTo(Math.log(13),
                org.assertj.core.data.Offset.offset(1e-12));

        Map<String, Long> counts = new TreeMap<>();
        transitions.results().forEach(c -> counts.merge(c.fromState + ">" + c.toState, c.count, Math::max));
        assertThat(counts).containsEntry("START>view", 60L).containsEntry("view>view", 60L)
                .containsEntry("purchase>EXIT", 61L).containsEntry("purchase>purchase", 2L)
                .containsEntry("START>purchase", 1L);
    }
}
