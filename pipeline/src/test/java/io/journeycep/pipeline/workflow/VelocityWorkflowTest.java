package io.journeycep.pipeline.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.patterns.velocity.VelocityRule;
import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.control.ControlRecord;
import io.journeycep.pipeline.control.ControlSources;
import io.journeycep.pipeline.ingest.EventParser;
import io.journeycep.pipeline.ingest.EventSources;
import io.journeycep.pipeline.ingest.IngestRecord;
import io.journeycep.pipeline.ingest.InputFormat;
import io.journeycep.pipeline.ingest.ParserSettings;
import io.journeycep.pipeline.testing.CollectingSink;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertIds;
import io.journeycep.sinks.AlertKind;
import io.journeycep.sinks.RejectedEvent;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
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
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * VELOCITY end to end on a MiniCluster (file input, collecting sinks, the same workflow as production): rules from
 * the config (the defaults, or a list parsed from YAML), alerts in the same stream as the other kinds.
 */
class VelocityWorkflowTest {
    private static final long MIN = 60_000L;
    private static final long HOUR = 60 * MIN;
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    /** A flat JSON event; {@code device} and {@code ip} may be null. */
    private static String event(String id, String type, String user, long offsetMillis, String device, String ip) {
        StringBuilder sb = new StringBuilder(String.format(
                "{\"event_id\":\"%s\",\"event_type\":\"%s\",\"user_id\":\"%s\",\"ts\":%d",
                id, type, user, T0 + offsetMillis));
        if (device != null) {
            sb.append(",\"device_id\":\"").append(device).append('"');
        }
        if (ip != null) {
            sb.append(",\"ip\":\"").append(ip).append('"');
        }
        return sb.append('}').toString();
    }

    private static String loginFailed(String id, String user, long offsetMillis) {
        return event(id, "login_failed", user, offsetMillis, null, null);
    }

    private List<Alert> run(List<String> lines, JobConfig.Velocity velocity, String backend) throws Exception {
        Path file = Files.createTempFile(dir, "events", ".jsonl");
        // in time order, as a replay of history would be; the evaluator's own out-of-order tests are harness tests
        Files.write(file, lines, StandardCharsets.UTF_8);
        JobConfig config = new JobConfig();
        config.eventTime.quietPeriod = null;
        config.eventTime.idleTimeout = null;
        config.velocity = velocity;
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        CollectingSink<Alert> alerts = new CollectingSink<>();
        CollectingSink<RejectedEvent> dead = new CollectingSink<>();
        CollectingSink<RejectedEvent> late = new CollectingSink<>();
        JourneyWorkflow.define(
                env,
                EventSources.files(List.of(file), InputFormat.JSONL, null, new EventParser(ParserSettings.defaults())),
                new WorkflowSinks().alerts("alerts", alerts).deadLetters("dead", dead).lateEvents("late", late),
                config);
        env.execute("velocity workflow test");
        assertThat(dead.results()).as("dead letters").isEmpty();
        assertThat(late.results()).as("late events").isEmpty();
        return alerts.results();
    }

    private static List<Alert> velocity(List<Alert> alerts) {
        return alerts.stream()
                .filter(a -> a.kind == AlertKind.VELOCITY)
                .sorted(Comparator.comparing((Alert a) -> a.ruleId)
                        .thenComparing(a -> a.subjectKey)
                        .thenComparingLong(a -> a.eventTime))
                .collect(Collectors.toList());
    }

    /** The default rules: failed logins per user (at, below and just outside the window) and users per device. */
    private static List<String> defaultRulesScenario() {
        List<String> l = new ArrayList<>();
        // f5: 5 failed logins, the 5th exactly 10 min after the 1st (inclusive window): one alert, at the 5th;
        // a 6th a minute later is still above the threshold and does not fire again
        long[] f5 = {0, 2 * MIN, 5 * MIN, 8 * MIN, 10 * MIN, 11 * MIN};
        // f4: 4 failed logins within 10 min: nothing
        long[] f4 = {0, MIN, 2 * MIN, 3 * MIN};
        // fw: 5 failed logins over 10 min + 1 ms: never 5 within one window, nothing
        long[] fw = {0, MIN, 2 * MIN, 3 * MIN, 10 * MIN + 1};
        // d4: 4 distinct users on one device within 24 h: one alert (distinct-users-per-device)
        // d3: 3 distinct users, one of them twice: nothing
        List<Object[]> timeline = new ArrayList<>();
        for (int i = 0; i < f5.length; i++) {
            timeline.add(new Object[] {f5[i], loginFailed("f5-" + (i + 1), "f5", f5[i])});
        }
        for (int i = 0; i < f4.length; i++) {
            timeline.add(new Object[] {f4[i] + 1, loginFailed("f4-" + (i + 1), "f4", f4[i] + 1)});
        }
        for (int i = 0; i < fw.length; i++) {
            timeline.add(new Object[] {fw[i] + 2, loginFailed("fw-" + (i + 1), "fw", fw[i] + 2)});
        }
        String[] d4Users = {"a1", "a2", "a1", "a3", "a4"};
        for (int i = 0; i < d4Users.length; i++) {
            long t = i * 5 * HOUR + 3;
            timeline.add(new Object[] {t, event("d4-" + i, "view", d4Users[i], t, "dev-4", null)});
        }
        String[] d3Users = {"b1", "b2", "b1", "b3"};
        for (int i = 0; i < d3Users.length; i++) {
            long t = i * HOUR + 4;
            timeline.add(new Object[] {t, event("d3-" + i, "login", d3Users[i], t, "dev-3", "10.0.0.1")});
        }
        timeline.sort(Comparator.comparingLong(o -> (Long) o[0]));
        timeline.forEach(o -> l.add((String) o[1]));
        return l;
    }

    @ParameterizedTest(name = "stateBackend={0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void defaultRulesFireOncePerCrossingEndToEnd(String backend) throws Exception {
        List<Alert> alerts = velocity(run(defaultRulesScenario(), new JobConfig.Velocity(), backend));

        assertThat(alerts).extracting(a -> a.ruleId + " " + a.subjectKey).containsExactly(
                VelocityRule.DISTINCT_USERS_PER_DEVICE + " dev-4",
                VelocityRule.LOGIN_FAILED_PER_USER + " f5");

        Alert logins = alerts.get(1);
        assertThat(logins.ruleVersion).isEqualTo(1);
        assertThat(logins.score).as("count").isEqualTo(5.0);
        assertThat(logins.threshold).isEqualTo(5.0);
        assertThat(logins.eventTime).as("the 5th failed login").isEqualTo(T0 + 10 * MIN);
        assertThat(logins.windowStart).isEqualTo(T0);
        assertThat(logins.windowEnd).isEqualTo(T0 + 10 * MIN);
        assertThat(logins.evidenceEventIds).containsExactlyInAnyOrder("f5-1", "f5-2", "f5-3", "f5-4", "f5-5");
        assertThat(logins.evidenceJson)
                .contains("\"aggregate\":\"count\"", "\"comparison\":\">=\"", "\"dimension\":\"user\"",
                        "\"severity\":\"high\"", "\"window_ms\":600000");
        assertThat(logins.alertId).isEqualTo(AlertIds.of(logins));
        assertThat(logins.kind.audience()).as("goes to risk.alerts").isEqualTo(AlertKind.Audience.RISK);

        Alert device = alerts.get(0);
        assertThat(device.ruleVersion).isEqualTo(1);
        assertThat(device.score).as("distinct users").isEqualTo(4.0);
        assertThat(device.threshold).isEqualTo(4.0);
        assertThat(device.eventTime).as("the 4th distinct user").isEqualTo(T0 + 20 * HOUR + 3);
        assertThat(device.evidenceJson)
                .contains("\"aggregate\":\"distinct_count\"", "\"field\":\"userId\"", "\"dimension\":\"device\"")
                .contains("\"a1\"", "\"a2\"", "\"a3\"", "\"a4\"");
    }

    @Test
    void rulesFromTheConfigFileReplaceTheDefaultsAndCarryTheirVersion() throws Exception {
        String yaml = String.join("\n",
                "source:",
                "  type: files",
                "  files:",
                "    paths: [unused.jsonl]",
                "outputs:",
                "  kafka:",
                "    enabled: false",
                "  jdbc:",
                "    enabled: false",
                "velocity:",
                "  rules:",
                "    - rule-id: users-per-ip",
                "      version: 7",
                "      event-types: [login]",
                "      dimension: ip",
                "      aggregate: distinct_count",
                "      field: userId",
                "      threshold: 3",
                "      window: 2h",
                "      severity: critical",
                "");
        JobConfig.Velocity velocity = JobConfig.parse(yaml, "velocity-test.yaml").velocity;
        List<Alert> alerts = velocity(run(defaultRulesScenario(), velocity, "hashmap"));
        // only the configured rule runs: b1, b2, b3 from 10.0.0.1 within 2 h; no login or device alerts any more
        assertThat(alerts).hasSize(1);
        Alert a = alerts.get(0);
        assertThat(a.ruleId).isEqualTo("users-per-ip");
        assertThat(a.ruleVersion).isEqualTo(7);
        assertThat(a.subjectKey).isEqualTo("10.0.0.1");
        assertThat(a.score).isEqualTo(3.0);
        assertThat(a.threshold).isEqualTo(3.0);
        assertThat(a.eventTime).isEqualTo(T0 + 3 * HOUR + 4);
        assertThat(a.windowStart).isEqualTo(T0 + HOUR + 4);
        assertThat(a.evidenceJson).contains("\"severity\":\"critical\"");
    }

    @Test
    void velocityDisabledGivesNoVelocityAlerts() throws Exception {
        JobConfig.Velocity off = new JobConfig.Velocity();
        off.enabled = false;
        assertThat(velocity(run(defaultRulesScenario(), off, "hashmap"))).isEmpty();
    }

    // ---- live rules: a bounded control source ----

    private static final String CONTROL = "test:control";

    /** The events of a list, held back until the gate named {@code gate} opens. */
    private static final class GatedEvents implements GeneratorFunction<Long, IngestRecord> {
        private static final long serialVersionUID = 1L;
        static final Map<String, CountDownLatch> GATES = new ConcurrentHashMap<>();

        private final String gate;
        private final ArrayList<String> lines;
        private final EventParser parser = new EventParser(ParserSettings.defaults());

        GatedEvents(String gate, List<String> lines) {
            this.gate = gate;
            this.lines = new ArrayList<>(lines);
            GATES.put(gate, new CountDownLatch(1));
        }

        @Override
        public IngestRecord map(Long index) throws Exception {
            if (index == 0 && !GATES.get(gate).await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never opened the gate");
            }
            return parser.parseJson(lines.get(Math.toIntExact(index)).getBytes(StandardCharsets.UTF_8),
                    "file:gated.jsonl", index + 1);
        }
    }

    private static ControlRecord control(long position, String key, String json) {
        return ControlRecord.of(CONTROL, position, key, json);
    }

    private static String rule(String id, int version, String types, String dimension, int threshold) {
        return String.format("{\"type\":\"velocity-rule\",\"rule\":{\"rule-id\":\"%s\",\"version\":%d,"
                + "\"event-types\":[%s],\"dimension\":\"%s\",\"aggregate\":\"count\",\"threshold\":%d,"
                + "\"window\":\"10m\",\"severity\":\"high\"}}", id, version, types, dimension, threshold);
    }

    /** Changes (0-2), bad messages (3-5), a stale change (6) and a removal of an unknown rule (7). */
    private static List<ControlRecord> controlMessages() {
        return List.of(
                control(0, VelocityRule.LOGIN_FAILED_PER_USER,
                        rule(VelocityRule.LOGIN_FAILED_PER_USER, 2, "\"login_failed\"", "user", 3)),
                control(1, "searches-per-user", rule("searches-per-user", 1, "\"search\"", "user", 3)),
                control(2, null, "{\"type\":\"velocity-rule-removed\",\"rule-id\":\"purchases-per-ip\","
                        + "\"version\":1}"),
                control(3, null, "not json"),
                control(4, null, "{\"type\":\"velocity-rule-renamed\",\"rule-id\":\"x\"}"),
                control(5, null, rule("bad-threshold", 1, "\"login\"", "user", 3).replace("3,", "2.5,")),
                control(6, null, rule(VelocityRule.LOGIN_FAILED_PER_USER, 1, "\"login_failed\"", "user", 1)),
                control(7, null, "{\"type\":\"velocity-rule-removed\",\"rule-id\":\"no-such-rule\","
                        + "\"version\":1}"));
    }

    private static void assertControlDeadLetters(List<RejectedEvent> dead) {
        assertThat(dead).allSatisfy(d -> assertThat(d.source).isEqualTo(CONTROL));
        assertThat(dead).extracting(d -> d.position + " " + d.reason).containsExactlyInAnyOrder(
                "3 BAD_CONTROL_MESSAGE", "4 BAD_CONTROL_MESSAGE", "5 BAD_CONTROL_MESSAGE",
                "6 STALE_RULE_VERSION", "7 UNKNOWN_RULE");
        assertThat(dead).filteredOn(d -> d.position == 5).singleElement()
                .satisfies(d -> assertThat(d.detail).startsWith("rule.threshold: a count threshold must be a whole"));
        assertThat(dead).filteredOn(d -> d.position == 4).singleElement()
                .satisfies(d -> assertThat(d.detail)
                        .startsWith("type: unknown control message type 'velocity-rule-renamed'"));
        assertThat(dead).filteredOn(d -> d.position == 6).singleElement().satisfies(d -> {
            assertThat(d.detail).startsWith("rule.version: 1 is not newer than version 2");
            assertThat(new String(d.raw, StandardCharsets.UTF_8)).contains("\"version\":1");
        });
    }

    /**
     * Changes through a bounded control source, with parallelism 1 and the events held back until the fan-out has
     * applied every control message: its dead letter for the last one (position 7) proves that, as it applies them in
     * order. From then on: the changed threshold, the added rule and the removal are in force.
     */
    @Test
    void controlMessagesChangeAddAndRemoveRulesAndBadOnesAreDeadLetters() throws Exception {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 10; i++) { // 10 purchases from one IP: purchases-per-ip would fire, but it was removed
            events.add(String.format("{\"event_id\":\"p%d\",\"event_type\":\"purchase\",\"user_id\":\"buyer-%d\","
                    + "\"ts\":%d,\"ip\":\"10.0.0.9\"}", i, i, T0 + i * MIN));
        }
        for (int i = 0; i < 3; i++) {
            events.add(loginFailed("f3-" + i, "f3", 20 * MIN + i * MIN)); // 3: fires under v2 (threshold 3)
            events.add(event("s3-" + i, "search", "s3", 20 * MIN + i * MIN + 1, null, null)); // the added rule
        }
        for (int i = 0; i < 2; i++) {
            events.add(loginFailed("f2-" + i, "f2", 30 * MIN + i * MIN)); // 2: below
        }
        String gate = UUID.randomUUID().toString();
        GatedEvents source = new GatedEvents(gate, events);

        JobConfig config = new JobConfig();
        config.eventTime.quietPeriod = null;
        config.eventTime.idleTimeout = null;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        CollectingSink<Alert> alerts = new CollectingSink<>();
        CollectingSink<RejectedEvent> dead = new CollectingSink<>();
        JourneyWorkflow.define(env,
                new DataGeneratorSource<>(source, events.size(), TypeInformation.of(IngestRecord.class)),
                ControlSources.of(controlMessages()),
                new WorkflowSinks().alerts("alerts", alerts).deadLetters("dead", dead)
                        .lateEvents("late", new CollectingSink<>()),
                config);
        JobClient job = env.executeAsync("velocity live rules test");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (dead.results().stream().noneMatch(d -> d.position == 7) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            GatedEvents.GATES.get(gate).countDown();
            job.getJobExecutionResult().get(120, TimeUnit.SECONDS);
        } finally {
            GatedEvents.GATES.remove(gate).countDown();
        }

        assertThat(velocity(alerts.results()))
                .extracting(a -> a.ruleId + " v" + a.ruleVersion + " " + a.subjectKey + " " + a.score + "/"
                        + a.threshold)
                .containsExactly(
                        VelocityRule.LOGIN_FAILED_PER_USER + " v2 f3 3.0/3.0",
                        "searches-per-user v1 s3 3.0/3.0");
        assertControlDeadLetters(dead.results());
    }

    /**
     * At parallelism 2 every fan-out instance decides on every control message, but a rejected one is a dead letter
     * once; the control input (ended, with its last watermark) does not hold back the config rules' alerts.
     */
    @Test
    void rejectedControlMessagesAreDeadLettersOnceAtParallelismTwo() throws Exception {
        Path file = Files.createTempFile(dir, "events", ".jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 3; i++) { // payment-failed-per-card (config, untouched by the control messages)
            lines.add(String.format("{\"event_id\":\"c%d\",\"event_type\":\"payment_failed\",\"user_id\":\"u-%d\","
                    + "\"ts\":%d,\"card_id\":\"card-1\"}", i, i, T0 + i * MIN));
        }
        Files.write(file, lines, StandardCharsets.UTF_8);
        JobConfig config = new JobConfig();
        config.eventTime.quietPeriod = null;
        config.eventTime.idleTimeout = null;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        CollectingSink<Alert> alerts = new CollectingSink<>();
        CollectingSink<RejectedEvent> dead = new CollectingSink<>();
        JourneyWorkflow.define(env,
                EventSources.files(List.of(file), InputFormat.JSONL, null, new EventParser(ParserSettings.defaults())),
                ControlSources.of(controlMessages()),
                new WorkflowSinks().alerts("alerts", alerts).deadLetters("dead", dead)
                        .lateEvents("late", new CollectingSink<>()),
                config);
        env.execute("velocity control dead letters test");

        assertControlDeadLetters(dead.results());
        assertThat(velocity(alerts.results())).extracting(a -> a.ruleId + " " + a.subjectKey)
                .containsExactly(VelocityRule.PAYMENT_FAILED_PER_CARD + " card-1");
    }
}
