package io.journeycep.pipeline.deploy;

import io.journeycep.pipeline.config.JobConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.state.rocksdb.RocksDBNativeMetricOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deployment files are what a platform team drops into a cluster, so they are checked against Flink itself:
 * {@code flink-conf/config.yaml} is loaded with Flink's own {@link GlobalConfiguration} and every key must be a
 * current Flink 2.2 option whose value parses; the operator's {@code FlinkDeployment} has what the job needs and the
 * same settings; the job config in its ConfigMap loads with the job's loader; the Dockerfile's Flink is the pom's.
 */
class ClusterConfigFilesTest {
    static final Path ROOT = repositoryRoot();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Keys whose values may differ between config.yaml and the FlinkDeployment, and why. */
    private static final Set<String> MAY_DIFFER = Set.of(
            "metrics.reporter.prom.port"); // one process per pod: one port, not a range

    private final FlinkOptionKeys flink = new FlinkOptionKeys();

    static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("flink-conf/config.yaml"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no flink-conf/config.yaml above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    static Configuration clusterConfig() {
        return GlobalConfiguration.loadConfiguration(ROOT.resolve("flink-conf").toString());
    }

    @Test
    void everyClusterConfigKeyIsAFlinkOptionWithAValidValue() throws IOException {
        Configuration config = clusterConfig();
        assertThat(flink.problems(config)).isEmpty();
        // Flink read every entry of the file (none silently dropped by its YAML parser)
        JsonNode yaml = YAML.readTree(ROOT.resolve("flink-conf/config.yaml").toFile());
        assertThat(config.keySet()).containsExactlyInAnyOrderElementsOf(flatKeys(yaml));
    }

    @Test
    void anUnknownOrDeprecatedKeyOrABadValueIsReported(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("config.yaml"), String.join("\n",
                "execution.checkpointing.intervall: 10s",          // a typo
                "state.backend.incremental: true",                  // Flink 1.x name, now a deprecated fallback
                "heartbeat.timeout: soon",                          // not a duration
                "metrics.reporter.prom.factory.class: " + FlinkOptionKeys.PROMETHEUS_FACTORY,
                "metrics.reporter.prom.prot: 9249",                 // not a reporter setting
                "state.backend.type: rocksdb", ""));
        List<String> problems = flink.problems(GlobalConfiguration.loadConfiguration(dir.toString()));
        assertThat(problems).hasSize(4);
        assertThat(problems.get(0)).startsWith("execution.checkpointing.intervall: not a Flink 2.2 option");
        assertThat(problems.get(1)).startsWith("heartbeat.timeout: value 'soon' does not parse");
        assertThat(problems.get(2)).startsWith("metrics.reporter.prom.prot: 'prot' is not a setting");
        assertThat(problems.get(3)).isEqualTo(
                "state.backend.incremental: replaced by execution.checkpointing.incremental");
    }

    @Test
    void clusterConfigHasTheChosenSettings() throws Exception {
        Configuration config = clusterConfig();
        assertThat(config.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(config.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
        assertThat(config.get(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE))
                .isEqualTo(CheckpointingMode.EXACTLY_ONCE);
        // the job's default interval (job.yaml runtime.checkpoint-interval), which the job sets and so wins
        assertThat(config.get(CheckpointingOptions.CHECKPOINTING_INTERVAL))
                .isEqualTo(new JobConfig().runtime.checkpointInterval);
        // a checkpoint must end (or be abandoned) long before the Kafka sinks' transactions time out
        assertThat(config.get(CheckpointingOptions.CHECKPOINTING_TIMEOUT))
                .isLessThan(Duration.ofMillis(Long.parseLong(io.journeycep.sinks.kafka.KafkaSinks.TRANSACTION_TIMEOUT_MS)));
        assertThat(config.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("exponential-delay");
        assertThat(config.get(HeartbeatManagerOptions.HEARTBEAT_TIMEOUT))
                .isLessThan(HeartbeatManagerOptions.HEARTBEAT_TIMEOUT.defaultValue())
                .isGreaterThanOrEqualTo(config.get(HeartbeatManagerOptions.HEARTBEAT_INTERVAL).multipliedBy(3));
        assertThat(config.get(StateRecoveryOptions.LOCAL_RECOVERY)).isTrue();
        // the key gauges (README "Operating"), one metric name for all states (the dashboard's panel queries it)
        assertThat(config.get(RocksDBNativeMetricOptions.ESTIMATE_NUM_KEYS)).isTrue();
        assertThat(config.get(RocksDBNativeMetricOptions.COLUMN_FAMILY_AS_VARIABLE)).isTrue();
        assertThat(Class.forName(config.getString("metrics.reporter.prom.factory.class", null))).isNotNull();
        assertThat(config.getString("metrics.reporter.prom.port", null)).matches("\\d+(-\\d+)?");
    }

    @Test
    void memorySizesGiveValidProcessSpecs() {
        Configuration config = clusterConfig();
        TaskExecutorProcessSpec tm = TaskExecutorProcessUtils.processSpecFromConfig(config);
        assertThat(tm.getManagedMemorySize().getMebiBytes()).isGreaterThanOrEqualTo(1024);
        assertThat(tm.getTaskHeapSize().getMebiBytes()).isGreaterThanOrEqualTo(1024);
        JobManagerProcessSpec jm = JobManagerProcessUtils.processSpecFromConfig(config);
        assertThat(jm.getJvmHeapMemorySize().getMebiBytes()).isGreaterThanOrEqualTo(512);
    }

    @Test
    void flinkDeploymentRunsTheJobWithTheClusterConfig() throws IOException {
        JsonNode d = YAML.readTree(ROOT.resolve("deploy/k8s/flinkdeployment.yaml").toFile());
        assertThat(d.path("apiVersion").asText()).isEqualTo("flink.apache.org/v1beta1");
        assertThat(d.path("kind").asText()).isEqualTo("FlinkDeployment");
        JsonNode spec = d.path("spec");
        assertThat(spec.path("flinkVersion").asText()).isEqualTo("v" + pomFlinkVersion().replaceAll("^(\\d+)\\.(\\d+).*", "$1_$2"));
        assertThat(spec.path("image").asText()).isNotBlank();
        assertThat(spec.has("mode") ? spec.path("mode").asText() : "native").isEqualTo("native");
        JsonNode job = spec.path("job");
        assertThat(job.path("jarURI").asText()).isEqualTo("local:///opt/flink/usrlib/journey-cep.jar");
        assertThat(job.path("upgradeMode").asText()).isEqualTo("savepoint");
        assertThat(job.path("parallelism").asInt()).isPositive();
        assertThat(spec.path("jobManager").path("resource").path("memory").asText()).isNotBlank();
        assertThat(spec.path("taskManager").path("resource").path("memory").asText()).isNotBlank();

        // flinkConfiguration: real options, Kubernetes HA, and the same values as config.yaml
        Map<String, String> flinkConf = new HashMap<>();
        spec.path("flinkConfiguration").fields().forEachRemaining(e -> flinkConf.put(e.getKey(), e.getValue().asText()));
        Configuration k8s = Configuration.fromMap(flinkConf);
        assertThat(flink.problems(k8s)).isEmpty();
        assertThat(k8s.get(HighAvailabilityOptions.HA_MODE)).isEqualTo("kubernetes");
        assertThat(k8s.get(HighAvailabilityOptions.HA_STORAGE_PATH)).isNotBlank();
        Map<String, String> cluster = clusterConfig().toMap();
        for (Map.Entry<String, String> e : cluster.entrySet()) {
            if (e.getKey().contains(".memory.") || e.getKey().equals("parallelism.default")) {
                continue; // the operator sizes memory from resource.memory; job.parallelism sets the parallelism
            }
            assertThat(flinkConf).as("flinkConfiguration has config.yaml's " + e.getKey()).containsKey(e.getKey());
            if (!MAY_DIFFER.contains(e.getKey())) {
                assertThat(flinkConf.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
            }
        }

        // args: `run --config <file>` with the file in the mounted job-config ConfigMap
        List<String> args = new ArrayList<>();
        job.path("args").forEach(a -> args.add(a.asText()));
        assertThat(args).hasSize(3).startsWith("run", "--config");
        JsonNode jmPod = spec.path("jobManager").path("podTemplate").path("spec");
        JsonNode container = container(jmPod);
        String mountPath = null;
        String configMapName = null;
        for (JsonNode m : container.path("volumeMounts")) {
            for (JsonNode v : jmPod.path("volumes")) {
                if (v.path("name").equals(m.path("name")) && v.has("configMap")) {
                    mountPath = m.path("mountPath").asText();
                    configMapName = v.path("configMap").path("name").asText();
                }
            }
        }
        assertThat(mountPath).as("a ConfigMap mounted in the JobManager pod").isNotNull();
        assertThat(args.get(2)).startsWith(mountPath + "/");
        JsonNode configMap = YAML.readTree(ROOT.resolve("deploy/k8s/job-configmap.yaml").toFile());
        assertThat(configMap.path("kind").asText()).isEqualTo("ConfigMap");
        assertThat(configMap.path("metadata").path("name").asText()).isEqualTo(configMapName);
        String jobYamlName = args.get(2).substring(mountPath.length() + 1);
        assertThat(configMap.path("data").has(jobYamlName)).isTrue();

        // every secret environment variable the job config names comes from the Secret (main() runs in the JM)
        Path jobYaml = Files.createTempFile("job", ".yaml");
        try {
            Files.writeString(jobYaml, configMap.path("data").path(jobYamlName).asText());
            JobConfig jobConfig = JobConfig.load(jobYaml);
            Set<String> envFromSecret = new LinkedHashSet<>();
            for (JsonNode env : container.path("env")) {
                if (env.path("valueFrom").has("secretKeyRef")) {
                    envFromSecret.add(env.path("name").asText());
                }
            }
            assertThat(envFromSecret).contains(secretEnvNames(jobConfig).toArray(String[]::new));
            assertThat(secretEnvNames(jobConfig)).contains("JOURNEY_JDBC_PASSWORD", "KAFKA_SASL_JAAS_CONFIG");
            assertThat(jobConfig.runtime.parallelism).as("the FlinkDeployment's job.parallelism decides").isNull();
        } finally {
            Files.deleteIfExists(jobYaml);
        }
    }

    @Test
    void dockerfileBuildsOnThePomsFlinkVersion() throws IOException {
        List<String> from = new ArrayList<>();
        for (String line : Files.readAllLines(ROOT.resolve("deploy/Dockerfile"))) {
            if (line.startsWith("FROM ")) {
                from.add(line.substring(5).trim());
            }
        }
        assertThat(from).containsExactly("flink:" + pomFlinkVersion() + "-java17");
        assertThat(Files.readString(ROOT.resolve("deploy/Dockerfile")))
                .contains("/opt/flink/usrlib/journey-cep.jar");
    }

    static String pomFlinkVersion() throws IOException {
        Matcher m = Pattern.compile("<flink\\.version>([^<]+)</flink\\.version>")
                .matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private static Set<String> secretEnvNames(JobConfig c) {
        Set<String> names = new LinkedHashSet<>();
        for (String n : new String[] {c.source.kafka.saslJaasConfigEnv, c.outputs.kafka.saslJaasConfigEnv,
                c.outputs.jdbc.passwordEnv, c.privacy.keyEnv}) {
            if (n != null && !n.isBlank()) {
                names.add(n);
            }
        }
        return names;
    }

    private static JsonNode container(JsonNode podSpec) {
        for (JsonNode c : podSpec.path("containers")) {
            if (c.path("name").asText().equals("flink-main-container")) {
                return c;
            }
        }
        throw new AssertionError("no flink-main-container in " + podSpec);
    }

    private static Set<String> flatKeys(JsonNode node) {
        Set<String> keys = new LinkedHashSet<>();
        flatten("", node, keys);
        return keys;
    }

    private static void flatten(String prefix, JsonNode node, Set<String> keys) {
        if (!node.isObject()) {
            keys.add(prefix);
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), keys);
        }
    }
}
