package io.journeycep.pipeline.bench;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;

/**
 * The environment every benchmark runs in (docs/BENCHMARKS.md "Machine"): the given state backend, 10 s incremental
 * checkpoints to a fresh local directory, no restarts (a failing benchmark must fail, not loop).
 */
final class BenchEnvironment {
    static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(10);
    static final MemorySize MANAGED_MEMORY = MemorySize.ofMebiBytes(700);

    private BenchEnvironment() {}

    static StreamExecutionEnvironment create(String backend) throws IOException {
        return StreamExecutionEnvironment.getExecutionEnvironment(configuration(backend));
    }

    /** The settings of {@link #create}, also those of the MiniCluster {@link BenchCluster} starts. */
    static Configuration configuration(String backend) throws IOException {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        if (!"off".equals(System.getenv("BENCH_CHECKPOINTS"))) { // off: a diagnostic run without checkpoints
            conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, CHECKPOINT_INTERVAL);
        }
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                Files.createTempDirectory("journey-bench-checkpoints").toUri().toString());
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        // As a production slot has it (flink-conf/config.yaml: 4 GB TaskManager, 0.4 managed, 2 slots), not the
        // MiniCluster's 128 MB, which a million users' RocksDB state outgrows at once.
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MANAGED_MEMORY);
        conf.setString("state.backend.rocksdb.use-bloom-filter", "true");
        // experiments: BENCH_UNALIGNED=true|false (unaligned checkpoints), BENCH_INTERRUPTIBLE_TIMERS=true|false
        // (unaligned checkpoints may interrupt a watermark's timer firing), BENCH_DEBLOAT=true|false (buffer debloating)
        setIfGiven(conf, "BENCH_UNALIGNED", "execution.checkpointing.unaligned.enabled");
        setIfGiven(conf, "BENCH_INTERRUPTIBLE_TIMERS", "execution.checkpointing.unaligned.interruptible-timers.enabled");
        setIfGiven(conf, "BENCH_DEBLOAT", "taskmanager.network.memory.buffer-debloat.enabled");
        // as flink-conf/config.yaml: network buffers flushed after 10 ms, watermarks every 50 ms (latency)
        conf.setString("execution.buffer-timeout.interval", System.getenv().getOrDefault("BENCH_BUFFER_TIMEOUT", "10ms"));
        conf.setString("pipeline.auto-watermark-interval",
                System.getenv().getOrDefault("BENCH_WATERMARK_INTERVAL", "50ms"));
        // BENCH_TIMERS=heap|rocksdb: where RocksDB-backed jobs keep their timers (default: Flink's, in RocksDB)
        String timers = System.getenv("BENCH_TIMERS");
        if (timers != null && !timers.isBlank()) {
            conf.setString("state.backend.rocksdb.timer-service.factory", timers.toUpperCase(java.util.Locale.ROOT));
        }
        // BENCH_CONF="key=value;key=value": any further Flink option, for experiments (RocksDB tuning and the like)
        String extra = System.getenv("BENCH_CONF");
        if (extra != null && !extra.isBlank()) {
            for (String pair : extra.split(";")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("BENCH_CONF: not key=value: " + pair);
                }
                conf.setString(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        return conf;
    }

    private static void setIfGiven(Configuration conf, String env, String key) {
        String value = System.getenv(env);
        if (value != null && !value.isBlank()) {
            conf.setString(key, value);
        }
    }
}
