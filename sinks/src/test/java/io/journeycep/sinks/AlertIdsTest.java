package io.journeycep.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertIdsTest {

    @Test
    void sameInputSameIdAcrossCallsAndListImplementations() {
        String a = AlertIds.of(AlertKind.VELOCITY, "r-1", 2, "card:c-1", List.of("e-1", "e-2"));
        String b = AlertIds.of(AlertKind.VELOCITY, "r-1", 2, "card:c-1", new ArrayList<>(Arrays.asList("e-1", "e-2")));
        assertThat(a).isEqualTo(b).hasSize(32).matches("[0-9a-f]{32}");
    }

    @Test
    void pinnedValueSoThatTheEncodingCannotChangeSilently() {
        // Changing this value changes every alert id in every table: replays would then double alerts.
        String id = AlertIds.of(AlertKind.CART_ABANDONED, "cart-abandoned", 1, "u-42", List.of("e-1", "e-2"));
        assertThat(id).isEqualTo(AlertIds.of(AlertKind.CART_ABANDONED, "cart-abandoned", 1, "u-42",
                List.of("e-1", "e-2")));
        assertThat(id).isEqualTo(PINNED);
    }

    private static final String PINNED = "f301b9debb9c12d18becf55baa15a2d9";

    @Test
    void everyComponentChangesTheId() {
        String base = AlertIds.of(AlertKind.VELOCITY, "r-1", 2, "u-1", List.of("e-1", "e-2"));
        assertThat(AlertIds.of(AlertKind.DRIFT, "r-1", 2, "u-1", List.of("e-1", "e-2"))).isNotEqualTo(base);
        assertThat(AlertIds.of(AlertKind.VELOCITY, "r-2", 2, "u-1", List.of("e-1", "e-2"))).isNotEqualTo(base);
        assertThat(AlertIds.of(AlertKind.VELOCITY, "r-1", 3, "u-1", List.of("e-1", "e-2"))).isNotEqualTo(base);
        assertThat(AlertIds.of(AlertKind.VELOCITY, "r-1", 2, "u-2", List.of("e-1", "e-2"))).isNotEqualTo(base);
        assertThat(AlertIds.of(AlertKind.VELOCITY, "r-1", 2, "u-1", List.of("e-1", "e-3"))).isNotEqualTo(base);
        assertThat(AlertIds.of(AlertKind.VELOCITY, "r-1", 2, "u-1", List.of("e-1"))).isNotEqualTo(base);
        assertThat(AlertIds.of(AlertKind.VELOCITY, "r-1", 2, "u-1", List.of("e-2", "e-1"))).isNotEqualTo(base);
        assertThat(AlertIds.of(AlertKind.VELOCITY, "r-1", 2, "u-1", List.of())).isNotEqualTo(base);
    }

    @Test
    void encodingIsUnambiguous() {
        // Naive concatenation would make all of these equal.
        assertThat(AlertIds.of(AlertKind.VELOCITY, "r", 1, "u", List.of("ab", "c")))
                .isNotEqualTo(AlertIds.of(AlertKind.VELOCITY, "r", 1, "u", List.of("a", "bc")));
        assertThat(AlertIds.of(AlertKind.VELOCITY, "r", 1, "u", List.of("x")))
                .isNotEqualTo(AlertIds.of(AlertKind.VELOCITY, "r", 1, "ux", List.of()));
        assertThat(AlertIds.of(AlertKind.VELOCITY, null, 1, "u", List.of()))
                .isNotEqualTo(AlertIds.of(AlertKind.VELOCITY, "", 1, "u", List.of()));
        assertThat(AlertIds.of(AlertKind.VELOCITY, "r", 1, "u", null))
                .isNotEqualTo(AlertIds.of(AlertKind.VELOCITY, "r", 1, "u", List.of()));
    }

    @Test
    void alertOverloadUsesTheAlertsFields() {
        Alert a = PojoSerializationTest.sampleAlert();
        assertThat(AlertIds.of(a))
                .isEqualTo(AlertIds.of(a.kind, a.ruleId, a.ruleVersion, a.subjectKey, a.evidenceEventIds));
        a.detectedAt += 1000; // detection time is not identity
        assertThat(AlertIds.of(a)).isEqualTo(a.alertId);
    }
}
