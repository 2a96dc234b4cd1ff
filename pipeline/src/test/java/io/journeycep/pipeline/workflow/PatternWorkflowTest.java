package io.journeycep.pipeline.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.journeycep.pipeline.config.ConfigException;
import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.ingest.EventParser;
import io.journeycep.pipeline.ingest.EventSources;
import io.journeycep.pipeline.ingest.InputFormat;
import io.journeycep.pipeline.ingest.ParserSettings;
import io.journeycep.pipeline.testing.CollectingSink;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertIds;
import io.journeycep.sinks.AlertKind;
import io.journeycep.sinks.RejectedEvent;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * User-defined patterns from rules files through the whole job on a MiniCluster (heap and RocksDB, parallelism 2):
 * the example JOURNEY_PATTERN, and a RISK_PATTERN with {@code starts-after} (which runs behind a look-back
 * operator), with their false positives.
 */
class PatternWorkflowTest {
    private static final long MIN = 60_000L;
    private static final long T0 = 1_700_000_000_000L;
    static final Path EXAMPLE = Path.of("..", "rules", "examples", "checkout-payment-failed.yaml").toAbsolutePath();
    static final String RISK_RULES = String.join("\n",
            "patterns:",
            "  - id: login-after-failures-then-big-purchase",
            "    version: 3",
            "    kind: RISK_PATTERN",
            "    within: 30m",
            "    starts-after: {event-types: [login_failed], within: 10m}",
            "    steps:",
            "      - name: login",
            "        event-types: [login]",
            "      - name: purchase",
            "        event-types: [purchase]",
            "        where: [{field: price, op: \">=\", value: 100}]",
            "");

    @TempDir
    Path dir;

    static String event(String id, String type, String user, long offsetMinutes, double price) {
        return String.format("{\"event_id\":\"%s\",\"event_type\":\"%s\",\"user_id\":\"%s\",\"ts\":%d,"
                + "\"item_id\":\"item-%s\",\"price\":%s}", id, type, user, T0 + offsetMinutes * MIN, id, price);
    }

    static List<String> scenario() {
        List<String> l = new ArrayList<>();
        // a1: checkout, payment failed, no purchase: JOURNEY_PATTERN. a2: bought after all: nothing
        l.add(event("a1-c", "checkout", "a1", 0, 300));
        l.add(event("a1-f", "payment_failed", "a1", 2, 300));
        l.add(event("a2-c", "checkout", "a2", 0, 300));
        l.add(event("a2-f", "payment_failed", "a2", 2, 300));
        l.add(event("a2-p", "purchase", "a2", 5, 300));
        // r1: failed login, login, big purchase: RISK_PATTERN
        l.add(event("r1-lf", "login_failed", "r1", 0, 0));
        l.add(event("r1-l", "login", "r1", 3, 0));
        l.add(event("r1-p", "purchase", "r1", 10, 200));
        // r2: no failed login before; r3: the failed login is 20 min before (look-back 10 min); r4: small purchase
        l.add(event("r2-l", "login", "r2", 3, 0));
        l.add(event("r2-p", "purchase", "r2", 10, 200));
        l.add(event("r3-lf", "login_failed", "r3", 0, 0));
        l.add(event("r3-l", "login", "r3", 20, 0));
        l.add(event("r3-p", "purchase", "r3", 25, 200));
        l.add(event("r4-lf", "login_failed", "r4", 0, 0));
        l.add(event("r4-l", "login", "r4", 3, 0));
        l.add(event("r4-p", "purchase", "r4", 10, 50));
        // a later event keeps event time moving for everyone
        l.add(event("z-v", "view", "z", 300, 1));
        return l;
    }

    List<Alert> run(String backend, List<String> ruleFiles) throws Exception {
        Path file = dir.resolve("events.jsonl");
        Files.write(file, scenario(), StandardCharsets.UTF_8);
        JobConfig config = new JobConfig();
        config.eventTime.quietPeriod = null;
        config.eventTime.idleTimeout = null;
        config.patterns.files.addAll(ruleFiles);
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        CollectingSink<Alert> alerts = new CollectingSink<>();
        JourneyWorkflow.define(
                env,
                EventSources.files(List.of(file), InputFormat.JSONL, null, new EventParser(ParserSettings.defaults())),
                new WorkflowSinks().alerts("alerts", alerts).deadLetters("dead", new CollectingSink<RejectedEvent>())
                        .lateEvents("late", new CollectingSink<RejectedEvent>()),
                config);
        env.execute("pattern workflow test");
        return alerts.results().stream()
                .filter(a -> a.kind == AlertKind.JOURNEY_PATTERN || a.kind == AlertKind.RISK_PATTERN)
                .sorted(Comparator.comparing(a -> a.subjectKey))
                .collect(Collectors.toList());
    }

    @ParameterizedTest(name = "stateBackend={0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void userPatternsFromRulesFilesFireWithExplainableAlerts(String backend) throws Exception {
        Path risk = dir.resolve("risk.yaml");
        Files.writeString(risk, RISK_RULES);
        List<Alert> alerts = run(backend, List.of(EXAMPLE.toString(), risk.toString()));
        assertThat(alerts).extracting(a -> a.subjectKey).containsExactly("a1", "r1");

        Alert a1 = alerts.get(0);
        assertThat(a1.kind).isEqualTo(AlertKind.JOURNEY_PATTERN);
        assertThat(a1.ruleId).isEqualTo("checkout-payment-failed");
        assertThat(a1.ruleVersion).isEqualTo(1);
        assertThat(a1.evidenceEventIds).containsExactly("a1-c", "a1-f");
        assertThat(a1.score).isEqualTo(2.0);
        assertThat(a1.threshold).isEqualTo(2.0);
        assertThat(a1.windowStart).isEqualTo(T0);
        assertThat(a1.windowEnd).as("first-and-last: from the checkout").isEqualTo(T0 + 15 * MIN);
        assertThat(a1.eventTime).as("ends in a negation: fires when the window closes").isEqualTo(T0 + 15 * MIN);
        assertThat(a1.evidenceJson)
                .contains("\"pattern\":\"checkout-payment-failed\"")
                .contains("{\"step\":\"checkout\",\"events\":[{\"id\":\"a1-c\",\"type\":\"checkout\",\"ts\":"
                        + T0 + ",\"item\":\"item-a1-c\",\"price\":300.0}]}")
                .contains("\"not_followed_by\":[\"no-purchase: purchase\"]")
                .contains("\"within_ms\":900000").contains("\"within_type\":\"first-and-last\"");
        assertThat(a1.alertId).isEqualTo(AlertIds.of(a1));

        Alert r1 = alerts.get(1);
        assertThat(r1.kind).isEqualTo(AlertKind.RISK_PATTERN);
        assertThat(r1.ruleId).isEqualTo("login-after-failures-then-big-purchase");
        assertThat(r1.ruleVersion).isEqualTo(3);
        assertThat(r1.evidenceEventIds).as("the starts-after event first").containsExactly("r1-lf", "r1-l", "r1-p");
        assertThat(r1.windowStart).isEqualTo(T0 + 3 * MIN);
        assertThat(r1.windowEnd).isEqualTo(T0 + 33 * MIN);
        assertThat(r1.eventTime).as("fires at the purchase").isEqualTo(T0 + 10 * MIN);
        assertThat(r1.evidenceJson).contains("\"starts_after_event_ids\":[\"r1-lf\"]");
        assertThat(r1.alertId).isEqualTo(AlertIds.of(r1));
    }

    @Test
    void aRulesFileWithErrorsFailsTheStartWithItsMessages() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, RISK_RULES.replace("[login]", "[logon]"));
        assertThatThrownBy(() -> run("hashmap", List.of(bad.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(bad + ":9: error: patterns[0].steps[0].event-types[0]: unknown event type"
                        + " 'logon' (did you mean 'login'?)");
    }
}
