package io.journeycep.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.state.rocksdb.RocksDBNativeMetricOptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The local verbs (replay, demo) run a MiniCluster that reads no config.yaml: their base configuration turns on the
 * same key gauges as flink-conf/config.yaml, so the metrics README "Operating" lists are there too.
 */
class LocalBaseConfigurationTest {
    @Test
    void localVerbsReportKeysInKeyedStateAsTheClusterConfigDoes() {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.exists(dir.resolve("flink-conf/config.yaml"))) {
            dir = dir.getParent();
        }
        Configuration cluster = GlobalConfiguration.loadConfiguration(dir.resolve("flink-conf").toString());
        Configuration local = JobRunner.localBase();
        for (var option : java.util.List.of(
                RocksDBNativeMetricOptions.ESTIMATE_NUM_KEYS, RocksDBNativeMetricOptions.COLUMN_FAMILY_AS_VARIABLE)) {
            assertThat(cluster.get(option)).as("config.yaml " + option.key()).isTrue();
            assertThat(local.get(option)).as("local " + option.key()).isTrue();
        }
        for (var option : java.util.List.of(
                org.apache.flink.configuration.ExecutionOptions.BUFFER_TIMEOUT,
                org.apache.flink.configuration.PipelineOptions.AUTO_WATERMARK_INTERVAL)) {
            assertThat(cluster.contains(option)).as("config.yaml sets " + option.key()).isTrue();
            assertThat(local.get(option)).as("local " + option.key()).isEqualTo(cluster.get(option));
        }
        // and the job-level settings keep them (the state backend is set on top of the base)
        Configuration job = JobRunner.flinkConfiguration(new io.journeycep.pipeline.config.JobConfig(), local);
        assertThat(job.get(RocksDBNativeMetricOptions.ESTIMATE_NUM_KEYS)).isTrue();
    }
}
