package io.journeycep.pipeline.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.ingest.CsvMapping;
import io.journeycep.pipeline.ingest.EventParser;
import io.journeycep.pipeline.ingest.EventSources;
import io.journeycep.pipeline.ingest.InputFormat;
import io.journeycep.pipeline.ingest.ParserSettings;
import io.journeycep.pipeline.testing.CollectingSink;
import io.journeycep.pipeline.testing.TestData;
import io.journeycep.pipeline.workflow.JourneyWorkflow;
import io.journeycep.pipeline.workflow.WorkflowSinks;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertKind;
import io.journeycep.sinks.TransitionCount;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Acceptance (issue 4): after a replay of the REES46 file (parallelism 2), the absolute transition counts the job
 * flushes for {@code journey_transitions} equal the counts {@link Rees46Transitions} computes from the raw rows.
 */
class Rees46JourneyTransitionsTest {

    @ParameterizedTest(name = "stateBackend={0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void replayedTransitionCountsEqualTheCountsOfTheRawRows(String backend) throws Exception {
        Path file = TestData.rees46();
        Map<String, Long> expected = Rees46Transitions.expected(file);

        JobConfig config = new JobConfig();
        config.eventTime.quietPeriod = null;
        config.eventTime.idleTimeout = null;
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        CollectingSink<Alert> alerts = new CollectingSink<>();
        CollectingSink<TransitionCount> transitions = new CollectingSink<>();
        JourneyWorkflow.define(env,
                EventSources.files(List.of(file), InputFormat.CSV, CsvMapping.named("rees46"),
                        new EventParser(ParserSettings.defaults())),
                new WorkflowSinks().alerts("alerts", alerts).transitions("transitions", transitions),
                config);
        env.execute("rees46 journeys (" + backend + ")");

        Map<String, Long> produced = latest(transitions.results());
        long total = expected.values().stream().mapToLong(Long::longValue).sum();
        long sessions = expected.entrySet().stream().filter(e -> e.getKey().startsWith("START>"))
                .mapToLong(Map.Entry::getValue).sum();
        List<Alert> anomalies = alerts.results().stream().filter(a -> a.kind == AlertKind.PATH_ANOMALY).toList();
        System.out.printf("REES46 journeys on %s: %d sessions, %d transitions, %d distinct pairs, %d count updates,"
                        + " %d PATH_ANOMALY alerts%n  %s%n",
                backend, sessions, total, expected.size(), transitions.results().size(), anomalies.size(), expected);
        assertThat(sessions).as("a non-trivial expectation").isGreaterThan(1000);
        assertThat(produced).isEqualTo(expected);
        assertThat(anomalies).allSatisfy(a -> {
            assertThat(a.score).isGreaterThan(config.journeys.anomalyThreshold);
            assertThat(a.evidenceJson).contains("\"path\"", "\"steps\"", "\"model_counts\"");
        });
    }

    /** The last (largest: counts only grow) absolute count per pair. */
    static Map<String, Long> latest(List<TransitionCount> updates) {
        Map<String, Long> m = new TreeMap<>();
        for (TransitionCount t : updates) {
            m.merge(t.fromState + ">" + t.toState, t.count, Math::max);
        }
        return m;
    }
}
