package io.journeycep.pipeline.cli;

import io.journeycep.model.EventTypeMapping;
import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.control.ControlRecord;
import io.journeycep.pipeline.control.ControlSources;
import io.journeycep.pipeline.ingest.CsvMapping;
import io.journeycep.pipeline.ingest.EventParser;
import io.journeycep.pipeline.ingest.EventSources;
import io.journeycep.pipeline.ingest.IngestRecord;
import io.journeycep.pipeline.ingest.InputFormat;
import io.journeycep.pipeline.ingest.ParserSettings;
import io.journeycep.pipeline.workflow.WorkflowSinks;
import io.journeycep.sinks.jdbc.JdbcSettings;
import io.journeycep.sinks.jdbc.JdbcSinks;
import io.journeycep.sinks.jdbc.SchemaMigrator;
import io.journeycep.sinks.kafka.KafkaOutputSettings;
import io.journeycep.sinks.kafka.KafkaSinks;

import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.state.rocksdb.RocksDBNativeMetricOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** Turns a {@link JobConfig} into the job's environment, source and sinks; shared by the verbs. */
final class JobRunner {
    private JobRunner() {}

    /** Job-level Flink settings from the config, on top of {@code base} (the cluster's config.yaml wins otherwise). */
    static Configuration flinkConfiguration(JobConfig config, Configuration base) {
        Configuration conf = new Configuration(base);
        conf.set(StateBackendOptions.STATE_BACKEND, config.runtime.stateBackend.name().toLowerCase());
        // as flink-conf/config.yaml: most reads are point lookups of one user, many of a user not seen yet
        conf.set(org.apache.flink.state.rocksdb.RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, config.runtime.checkpointInterval);
        if (config.runtime.checkpointDir != null) {
            conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, config.runtime.checkpointDir);
            conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        }
        return conf;
    }

    /** Network buffers sent after at most this long when not full (flink-conf/config.yaml; Flink's default 100 ms). */
    static final Duration BUFFER_TIMEOUT = Duration.ofMillis(10);
    /** How often sources emit watermarks (flink-conf/config.yaml; Flink's default 200 ms). */
    static final Duration WATERMARK_INTERVAL = Duration.ofMillis(50);

    /**
     * The base configuration of the local verbs (replay, demo: a MiniCluster in this JVM), where no cluster
     * config.yaml applies: the key gauges of flink-conf/config.yaml (RocksDB's {@code estimate-num-keys} of every
     * state, with the state's name as the {@code column_family} variable; README "Operating") and its latency
     * settings (buffer timeout, watermark interval). On a cluster the cluster's config.yaml decides.
     */
    static Configuration localBase() {
        Configuration conf = new Configuration();
        conf.set(ExecutionOptions.BUFFER_TIMEOUT, BUFFER_TIMEOUT);
        conf.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, WATERMARK_INTERVAL);
        conf.set(RocksDBNativeMetricOptions.ESTIMATE_NUM_KEYS, true);
        conf.set(RocksDBNativeMetricOptions.COLUMN_FAMILY_AS_VARIABLE, true);
        return conf;
    }

    /**
     * For local verbs: a temporary checkpoint directory when the config names none (Flink's in-memory default
     * refuses state over 5 MB, which a real replay exceeds). Returns the directory to delete afterwards, or null.
     */
    static Path useTemporaryCheckpointDirIfUnset(JobConfig config) throws java.io.IOException {
        if (config.runtime.checkpointDir != null) {
            return null;
        }
        Path dir = java.nio.file.Files.createTempDirectory("journey-cep-checkpoints");
        config.runtime.checkpointDir = dir.toUri().toString();
        return dir;
    }

    /**
     * Deletes {@code dir} and everything under it, as far as it can, and never throws: a replay that did all its work
     * must not fail on its clean-up. Flink may still be removing checkpoint files while this walks (seen: {@code
     * NoSuchFileException .../chk-1/_metadata} from {@code Files.walk}, whose stream throws it unchecked), so a file
     * or directory that vanishes during the walk counts as deleted; any other problem is printed, one line.
     */
    static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try {
            java.nio.file.Files.walkFileTree(dir, new DeletingVisitor());
        } catch (java.nio.file.NoSuchFileException e) {
            // already gone
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }

    /** Deletes files on the way down and directories on the way up; what is already gone is not an error (open for tests). */
    static class DeletingVisitor extends java.nio.file.SimpleFileVisitor<Path> {
        @Override
        public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs)
                throws java.io.IOException {
            java.nio.file.Files.deleteIfExists(file);
            return java.nio.file.FileVisitResult.CONTINUE;
        }

        @Override
        public java.nio.file.FileVisitResult visitFileFailed(Path file, java.io.IOException e)
                throws java.io.IOException {
            if (e instanceof java.nio.file.NoSuchFileException) {
                return java.nio.file.FileVisitResult.CONTINUE; // vanished between listing and visiting
            }
            throw e;
        }

        @Override
        public java.nio.file.FileVisitResult postVisitDirectory(Path directory, java.io.IOException e)
                throws java.io.IOException {
            if (e != null && !(e instanceof java.nio.file.NoSuchFileException)) {
                throw e;
            }
            java.nio.file.Files.deleteIfExists(directory);
            return java.nio.file.FileVisitResult.CONTINUE;
        }
    }

    static StreamExecutionEnvironment environment(JobConfig config, Configuration base) {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(flinkConfiguration(config, base));
        if (config.runtime.parallelism != null) {
            env.setParallelism(config.runtime.parallelism);
        }
        return env;
    }

    static EventParser parser(JobConfig config) {
        ParserSettings settings = ParserSettings.defaults()
                .withMaxRecordBytes(config.parser.maxRecordBytes)
                .withMaxFutureSkew(config.parser.maxFutureSkew)
                .withMaxPrice(config.parser.maxPrice)
                .withMaxQuantity(config.parser.maxQuantity)
                .withMapping(EventTypeMapping.defaults().withOverrides(config.parser.eventTypes))
                // reads the key now: a missing or short key fails the start, naming the field
                .withPseudonymizer(config.pseudonymizer())
                .withDeadLetterRaw(config.privacy.deadLetterRaw);
        return new EventParser(settings);
    }

    static Source<IngestRecord, ?, ?> source(JobConfig config) {
        EventParser parser = parser(config);
        if (config.source.type == JobConfig.SourceType.KAFKA) {
            JobConfig.KafkaSource k = config.source.kafka;
            return EventSources.kafka(
                    k.bootstrapServers, k.topic, k.groupId, parser,
                    kafkaProperties("source.kafka", k.properties, k.saslJaasConfigEnv, k.saslJaasConfigFile));
        }
        JobConfig.Files f = config.source.files;
        List<Path> paths = new ArrayList<>();
        f.paths.forEach(p -> paths.add(Path.of(p)));
        boolean csv = f.format == JobConfig.FileFormat.CSV;
        return EventSources.files(
                paths,
                csv ? InputFormat.CSV : InputFormat.JSONL,
                csv ? CsvMapping.namedOrFile(f.mapping) : null,
                parser);
    }

    /**
     * The control-topic source (live velocity rule changes), or {@code null} when the config names no control topic
     * (always for a file source: replays have none).
     */
    static Source<ControlRecord, ?, ?> controlSource(JobConfig config) {
        String topic = config.controlTopic();
        if (topic == null) {
            return null;
        }
        JobConfig.KafkaSource k = config.source.kafka;
        return ControlSources.kafka(
                k.bootstrapServers, topic, k.groupId,
                kafkaProperties("source.kafka", k.properties, k.saslJaasConfigEnv, k.saslJaasConfigFile));
    }

    /**
     * The configured sinks: alerts, dead letters, late events and segment changes to Kafka (exactly-once, each sink
     * with its own transactional id suffix) and PostgreSQL (idempotent upserts), plus journey transitions, drift
     * statistics and the counts of triggers withheld for consent to PostgreSQL. Applies the schema migrations first,
     * so the tables exist before the first write. The names are the sinks' uids ({@code sink-<name>}): keep them
     * stable, or a restart from a savepoint loses the sinks' state (Kafka transactions in flight).
     */
    static WorkflowSinks sinks(JobConfig config, String jdbcPassword) {
        return sinks(config, jdbcPassword, true);
    }

    /** As {@link #sinks(JobConfig, String)}; {@code migrate = false} skips the schema migrations (graph tests). */
    static WorkflowSinks sinks(JobConfig config, String jdbcPassword, boolean migrate) {
        WorkflowSinks sinks = new WorkflowSinks();
        if (config.outputs.kafka.enabled) {
            JobConfig.KafkaOutput k = config.outputs.kafka;
            KafkaOutputSettings settings = new KafkaOutputSettings(
                    config.outputBootstrapServers(),
                    k.triggersTopic,
                    k.riskTopic,
                    k.deadLetterTopic,
                    k.lateTopic,
                    k.transactionalIdPrefix,
                    DeliveryGuarantee.EXACTLY_ONCE,
                    kafkaProperties("outputs.kafka", k.properties, k.saslJaasConfigEnv, k.saslJaasConfigFile));
            sinks.alerts("kafka-alerts", KafkaSinks.alerts(settings))
                    .deadLetters("kafka-dead-letters", KafkaSinks.deadLetters(settings))
                    .lateEvents("kafka-late-events", KafkaSinks.late(settings))
                    .segmentChanges("kafka-segment-changes", KafkaSinks.segmentChanges(settings, k.segmentsTopic));
        }
        if (config.outputs.jdbc.enabled) {
            JobConfig.Jdbc j = config.outputs.jdbc;
            if (migrate) {
                SchemaMigrator.migrate(j.url, j.user, jdbcPassword);
            }
            JdbcSettings settings = JdbcSettings.of(j.url, j.user, jdbcPassword)
                    .withBatchSize(j.batchSize)
                    .withBatchIntervalMs(j.batchInterval.toMillis())
                    .withMaxRetries(j.maxRetries);
            sinks.alerts("jdbc-alerts", JdbcSinks.alerts(settings))
                    .deadLetters("jdbc-rejected-events", JdbcSinks.rejectedEvents(settings))
                    .lateEvents("jdbc-late-events", JdbcSinks.rejectedEvents(settings))
                    .transitions("jdbc-journey-transitions", JdbcSinks.transitions(settings))
                    .segmentChanges("jdbc-segment-changes", JdbcSinks.segmentChanges(settings))
                    .erasures("jdbc-erasures", JdbcSinks.erasures(settings))
                    .triggersWithheld("jdbc-triggers-withheld", JdbcSinks.triggersWithheld(settings));
            if (config.drift.enabled) {
                sinks.driftStats("jdbc-drift-stats", JdbcSinks.driftStats(settings));
            }
        }
        return sinks;
    }

    private static Properties kafkaProperties(
            String section, Map<String, String> configured, String saslJaasConfigEnv, String saslJaasConfigFile) {
        Properties p = new Properties();
        p.putAll(configured);
        boolean fromEnv = saslJaasConfigEnv != null && !saslJaasConfigEnv.isBlank();
        String jaas = io.journeycep.pipeline.config.Secrets.resolve(
                section + (fromEnv ? ".sasl-jaas-config-env" : ".sasl-jaas-config-file"), saslJaasConfigEnv,
                saslJaasConfigFile);
        if (jaas != null) {
            p.setProperty("sasl.jaas.config", jaas);
        }
        return p;
    }
}
