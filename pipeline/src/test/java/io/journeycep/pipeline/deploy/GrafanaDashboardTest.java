package io.journeycep.pipeline.deploy;

import io.journeycep.sinks.AlertKind;
import io.journeycep.sinks.RejectReason;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code deploy/grafana/journey-cep-dashboard.json} parses, queries Prometheus, and names only metrics that exist:
 * the job's own (found in the sources: every {@code counter(…)}/{@code gauge(…)} call) or Flink's standard ones (the
 * names in Flink's {@code MetricNames} and checkpoint statistics), under the names the Prometheus reporter gives them
 * ({@code flink_<scope>_<name>}, with its own replacement of characters Prometheus does not allow). Every metric the
 * job registers has a panel.
 */
class GrafanaDashboardTest {
    private static final Path DASHBOARD = ClusterConfigFilesTest.ROOT.resolve("deploy/grafana/journey-cep-dashboard.json");
    private static final Pattern METRIC = Pattern.compile("\\bflink_[A-Za-z0-9_]+");
    private static final String OPERATOR_SCOPE = "flink_taskmanager_job_task_operator_";
    /** RocksDB's native metrics with state.backend.rocksdb.metrics.column-family-as-variable (a key group). */
    private static final String ROCKSDB_COLUMN_FAMILY_SCOPE = "column_family_";
    private static final List<String> STANDARD_SCOPES = List.of(
            "flink_jobmanager_", "flink_jobmanager_job_", "flink_taskmanager_", "flink_taskmanager_job_task_",
            OPERATOR_SCOPE);

    @Test
    void everyPanelQueriesPrometheusForMetricsThatExist() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        Set<String> known = new TreeSet<>();
        for (String name : jobMetricNames().keySet()) {
            known.add(OPERATOR_SCOPE + prometheusName(name));
        }
        for (String name : flinkStandardMetricNames()) {
            for (String scope : STANDARD_SCOPES) {
                known.add(scope + prometheusName(name));
            }
        }
        for (String name : rocksDbNativeMetricNames()) {
            // on the operator's group, in a column_family key group whose value, the state's name, is a label
            // (column-family-as-variable): the key is part of the name, as a scrape of the standalone cluster shows
            known.add(OPERATOR_SCOPE + ROCKSDB_COLUMN_FAMILY_SCOPE + prometheusName(name));
        }
        List<JsonNode> panels = new ArrayList<>();
        collectPanels(dashboard.path("panels"), panels);
        assertThat(panels).hasSizeGreaterThan(10);
        Set<String> used = new TreeSet<>();
        for (JsonNode panel : panels) {
            assertThat(panel.path("datasource").path("type").asText()).as(panel.path("title").asText())
                    .isEqualTo("prometheus");
            assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                List<String> names = metricNames(expr);
                assertThat(names).as("metrics in %s: %s", panel.path("title").asText(), expr).isNotEmpty();
                used.addAll(names);
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            used.addAll(metricNames(variable.path("definition").asText()));
        }
        assertThat(known).containsAll(used);

        // the panels the brief asks for, and every metric the job registers
        assertThat(used).contains(
                OPERATOR_SCOPE + "numRecordsInPerSecond", OPERATOR_SCOPE + "numRecordsOutPerSecond",
                "flink_jobmanager_job_lastCheckpointDuration", "flink_jobmanager_job_lastCheckpointSize",
                "flink_jobmanager_job_numRestarts", "flink_taskmanager_job_task_backPressuredTimeMsPerSecond",
                // keys in keyed state (config.yaml enables it)
                OPERATOR_SCOPE + ROCKSDB_COLUMN_FAMILY_SCOPE + "rocksdb_estimate_num_keys");
        for (String name : jobMetricNames().keySet()) {
            assertThat(used).as("a panel for the job's metric " + name).contains(OPERATOR_SCOPE + prometheusName(name));
        }
    }

    @Test
    void jobMetricNamesAreFoundInTheSources() throws Exception {
        Map<String, String> names = jobMetricNames();
        assertThat(names).containsKeys("eventsIn", "duplicates", "lateEvents", "identityLinks", "segmentEnters",
                "segmentExits", "alerts.CART_ABANDONED", "alerts.VELOCITY");
        assertThat(prometheusName("alerts.CART_ABANDONED")).isEqualTo("alerts_CART_ABANDONED");
    }

    private static List<String> metricNames(String expr) {
        List<String> names = new ArrayList<>();
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    private static void collectPanels(JsonNode list, List<JsonNode> out) {
        for (JsonNode p : list) {
            if (p.path("type").asText().equals("row")) {
                collectPanels(p.path("panels"), out);
            } else {
                out.add(p);
            }
        }
    }

    /** The name the Prometheus reporter gives a metric (its own character replacement). */
    static String prometheusName(String name) throws ReflectiveOperationException {
        Class<?> reporter = Class.forName("org.apache.flink.metrics.prometheus.AbstractPrometheusReporter");
        Method replace = reporter.getDeclaredMethod("replaceInvalidChars", String.class);
        replace.setAccessible(true);
        return (String) replace.invoke(null, name);
    }

    private static Set<String> flinkStandardMetricNames() throws ReflectiveOperationException {
        Set<String> names = new TreeSet<>();
        for (String cls : List.of("org.apache.flink.runtime.metrics.MetricNames",
                "org.apache.flink.runtime.checkpoint.DefaultCheckpointStatsTracker")) {
            for (Field f : Class.forName(cls).getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                    f.setAccessible(true);
                    names.add((String) f.get(null));
                }
            }
        }
        return names;
    }

    /**
     * RocksDB's native metrics as Flink names them ({@code rocksdb.<property>}, one gauge per state), from Flink's own
     * list of the properties it can report.
     */
    private static Set<String> rocksDbNativeMetricNames() {
        Set<String> names = new TreeSet<>();
        for (org.apache.flink.state.rocksdb.RocksDBProperty p : org.apache.flink.state.rocksdb.RocksDBProperty.values()) {
            names.add(p.getRocksDBProperty());
        }
        assertThat(names).contains("rocksdb.estimate-num-keys");
        return names;
    }

    /**
     * The metric names the job registers, each with the file that registers it: every {@code .counter(…)},
     * {@code .gauge(…)}, {@code .meter(…)} and {@code .histogram(…)} call in the main sources, its name argument a
     * string literal, a constant of the same file, {@code CONSTANT + kind.name()} (one per {@link AlertKind}) or
     * {@code CONSTANT + reason.name()} (one per {@link RejectReason}).
     * Any other form fails, so a new metric cannot slip past the dashboard.
     */
    static Map<String, String> jobMetricNames() throws IOException {
        Map<String, String> names = new TreeMap<>();
        Pattern call = Pattern.compile("\\.(counter|gauge|meter|histogram)\\(");
        Pattern constant = Pattern.compile("static\\s+final\\s+String\\s+(\\w+)\\s*=\\s*\"([^\"]*)\"\\s*;");
        for (String module : List.of("patterns", "sinks", "pipeline")) {
            List<Path> files;
            try (Stream<Path> s = Files.walk(ClusterConfigFilesTest.ROOT.resolve(module).resolve("src/main/java"))) {
                files = s.filter(p -> p.toString().endsWith(".java")).toList();
            }
            for (Path file : files) {
                String src = Files.readString(file);
                Map<String, String> constants = new TreeMap<>();
                Matcher cm = constant.matcher(src);
                while (cm.find()) {
                    constants.put(cm.group(1), cm.group(2));
                }
                Matcher m = call.matcher(src);
                while (m.find()) {
                    String arg = firstArgument(src, m.end()).trim();
                    String where = ClusterConfigFilesTest.ROOT.relativize(file) + ": " + m.group(1) + "(" + arg + ")";
                    if (arg.matches("\"[^\"]*\"")) {
                        names.put(arg.substring(1, arg.length() - 1), where);
                    } else if (arg.matches("\\w+") && constants.containsKey(arg)) {
                        names.put(constants.get(arg), where);
                    } else if (arg.matches("\\w+\\s*\\+\\s*kind\\.name\\(\\)")
                            && constants.containsKey(arg.replaceAll("\\s*\\+.*", ""))) {
                        for (AlertKind kind : AlertKind.values()) {
                            names.put(constants.get(arg.replaceAll("\\s*\\+.*", "")) + kind.name(), where);
                        }
                    } else if (arg.matches("\\w+\\s*\\+\\s*reason\\.name\\(\\)")
                            && constants.containsKey(arg.replaceAll("\\s*\\+.*", ""))) {
                        for (RejectReason reason : RejectReason.values()) {
                            names.put(constants.get(arg.replaceAll("\\s*\\+.*", "")) + reason.name(), where);
                        }
                    } else {
                        throw new AssertionError("cannot resolve the metric name of " + where);
                    }
                }
            }
        }
        return names;
    }

    /** The text of the first argument of a call whose '(' ends just before {@code from}. */
    private static String firstArgument(String src, int from) {
        int depth = 0;
        for (int i = from; i < src.length(); i++) {
            char c = src.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')' && depth-- == 0 || c == ',' && depth == 0) {
                return src.substring(from, i);
            }
        }
        throw new AssertionError("unbalanced call at " + from);
    }
}
