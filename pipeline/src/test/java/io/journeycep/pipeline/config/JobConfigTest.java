package io.journeycep.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.journeycep.model.Durations;
import io.journeycep.model.EventType;
import io.journeycep.patterns.velocity.VelocityField;
import io.journeycep.patterns.velocity.VelocityRule;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;

class JobConfigTest {

    private static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("flink-conf/job.yaml"))) {
            p = p.getParent();
        }
        return p;
    }

    @Test
    void theDocumentedExampleLoadsWithTheDesignDefaults() {
        JobConfig c = JobConfig.load(repoRoot().resolve("flink-conf/job.yaml"));
        assertThat(c.source.type).isEqualTo(JobConfig.SourceType.KAFKA);
        assertThat(c.source.kafka.topic).isEqualTo("events");
        assertThat(c.cartAbandonment.timeout).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.cartAbandonment.viewLookback).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.highValueBrowsing.minViews).isEqualTo(3);
        assertThat(c.highValueBrowsing.minPrice).isEqualTo(500.0);
        assertThat(c.highValueBrowsing.window).isEqualTo(Duration.ofHours(1));
        assertThat(c.dedupe.horizon).isEqualTo(Duration.ofHours(24));
        assertThat(c.outputs.kafka.triggersTopic).isEqualTo("journey.triggers");
        assertThat(c.outputs.kafka.segmentsTopic).isEqualTo("segment.updates")
                .isEqualTo(new JobConfig().outputs.kafka.segmentsTopic);
        assertThat(c.outputs.jdbc.passwordEnv).isEqualTo("JOURNEY_JDBC_PASSWORD");
        assertThat(c.runtime.stateBackend).isEqualTo(JobConfig.StateBackend.ROCKSDB);
        assertThat(c.velocity.enabled).isTrue();
        assertThat(c.velocity.rules).as("the file spells the rules out").hasSize(4);
        assertThat(c.velocity.effectiveRules()).as("and they are the defaults")
                .containsExactlyElementsOf(VelocityRule.defaults());
        assertThat(c.controlTopic()).isEqualTo("control");
        assertThat(c.patterns.files).isEmpty();
        assertThat(c.patterns.maxWindow).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void segmentsAreOnByDefaultAndTheirRulesAreValidatedWithTheirLines() {
        JobConfig documented = JobConfig.load(repoRoot().resolve("flink-conf/job.yaml"));
        assertThat(documented.segments.enabled).isTrue();
        assertThat(documented.segments.book().definitions()).extracting(d -> d.id).containsExactly("NEW_BUYER",
                "HIGH_VALUE", "LAPSED", "CART_ABANDONER", "CHURN_RISK_30", "CHURN_RISK_45", "CHURN_RISK_60",
                "POWER_USER");
        String head = "source:\n  kafka:\n    bootstrap-servers: k:9092\noutputs:\n  jdbc:\n    enabled: false\n";
        JobConfig ok = JobConfig.parse(head + "segments:\n  definitions:\n    - id: FREQUENT_BUYER\n"
                + "      when: {count: [purchase], within: 365d, more-than: 10}\n", "job.yaml");
        assertThat(ok.segments.book().definitions()).extracting(d -> d.id).contains("FREQUENT_BUYER");
        String bad = head + "segments:\n  rfm:\n    frequency: [5, 3, 8, 9]\n  definitions:\n"
                + "    - id: LAPSED\n      when: {has-done: [login], within: 7d}\n"
                + "    - id: X\n      when:\n        all:\n          - {count: [clicks], within: 7d, at-least: 1}\n";
        assertThatThrownBy(() -> JobConfig.parse(bad, "job.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.yaml line 9, field segments.rfm.frequency[1]: cut points must be ascending");
        String bad2 = head + "segments:\n  definitions:\n"
                + "    - id: LAPSED\n      when: {has-done: [login], within: 7d}\n"
                + "    - id: X\n      when:\n        all:\n          - {count: [clicks], within: 7d, at-least: 1}\n";
        assertThatThrownBy(() -> JobConfig.parse(bad2, "job.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.yaml line 9, field segments.definitions[0].id: 'LAPSED' is already defined")
                .hasMessageContaining("job.yaml line 14, field segments.definitions[1].when.all[0].count[0]: 'clicks' "
                        + "is not a canonical event type");
    }

    @Test
    void identityIsOnByDefaultAndValidatedWithItsLines() {
        JobConfig documented = JobConfig.load(repoRoot().resolve("flink-conf/job.yaml"));
        assertThat(documented.identity.enabled).isTrue();
        assertThat(documented.identity.linkTtl).isEqualTo(new JobConfig.Identity().linkTtl);
        assertThat(documented.identity.maxPendingEvents).isEqualTo(500);
        String head = "source:\n  kafka:\n    bootstrap-servers: k:9092\noutputs:\n  jdbc:\n    enabled: false\n";
        String bad = head + "identity:\n  link-ttl: 10m\n  max-pending-events: -1\n";
        assertThatThrownBy(() -> JobConfig.parse(bad, "job.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.yaml line 8, field identity.link-ttl: must be longer than "
                        + "journeys.session-gap (30m), was 10m")
                .hasMessageContaining("job.yaml line 9, field identity.max-pending-events: must be between 0 and");
    }

    @Test
    void driftIsOffByDefaultAndValidatedWithItsLines() {
        JobConfig documented = JobConfig.load(repoRoot().resolve("flink-conf/job.yaml"));
        assertThat(documented.drift.enabled).isFalse();
        assertThat(documented.drift.metrics).containsExactly("rate", "conversion", "abandonment", "aov");
        assertThat(documented.drift.warmup).isEqualTo(new JobConfig.Drift().warmup);
        String head = "source:\n  kafka:\n    bootstrap-servers: k:9092\noutputs:\n  jdbc:\n    enabled: false\n";
        JobConfig ok = JobConfig.parse(head + "drift:\n  enabled: true\n  detector: page-hinkley\n  bucket: 5m\n",
                "job.yaml");
        assertThat(ok.drift.detector).isEqualTo("page-hinkley");
        assertThat(ok.drift.bucket).isEqualTo(Duration.ofMinutes(5));
        String bad = head + "drift:\n  enabled: true\n  detector: ewma\n  ewma-alpha: 0\n"
                + "  metrics: [rate, churn]\n  rate-types: [view, clicks]\n  min-stddev:\n    rate: 0\n";
        assertThatThrownBy(() -> JobConfig.parse(bad, "job.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.yaml line 9, field drift.detector: must be one of [cusum, page-hinkley], was ewma")
                .hasMessageContaining("job.yaml line 10, field drift.ewma-alpha: must be in (0, 1], was 0.0")
                .hasMessageContaining("job.yaml line 11, field drift.metrics[1]: unknown metric 'churn'")
                .hasMessageContaining("job.yaml line 12, field drift.rate-types[1]: 'clicks' is not a canonical event")
                .hasMessageContaining("job.yaml line 14, field drift.min-stddev.rate: must be a positive number");
    }

    @Test
    void journeysUserModelAndMinStateSupportHaveDefaultsAndAreValidatedWithTheirLines() {
        JobConfig documented = JobConfig.load(repoRoot().resolve("flink-conf/job.yaml"));
        JobConfig.Journeys defaults = new JobConfig.Journeys();
        assertThat(documented.journeys.anomalyThreshold).isEqualTo(defaults.anomalyThreshold).isEqualTo(2.0);
        assertThat(documented.journeys.minStateSupport).isEqualTo(defaults.minStateSupport).isEqualTo(100);
        assertThat(documented.journeys.userModel.halfLife).isEqualTo(defaults.userModel.halfLife)
                .isEqualTo(Duration.ofDays(30));
        assertThat(documented.journeys.userModel.horizon).isEqualTo(defaults.userModel.horizon)
                .isEqualTo(Duration.ofDays(90));
        String head = "source:\n  kafka:\n    bootstrap-servers: k:9092\noutputs:\n  jdbc:\n    enabled: false\n";
        JobConfig ok = JobConfig.parse(head + "journeys:\n  min-state-support: 0\n  user-model:\n"
                + "    half-life: 7d\n    horizon: 30d\n", "job.yaml");
        assertThat(ok.journeys.minStateSupport).isZero();
        assertThat(ok.journeys.userModel.halfLife).isEqualTo(Duration.ofDays(7));
        assertThat(ok.journeys.userModel.horizon).isEqualTo(Duration.ofDays(30));
        String bad = head + "journeys:\n  min-state-support: -1\n  user-model:\n    half-life: 0s\n"
                + "    horizon: 0d\n";
        assertThatThrownBy(() -> JobConfig.parse(bad, "job.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.yaml line 8, field journeys.min-state-support: must be at least 0, was -1")
                .hasMessageContaining("job.yaml line 10, field journeys.user-model.half-life: must be positive, was 0s")
                .hasMessageContaining("job.yaml line 11, field journeys.user-model.horizon: must be positive");
    }

    @Test
    void patternsSectionIsValidated() {
        String yaml = "source:\n  kafka:\n    bootstrap-servers: k:9092\npatterns:\n  files: [a.yaml]\n"
                + "  max-window: 0s\noutputs:\n  jdbc:\n    enabled: false\n";
        assertThatThrownBy(() -> JobConfig.parse(yaml, "job.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("job.yaml line 6, field patterns.max-window: must be positive, was 0s");
        JobConfig c = JobConfig.parse(yaml.replace("0s", "2d"), "job.yaml");
        assertThat(c.patterns.files).containsExactly("a.yaml");
        assertThat(c.patterns.maxWindow).isEqualTo(Duration.ofDays(2));
    }

    @Test
    void untilIsAnInstantForFileSourcesOnly() {
        String files = "source:\n  type: files\n  files:\n    paths: [a.jsonl]\n    until: %s\n"
                + "outputs:\n  kafka:\n    enabled: false\n  jdbc:\n    enabled: false\n";
        assertThat(JobConfig.parse(String.format(files, "2019-10-01T12:00:00Z"), "job.yaml").source.files.until)
                .isEqualTo(Instant.parse("2019-10-01T12:00:00Z"));
        assertThat(JobConfig.parse(String.format(files, "2019-10-01T14:00:00.5+02:00"), "job.yaml").source.files.until)
                .isEqualTo(Instant.parse("2019-10-01T12:00:00.500Z"));
        assertThat(JobConfig.parse(String.format(files, "1569931200000"), "job.yaml").source.files.until)
                .isEqualTo(Instant.parse("2019-10-01T12:00:00Z"));
        assertThat(JobConfig.parse(files.replace("    until: %s\n", ""), "job.yaml").source.files.until).isNull();
        assertThatThrownBy(() -> JobConfig.parse(String.format(files, "2019-10-01T12:00:00"), "job.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.yaml line 5, field source.files.until: must be an ISO-8601 instant with a"
                        + " zone (2019-10-01T12:00:00Z) or epoch milliseconds (1569931200000), was"
                        + " '2019-10-01T12:00:00', which has no zone (add Z or an offset)");
        assertThatThrownBy(() -> JobConfig.parse(String.format(files, "yesterday"), "job.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.yaml line 5, field source.files.until: must be an ISO-8601 instant")
                .hasMessageContaining("was 'yesterday'");
        String kafka = "source:\n  kafka:\n    bootstrap-servers: k:9092\n  files:\n    until: 1569931200000\n"
                + "outputs:\n  jdbc:\n    enabled: false\n";
        assertThatThrownBy(() -> JobConfig.parse(kafka, "job.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("job.yaml line 5, field source.files.until: only for a file source (source.type: files);"
                        + " a Kafka source has no end");
    }

    @Test
    void anUnknownFieldFailsWithLineAndField() {
        String yaml = "source:\n  kafka:\n    bootstrap-servers: k:9092\n    topik: events\n";
        assertThatThrownBy(() -> JobConfig.parse(yaml, "job.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.yaml line 4")
                .hasMessageContaining("topik");
    }

    @Test
    void aBadDurationFailsWithLineAndField() {
        String yaml = "source:\n  kafka:\n    bootstrap-servers: k:9092\ncart-abandonment:\n  timeout: soon\n";
        assertThatThrownBy(() -> JobConfig.parse(yaml, "job.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.yaml line 5")
                .hasMessageContaining("cart-abandonment.timeout")
                .hasMessageContaining("'soon' is not a duration");
    }

    @Test
    void invalidValuesAreAllReportedWithTheirLines() {
        String yaml = String.join("\n",
                "source:",
                "  kafka:",
                "    bootstrap-servers: k:9092",
                "cart-abandonment:",
                "  timeout: 0s",
                "outputs:",
                "  jdbc:",
                "    url: mysql://db/x",
                "");
        assertThatThrownBy(() -> JobConfig.parse(yaml, "job.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.yaml line 5, field cart-abandonment.timeout: must be positive")
                .hasMessageContaining("job.yaml line 8, field outputs.jdbc.url: must be a PostgreSQL JDBC URL");
    }

    @Test
    void theDefaultsMatchTheDocumentedExample() {
        JobConfig defaults = new JobConfig();
        assertThat(defaults.highValueBrowsing.minViews).isEqualTo(3);
        assertThat(defaults.highValueBrowsing.minPrice).isEqualTo(500.0);
        assertThat(defaults.highValueBrowsing.window).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void highValueBrowsingThresholdsAreReadAndValidatedWithTheirLines() {
        String ok = "source:\n  kafka:\n    bootstrap-servers: k:9092\nhigh-value-browsing:\n  min-views: 4\n"
                + "  min-price: 249.5\n  window: 30m\noutputs:\n  jdbc:\n    enabled: false\n";
        JobConfig c = JobConfig.parse(ok, "job.yaml");
        assertThat(c.highValueBrowsing.minViews).isEqualTo(4);
        assertThat(c.highValueBrowsing.minPrice).isEqualTo(249.5);
        assertThat(c.highValueBrowsing.window).isEqualTo(Duration.ofMinutes(30));

        String bad = String.join("\n",
                "source:",
                "  kafka:",
                "    bootstrap-servers: k:9092",
                "high-value-browsing:",
                "  min-views: 0",
                "  min-price: -1",
                "  window: 0s",
                "");
        assertThatThrownBy(() -> JobConfig.parse(bad, "job.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.yaml line 5, field high-value-browsing.min-views: must be at least 1, was 0")
                .hasMessageContaining("job.yaml line 6, field high-value-browsing.min-price: must be a number of at least")
                .hasMessageContaining("job.yaml line 7, field high-value-browsing.window: must be positive");

        String mistyped = "source:\n  kafka:\n    bootstrap-servers: k:9092\nhigh-value-browsing:\n  min-price: lots\n";
        assertThatThrownBy(() -> JobConfig.parse(mistyped, "job.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.yaml line 5")
                .hasMessageContaining("high-value-browsing.min-price");
    }

    @Test
    void parserNumberBoundsHaveDefaultsAndAreReadAndValidatedWithTheirLines() {
        assertThat(new JobConfig().parser.maxPrice).as("on by default").isEqualTo(1e12);
        assertThat(new JobConfig().parser.maxQuantity).isEqualTo(1_000_000);
        JobConfig shipped = JobConfig.load(repoRoot().resolve("flink-conf/job.yaml"));
        assertThat(shipped.parser.maxPrice).isEqualTo(1e12);
        assertThat(shipped.parser.maxQuantity).isEqualTo(1_000_000);
        String head = "source:\n  kafka:\n    bootstrap-servers: k:9092\noutputs:\n  jdbc:\n    enabled: false\n";
        JobConfig c = JobConfig.parse(head + "parser:\n  max-price: 1e9\n  max-quantity: 1000000\n", "job.yaml");
        assertThat(c.parser.maxPrice).isEqualTo(1e9);
        assertThat(c.parser.maxQuantity).isEqualTo(1_000_000);
        assertThatThrownBy(() -> JobConfig.parse(head + "parser:\n  max-price: 0\n  max-quantity: 0\n", "job.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.yaml line 8, field parser.max-price: must be a positive number, was 0.0")
                .hasMessageContaining("job.yaml line 9, field parser.max-quantity: must be at least 1, was 0");
    }

    @Test
    void theSegmentsTopicIsReadAndRequiredWhenKafkaOutputIsOn() {
        String yaml = String.join("\n",
                "source:",
                "  kafka:",
                "    bootstrap-servers: k:9092",
                "outputs:",
                "  kafka:",
                "    segments-topic: SEGMENTS",
                "  jdbc:",
                "    enabled: false",
                "");
        assertThat(JobConfig.parse(yaml, "job.yaml").outputs.kafka.segmentsTopic).isEqualTo("SEGMENTS");
        assertThatThrownBy(() -> JobConfig.parse(yaml.replace("SEGMENTS", "\"\""), "job.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.yaml line 6, field outputs.kafka.segments-topic: required");
        String off = yaml.replace("segments-topic: SEGMENTS", "enabled: false\n    segments-topic: \"\"");
        assertThat(JobConfig.parse(off, "job.yaml").outputs.kafka.enabled).isFalse();
    }

    @Test
    void aMissingRequiredFieldIsNamed() {
        assertThatThrownBy(() -> JobConfig.parse("outputs:\n  jdbc:\n    enabled: false\n", "job.yaml"))
                .hasMessageContaining("field source.kafka.bootstrap-servers: required");
    }

    @Test
    void secretsInTheFileAreRefused() {
        String yaml = String.join("\n",
                "source:",
                "  kafka:",
                "    bootstrap-servers: k:9092",
                "    properties:",
                "      sasl.jaas.config: \"org.apache…password=hunter2\"",
                "outputs:",
                "  jdbc:",
                "    url: jdbc:postgresql://db/x?password=hunter2",
                "");
        assertThatThrownBy(() -> JobConfig.parse(yaml, "job.yaml"))
                .hasMessageContaining("field source.kafka.properties: 'sasl.jaas.config' looks like a secret")
                .hasMessageContaining("field outputs.jdbc.url: must not carry a password")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    }

    @Test
    void aSyntaxErrorNamesTheLine() {
        assertThatThrownBy(() -> JobConfig.parse("source:\n  kafka: [unclosed\n", "job.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("job.yaml line");
    }

    @Test
    void durationsParseInTheDocumentedForms() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("30 min")).isEqualTo(Duration.ofMinutes(30));
        assertThat(Durations.parse("24h")).isEqualTo(Duration.ofHours(24));
        assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(Durations.parse("PT30M")).isEqualTo(Duration.ofMinutes(30));
        assertThat(Durations.format(Duration.ofMinutes(30))).isEqualTo("30m");
    }

    private static final String KAFKA = "source:\n  kafka:\n    bootstrap-servers: k:9092\n";
    private static final String NO_JDBC = "outputs:\n  jdbc:\n    enabled: false\n";

    @Test
    void withoutAVelocitySectionTheFourDefaultRulesApply() {
        JobConfig c = JobConfig.parse(KAFKA + NO_JDBC, "job.yaml");
        assertThat(c.velocity.enabled).isTrue();
        assertThat(c.velocity.rules).isNull();
        assertThat(c.velocity.effectiveRules()).containsExactlyElementsOf(VelocityRule.defaults());
        assertThat(c.velocity.effectiveRules()).extracting(r -> r.ruleId).containsExactly(
                VelocityRule.LOGIN_FAILED_PER_USER, VelocityRule.PAYMENT_FAILED_PER_CARD,
                VelocityRule.DISTINCT_USERS_PER_DEVICE, VelocityRule.PURCHASES_PER_IP);

        JobConfig enabledOnly = JobConfig.parse(KAFKA + NO_JDBC + "velocity:\n  enabled: true\n", "job.yaml");
        assertThat(enabledOnly.velocity.effectiveRules()).containsExactlyElementsOf(VelocityRule.defaults());
    }

    @Test
    void velocityCanBeTurnedOff() {
        JobConfig c = JobConfig.parse(KAFKA + NO_JDBC + "velocity:\n  enabled: false\n", "job.yaml");
        assertThat(c.velocity.enabled).isFalse();
        assertThat(c.velocity.effectiveRules()).isEmpty();
    }

    @Test
    void aValidRulesListReplacesTheDefaults() {
        String yaml = String.join("\n",
                "source:",
                "  kafka:",
                "    bootstrap-servers: k:9092",
                "velocity:",
                "  rules:",
                "    - rule-id: many-failed-logins",
                "      version: 3",
                "      event-types: [login_failed]",
                "      dimension: user",
                "      aggregate: count",
                "      comparison: \">=\"",
                "      threshold: 5",
                "      window: 10m",
                "      severity: high",
                "      cooldown: 0s",
                "    - rule-id: big-spender-card",
                "      event-types: [purchase, checkout]",
                "      dimension: card",
                "      aggregate: sum",
                "      field: price",
                "      comparison: \">\"",
                "      threshold: 999.99",
                "      window: 1h",
                "    - rule-id: users-per-ip",
                "      event-types: [login, login_failed]",
                "      dimension: IP",
                "      aggregate: distinct_count",
                "      field: user_id",
                "      threshold: 10",
                "      window: 24h",
                "");
        List<VelocityRule> rules = JobConfig.parse(yaml + NO_JDBC, "job.yaml").velocity.effectiveRules();
        assertThat(rules).containsExactly(
                VelocityRule.of("many-failed-logins", 3, EnumSet.of(EventType.LOGIN_FAILED),
                        VelocityRule.Dimension.USER, VelocityRule.Aggregate.COUNT, null, VelocityRule.Comparison.GTE,
                        5, Duration.ofMinutes(10), VelocityRule.Severity.HIGH, Duration.ZERO),
                VelocityRule.of("big-spender-card", 1, EnumSet.of(EventType.PURCHASE, EventType.CHECKOUT),
                        VelocityRule.Dimension.CARD, VelocityRule.Aggregate.SUM, VelocityField.PRICE,
                        VelocityRule.Comparison.GT, 999.99, Duration.ofHours(1), VelocityRule.Severity.MEDIUM, null),
                VelocityRule.of("users-per-ip", 1, EnumSet.of(EventType.LOGIN, EventType.LOGIN_FAILED),
                        VelocityRule.Dimension.IP, VelocityRule.Aggregate.DISTINCT_COUNT, VelocityField.USER_ID,
                        VelocityRule.Comparison.GTE, 10, Duration.ofHours(24), VelocityRule.Severity.MEDIUM, null));
        assertThat(rules.get(0).effectiveCooldownMs()).isZero();
        assertThat(rules.get(1).effectiveCooldownMs()).as("default cool-down: the window").isEqualTo(3_600_000L);
    }

    @Test
    void aBadRuleIsReportedWithItsLineAndField() {
        String yaml = String.join("\n",
                "source:",                                   // 1
                "  kafka:",                                  // 2
                "    bootstrap-servers: k:9092",             // 3
                "velocity:",                                 // 4
                "  rules:",                                  // 5
                "    - rule-id: ok-rule",                    // 6
                "      event-types: [login_failed]",         // 7
                "      dimension: user",                     // 8
                "      aggregate: count",                    // 9
                "      threshold: 5",                        // 10
                "      window: 10m",                         // 11
                "    - rule-id: also-ok",                    // 12
                "      event-types: [payment_failed]",       // 13
                "      dimension: card",                     // 14
                "      aggregate: count",                    // 15
                "      threshold: 3",                        // 16
                "      window: 1h",                          // 17
                "    - rule-id: broken",                     // 18
                "      event-types: [login_failed, logn]",   // 19
                "      dimension: device",                   // 20
                "      aggregate: distinct_count",           // 21
                "      field: price",                        // 22
                "      threshold: 2.5",                      // 23
                "      window: 400d",                        // 24
                "    - rule-id: ok-rule",                    // 25
                "      event-types: [login]",                // 26
                "      dimension: user",                     // 27
                "      aggregate: count",                    // 28
                "      threshold: 5",                        // 29
                "",                                          // no window
                "");
        assertThatThrownBy(() -> JobConfig.parse(yaml, "job.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.yaml line 19, field velocity.rules[2].event-types: unknown event type 'logn'")
                .hasMessageContaining("job.yaml line 22, field velocity.rules[2].field: DISTINCT_COUNT needs a text"
                        + " field")
                .hasMessageContaining("job.yaml line 23, field velocity.rules[2].threshold: a count threshold must be"
                        + " a whole number, was 2.5")
                .hasMessageContaining("job.yaml line 24, field velocity.rules[2].window: must be at most 366d, was 400d")
                .hasMessageContaining("job.yaml line 25, field velocity.rules[3].rule-id: 'ok-rule' is already the id"
                        + " of velocity.rules[0]")
                .hasMessageContaining("job.yaml line 25, field velocity.rules[3].window: required")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("rules[0].", "rules[1]."));
    }

    @Test
    void aMistypedRuleValueIsReportedWithItsLineAndField() {
        String yaml = KAFKA + String.join("\n",
                "velocity:",                          // 4
                "  rules:",                           // 5
                "    - rule-id: r1",                  // 6
                "      event-types: [login_failed]",  // 7
                "      dimension: user",              // 8
                "      aggregate: count",             // 9
                "      threshold: 5",                 // 10
                "      window: 10m",                  // 11
                "    - rule-id: r2",                  // 12
                "      event-types: [login_failed]",  // 13
                "      dimension: person",            // 14
                "");
        assertThatThrownBy(() -> JobConfig.parse(yaml, "job.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.yaml line 14, field velocity.rules[1].dimension");

        String badThreshold = KAFKA + "velocity:\n  rules:\n    - rule-id: r1\n      event-types: [login_failed]\n"
                + "      dimension: user\n      aggregate: count\n      threshold: 0\n      window: 10m\n"
                + "      comparison: \"=\"\n";
        assertThatThrownBy(() -> JobConfig.parse(badThreshold, "job.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.yaml line 10, field velocity.rules[0].threshold: must be > 0")
                .hasMessageContaining("job.yaml line 12, field velocity.rules[0].comparison: must be \">=\" or \">\"");
    }

    @Test
    void anEmptyRulesListWithoutAControlTopicIsRefusedRatherThanSilentlyRunningNothing() {
        String noControl = KAFKA + "    control-topic: \"\"\n";
        assertThatThrownBy(() -> JobConfig.parse(noControl + "velocity:\n  rules: []\n", "job.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.yaml line 6, field velocity.rules: an empty list and no control topic");
    }

    @Test
    void withAControlTopicAnEmptyRulesListMeansEveryRuleComesLive() {
        JobConfig c = JobConfig.parse(KAFKA + NO_JDBC + "velocity:\n  rules: []\n", "job.yaml");
        assertThat(c.controlTopic()).isEqualTo("control");
        assertThat(c.velocity.effectiveRules()).isEmpty();
    }

    @Test
    void theControlTopicDefaultsToControlAndAnEmptyNameOrAFileSourceTurnsItOff() {
        assertThat(new JobConfig().source.kafka.controlTopic).isEqualTo("control");
        assertThat(JobConfig.parse(KAFKA + NO_JDBC, "job.yaml").controlTopic()).isEqualTo("control");
        assertThat(JobConfig.parse(KAFKA + "    control-topic: rules.live\n" + NO_JDBC, "job.yaml").controlTopic())
                .isEqualTo("rules.live");
        assertThat(JobConfig.parse(KAFKA + "    control-topic: \"\"\n" + NO_JDBC, "job.yaml").controlTopic())
                .isNull();
        assertThat(JobConfig.parse(KAFKA + "    control-topic:\n" + NO_JDBC, "job.yaml").controlTopic()).isNull();
        JobConfig files = new JobConfig();
        files.source.type = JobConfig.SourceType.FILES;
        assertThat(files.controlTopic()).isNull();
    }

    @Test
    void aRuleSpecReportsEveryProblemWithTheConfigFieldNames() {
        VelocityRuleSpec spec = new VelocityRuleSpec();
        spec.ruleId = "bad id";
        spec.eventTypes = List.of("login", "logon");
        spec.aggregate = VelocityRule.Aggregate.SUM;
        spec.threshold = 5.0;
        spec.window = Duration.ofDays(400);
        List<String> errors = new java.util.ArrayList<>();
        spec.toValidRule(errors);
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("event-types: unknown event type 'logon'"))
                .anySatisfy(e -> assertThat(e).startsWith("rule-id: 1-128 characters"))
                .anySatisfy(e -> assertThat(e).startsWith("dimension: required"))
                .anySatisfy(e -> assertThat(e).startsWith("field: SUM needs a numeric field"))
                .contains("window: must be at most 366d, was 400d")
                .hasSize(5);
    }

    // ------------------------------------------------------------------ privacy

    private static final String HEAD =
            "source:\n  kafka:\n    bootstrap-servers: k:9092\noutputs:\n  jdbc:\n    enabled: false\n";

    @Test
    void privacyIsOffByDefaultWithEveryFieldAndHashedIps() {
        JobConfig documented = JobConfig.load(repoRoot().resolve("flink-conf/job.yaml"));
        assertThat(documented.privacy.pseudonymize).isFalse();
        assertThat(documented.privacy.fields).containsExactly("user", "anonymous", "device", "card", "ip");
        assertThat(documented.privacy.ip).isEqualTo(io.journeycep.pipeline.privacy.Pseudonymizer.IpMode.HASH);
        assertThat(documented.privacy.deadLetterRaw).isTrue();
        assertThat(documented.pseudonymizer()).isNull();
    }

    @Test
    void aKeyInClearIsRefusedWithoutEchoingIt() {
        String yaml = HEAD + "privacy:\n  pseudonymize: true\n  key: my-very-secret-hmac-key-0123456789abcdef\n";
        assertThatThrownBy(() -> JobConfig.parse(yaml, "job.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("job.yaml line 9, field privacy.key: the key never goes in the config file; name an"
                        + " environment variable (key-env) or a file (key-file) that holds it")
                .message().doesNotContain("my-very-secret");
    }

    @Test
    void privacySettingsAreValidatedWithTheirLines() {
        String yaml = HEAD + "privacy:\n  pseudonymize: true\n  ip: truncate\n  fields: [user, email]\n";
        assertThatThrownBy(() -> JobConfig.parse(yaml, "job.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.yaml line 7, field privacy.key-env: pseudonymize needs a key")
                .hasMessageContaining("job.yaml line 10, field privacy.fields[1]: unknown field 'email'; known: "
                        + "[user, anonymous, device, card, ip]");
        assertThatThrownBy(() -> JobConfig.parse(HEAD + "privacy:\n  ip: scramble\n", "job.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.yaml line 8")
                .hasMessageContaining("privacy.ip");
    }

    @Test
    void theKeyIsReadAtStartAndAMissingEmptyOrShortKeyFailsNamingTheField(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path shortKey = Files.writeString(dir.resolve("short.key"), "too-short-secret-value\n");
        Path empty = Files.writeString(dir.resolve("empty.key"), "\n");
        Path good = Files.writeString(dir.resolve("good.key"), "0123456789abcdef0123456789abcdef\nignored\n");
        String base = HEAD + "privacy:\n  pseudonymize: true\n  ip: truncate\n  fields: [user, ip]\n";

        JobConfig ok = JobConfig.parse(base + "  key-file: " + good + "\n", "job.yaml");
        io.journeycep.pipeline.privacy.Pseudonymizer p = ok.pseudonymizer();
        assertThat(p.pseudonym(io.journeycep.pipeline.privacy.Pseudonymizer.Field.USER, "u-42"))
                .isEqualTo("p1:IGXtEJTKLmVbjA3aFApBbg");
        assertThat(p.fields()).containsExactlyInAnyOrder(io.journeycep.pipeline.privacy.Pseudonymizer.Field.USER,
                io.journeycep.pipeline.privacy.Pseudonymizer.Field.IP);
        assertThat(ok.toString()).contains("key-file: \"" + good).doesNotContain("0123456789abcdef");

        assertThatThrownBy(() -> JobConfig.parse(base + "  key-file: " + shortKey + "\n", "job.yaml").pseudonymizer())
                .isInstanceOf(ConfigException.class)
                .hasMessage("privacy.key-file: the pseudonymization key is 22 bytes; at least 32 are needed"
                        + " (e.g. openssl rand -base64 48)")
                .message().doesNotContain("too-short");
        assertThatThrownBy(() -> JobConfig.parse(base + "  key-file: " + empty + "\n", "job.yaml").pseudonymizer())
                .hasMessageStartingWith("privacy.key-file: the pseudonymization key is empty");
        assertThatThrownBy(() -> JobConfig.parse(base + "  key-file: " + dir.resolve("nope") + "\n", "job.yaml")
                .pseudonymizer())
                .hasMessageStartingWith("privacy.key-file: cannot read secret file");
        assertThatThrownBy(() -> JobConfig.parse(base + "  key-env: JOURNEY_TEST_SURELY_UNSET_KEY\n", "job.yaml")
                .pseudonymizer())
                .hasMessage("privacy.key-env: environment variable JOURNEY_TEST_SURELY_UNSET_KEY is not set");
    }
}
