package io.journeycep.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.pipeline.config.JobConfig;

import org.junit.jupiter.api.Test;

/** Which sinks {@link JobRunner#sinks} registers for {@code run}, {@code replay} and {@code demo} (Kafka side). */
class JobRunnerSinksTest {

    private static JobConfig kafkaOnly() {
        JobConfig config = new JobConfig();
        config.source.kafka.bootstrapServers = "localhost:9092"; // building a Kafka sink connects to nothing
        config.outputs.jdbc.enabled = false;
        return config;
    }

    @Test
    void kafkaOutputsIncludeTheSegmentChanges() {
        assertThat(JobRunner.sinks(kafkaOnly(), null).names()).containsExactly(
                "alerts/kafka-alerts",
                "deadLetters/kafka-dead-letters",
                "lateEvents/kafka-late-events",
                "segmentChanges/kafka-segment-changes");
    }

    @Test
    void noOutputsNoSinks() {
        JobConfig config = kafkaOnly();
        config.outputs.kafka.enabled = false;
        assertThat(JobRunner.sinks(config, null).names()).isEmpty();
    }
}
