package io.journeycep.pipeline.deploy;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.CleanupOptions;
import org.apache.flink.configuration.ClusterOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.NettyShuffleEnvironmentOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.RpcOptions;
import org.apache.flink.configuration.SecurityOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBNativeMetricOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The configuration options Flink 2.2.1 knows, read from its option classes, and a check of a configuration's keys
 * against them: an unknown key, a deprecated key (a fallback of a newer option, or a {@code @Deprecated} option) and a
 * value the option cannot parse are all errors. Reporter keys ({@code metrics.reporter.<name>.<suffix>}) are checked
 * against the reporter suffixes in {@link MetricOptions} and, for the Prometheus reporter, its own {@code port}
 * argument (read from the reporter's factory, so a renamed argument fails too).
 */
final class FlinkOptionKeys {
    static final String PROMETHEUS_FACTORY = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";
    private static final String REPORTER_PREFIX = "metrics.reporter.";

    /** The classes whose options a cluster config of this project may use. */
    private static final List<Class<?>> OPTION_CLASSES = List.of(
            CheckpointingOptions.class, StateBackendOptions.class, StateRecoveryOptions.class,
            RestartStrategyOptions.class, HeartbeatManagerOptions.class, MetricOptions.class,
            JobManagerOptions.class, TaskManagerOptions.class, CoreOptions.class, ClusterOptions.class,
            HighAvailabilityOptions.class, RestOptions.class, WebOptions.class, SecurityOptions.class,
            DeploymentOptions.class, PipelineOptions.class, NettyShuffleEnvironmentOptions.class,
            RpcOptions.class, CleanupOptions.class, RocksDBOptions.class, RocksDBConfigurableOptions.class,
            RocksDBNativeMetricOptions.class, ExecutionOptions.class);

    private final Map<String, ConfigOption<?>> options = new HashMap<>();
    private final Map<String, ConfigOption<?>> reporterSuffixes = new HashMap<>();
    private final Map<String, String> deprecated = new HashMap<>();

    FlinkOptionKeys() {
        for (Class<?> c : OPTION_CLASSES) {
            for (Field f : c.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers()) || !ConfigOption.class.isAssignableFrom(f.getType())) {
                    continue;
                }
                ConfigOption<?> option;
                try {
                    f.setAccessible(true);
                    option = (ConfigOption<?>) f.get(null);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
                if (c == MetricOptions.class && !option.key().startsWith("metrics.")) {
                    reporterSuffixes.put(option.key(), option); // factory.class, interval, filter.includes, …
                    continue;
                }
                if (f.isAnnotationPresent(Deprecated.class)) {
                    deprecated.put(option.key(), "a deprecated option (" + c.getSimpleName() + "." + f.getName() + ")");
                } else {
                    options.put(option.key(), option);
                }
                for (FallbackKey fallback : option.fallbackKeys()) {
                    deprecated.putIfAbsent(fallback.getKey(), "replaced by " + option.key());
                }
            }
        }
        for (String key : options.keySet()) {
            deprecated.remove(key); // a current option that is also another one's fallback is fine
        }
    }

    boolean knows(String key) {
        return options.containsKey(key);
    }

    /** Every problem with the configuration's keys and values, one line each; empty when all are real options. */
    List<String> problems(Configuration config) {
        List<String> problems = new ArrayList<>();
        Map<String, String> values = config.toMap();
        for (String key : new TreeSet<>(values.keySet())) {
            if (key.startsWith(REPORTER_PREFIX)) {
                reporterProblem(key, values).ifPresent(problems::add);
                continue;
            }
            ConfigOption<?> option = options.get(key);
            if (option == null) {
                problems.add(key + ": " + deprecated.getOrDefault(key, "not a Flink 2.2 option"));
                continue;
            }
            try {
                config.get(option);
            } catch (RuntimeException e) {
                problems.add(key + ": value '" + values.get(key) + "' does not parse: " + e.getMessage());
            }
        }
        return problems;
    }

    private java.util.Optional<String> reporterProblem(String key, Map<String, String> values) {
        String rest = key.substring(REPORTER_PREFIX.length());
        int dot = rest.indexOf('.');
        if (dot <= 0) {
            return java.util.Optional.of(key + ": not metrics.reporter.<name>.<setting>");
        }
        String name = rest.substring(0, dot);
        String suffix = rest.substring(dot + 1);
        if (reporterSuffixes.containsKey(suffix)) {
            return java.util.Optional.empty();
        }
        String factory = values.get(REPORTER_PREFIX + name + ".factory.class");
        if (PROMETHEUS_FACTORY.equals(factory) && suffix.equals(prometheusPortArgument())) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(key + ": '" + suffix + "' is not a setting of reporter " + name
                + " (factory " + factory + ")");
    }

    /** The Prometheus reporter's port argument, as its factory names it. */
    static String prometheusPortArgument() {
        try {
            Field f = Class.forName(PROMETHEUS_FACTORY).getDeclaredField("ARG_PORT");
            f.setAccessible(true);
            return (String) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the Prometheus reporter is not on the test class path", e);
        }
    }
}
