package io.journeycep.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.stages.consent.WithheldCounter;
import io.journeycep.pipeline.workflow.JourneyWorkflow;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every operator of the full job (as {@code run} builds it, with every branch on: velocity with a control topic,
 * journeys, drift, segments, Kafka and JDBC outputs; no {@code --until}) has a uid set explicitly, and no two share
 * one: a savepoint restores into a new build of the job only through stable uids (SavepointUpgradeIT). Built without
 * executing ({@link StreamExecutionEnvironment#getStreamGraph(boolean)}).
 */
class OperatorUidsTest {

    @Test
    void everyOperatorOfTheFullJobHasAnExplicitUniqueUid() {
        JobConfig config = new JobConfig();
        config.source.kafka.bootstrapServers = "localhost:9092"; // building the job connects to nothing
        config.source.kafka.controlTopic = "control";
        config.velocity.enabled = true;
        config.journeys.enabled = true;
        config.drift.enabled = true;
        config.segments.enabled = true;
        config.outputs.jdbc.url = "jdbc:postgresql://db:5432/journey";
        config.outputs.jdbc.user = "journey";
        assertThat(config.source.files.until).isNull();
        assertThat(config.validate()).isEmpty();

        StreamExecutionEnvironment env = JobRunner.environment(config, new Configuration());
        JourneyWorkflow.define(env, JobRunner.source(config), JobRunner.controlSource(config),
                JobRunner.sinks(config, "unused", false), config);
        StreamGraph graph = env.getStreamGraph(false);

        List<String> missing = new ArrayList<>();
        Map<String, List<String>> byUid = new HashMap<>();
        for (StreamNode node : graph.getStreamNodes()) {
            String uid = node.getTransformationUID();
            if (uid == null || uid.isBlank()) {
                missing.add(node.getId() + " " + node.getOperatorName());
            } else {
                byUid.computeIfAbsent(uid, u -> new ArrayList<>()).add(node.getOperatorName());
            }
        }
        assertThat(missing).as("operators without a uid").isEmpty();
        byUid.forEach((uid, names) -> assertThat(names).as("operators with uid %s", uid).hasSize(1));

        // every branch is there
        List<String> names = new ArrayList<>();
        graph.getStreamNodes().forEach(n -> names.add(n.getOperatorName()));
        assertThat(byUid.keySet()).contains(JourneyWorkflow.SOURCE_UID, JourneyWorkflow.DEDUPE_UID, "route-rejected",
                "alert-counter", "sink-kafka-alerts", "sink-jdbc-alerts", "sink-jdbc-drift-stats",
                "sink-jdbc-journey-transitions", "sink-kafka-segment-changes", "sink-jdbc-segment-changes", "user-pass",
                WithheldCounter.UID, "sink-jdbc-triggers-withheld");
        assertThat(String.join("\n", names).toLowerCase())
                .as("operators: %s", names)
                .contains("velocity", "control", "drift", "segment", "path scorer", "transition", "user pass");
    }
}
