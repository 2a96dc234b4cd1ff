package io.journeycep.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.journeycep.pipeline.stages.consent.ConsentSettings;
import io.journeycep.pipeline.stages.groups.GroupSettings;
import io.journeycep.sinks.AlertKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code consent} and {@code groups} sections of the job config (README "Consent", "Segment calls"). */
class ConsentAndGroupsConfigTest {
    private static final String HEAD = "source:\n  kafka:\n    bootstrap-servers: k:9092\noutputs:\n  jdbc:\n"
            + "    enabled: false\n";

    private static Path jobYaml() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("flink-conf/job.yaml"))) {
            p = p.getParent();
        }
        return p.resolve("flink-conf/job.yaml");
    }

    @Test
    void theDefaultsAreWhatTheDocumentedFileSpellsOut() {
        JobConfig documented = JobConfig.load(jobYaml());
        ConsentSettings consent = documented.consent.settings();
        ConsentSettings defaults = new JobConfig().consent.settings();
        assertThat(consent.toString()).isEqualTo(defaults.toString()).isEqualTo(ConsentSettings.defaults().toString());
        assertThat(consent.grantedWithoutConsent()).isTrue();
        assertThat(consent.alertCategories()).containsExactly(Map.entry(AlertKind.CART_ABANDONED, "Marketing"),
                Map.entry(AlertKind.HIGH_VALUE_BROWSING, "Marketing"),
                Map.entry(AlertKind.JOURNEY_PATTERN, "Marketing"));
        assertThat(consent.segmentCategories()).isEmpty();
        assertThat(documented.groups.settings().toString()).isEqualTo(GroupSettings.defaults().toString());
        assertThat(GroupSettings.defaults().traits()).containsExactly("name", "plan", "industry", "employees");
    }

    @Test
    void aKindGivenReplacesItsDefaultOnly() {
        JobConfig c = JobConfig.parse(HEAD + "consent:\n  without-consent: denied\n  alerts:\n"
                + "    high-value-browsing: Ads\n    journey-pattern: \"\"\n    risk-pattern: Security\n"
                + "  segments:\n    CART_ABANDONER: Marketing\n    \"*\": Email\n  retention: 30d\n"
                + "groups:\n  traits: [plan, tier]\n  max-groups: 3\n  max-traits: 5\n  retention: 90d\n", "job.yaml");
        ConsentSettings s = c.consent.settings();
        assertThat(s.grantedWithoutConsent()).isFalse();
        assertThat(s.alertCategories()).containsExactly(Map.entry(AlertKind.CART_ABANDONED, "Marketing"),
                Map.entry(AlertKind.HIGH_VALUE_BROWSING, "Ads"), Map.entry(AlertKind.RISK_PATTERN, "Security"));
        assertThat(s.segmentCategories()).containsExactly(Map.entry("CART_ABANDONER", "Marketing"),
                Map.entry("*", "Email"));
        assertThat(s.retentionMs()).isEqualTo(Duration.ofDays(30).toMillis());
        GroupSettings g = c.groups.settings();
        assertThat(g.traits()).isEqualTo(List.of("plan", "tier"));
        assertThat(g.maxGroups()).isEqualTo(3);
        assertThat(g.maxTraits()).isEqualTo(5);
        assertThat(g.retentionMs()).isEqualTo(Duration.ofDays(90).toMillis());
    }

    @Test
    void badSettingsFailWithTheirLineAndField() {
        String bad = HEAD + "consent:\n  alerts:\n    velocity: Marketing\n    cart-abandonned: Marketing\n"
                + "  retention: 0s\ngroups:\n  traits: [plan, plan]\n  max-groups: 0\n";
        assertThatThrownBy(() -> JobConfig.parse(bad, "job.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.yaml line 9, field consent.alerts.velocity: velocity cannot be gated")
                .hasMessageContaining("job.yaml line 10, field consent.alerts.cart-abandonned: unknown alert kind")
                .hasMessageContaining("job.yaml line 11, field consent.retention: must be positive")
                .hasMessageContaining("field groups.traits[1]: trait names must be non-blank and unique")
                .hasMessageContaining("job.yaml line 14, field groups.max-groups: must be between 1 and 1000");
        assertThatThrownBy(() -> JobConfig.parse(HEAD + "consent:\n  without-consent: maybe\n", "job.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("job.yaml line 8, field consent.without-consent");
    }
}
