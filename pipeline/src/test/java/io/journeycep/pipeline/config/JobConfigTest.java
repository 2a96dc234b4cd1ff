package io.journeycep.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

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
        assertThat(c.outputs.jdbc.passwordEnv).isEqualTo("JOURNEY_JDBC_PASSWORD");
        assertThat(c.runtime.stateBackend).isEqualTo(JobConfig.StateBackend.ROCKSDB);
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
}
