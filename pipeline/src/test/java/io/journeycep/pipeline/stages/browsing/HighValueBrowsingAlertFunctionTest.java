package io.journeycep.pipeline.stages.browsing;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.EventType;
import io.journeycep.patterns.browsing.BrowsingStep;
import io.journeycep.patterns.browsing.HighValueBrowsingPattern;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertIds;
import io.journeycep.sinks.AlertKind;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

class HighValueBrowsingAlertFunctionTest {
    private static final long MIN = 60_000L;

    private static BrowsingStep view(String id, long ts, String item, double price) {
        BrowsingStep s = new BrowsingStep();
        s.eventId = id;
        s.type = EventType.VIEW;
        s.userKey = "u1";
        s.timestamp = ts;
        s.itemId = item;
        s.price = price;
        return s;
    }

    @Test
    void theAlertExplainsTheMatch() throws Exception {
        HighValueBrowsingAlertFunction f =
                new HighValueBrowsingAlertFunction(new HighValueBrowsingPattern(3, 500, Duration.ofHours(1)));
        List<BrowsingStep> views = List.of(
                view("e1", 1_000, "tv", 600), view("e2", 1_000 + 10 * MIN, "laptop", 500),
                view("e3", 1_000 + 45 * MIN, "camera", 999.5));
        Alert a = f.toAlert(views, 42);

        assertThat(a.kind).isEqualTo(AlertKind.HIGH_VALUE_BROWSING);
        assertThat(a.ruleId).isEqualTo("high-value-browsing");
        assertThat(a.ruleVersion).isEqualTo(1);
        assertThat(a.subjectKey).isEqualTo("u1");
        assertThat(a.score).isEqualTo(3.0);
        assertThat(a.threshold).isEqualTo(3.0);
        assertThat(a.windowStart).isEqualTo(1_000);
        assertThat(a.windowEnd).as("first view + window").isEqualTo(1_000 + 60 * MIN);
        assertThat(a.eventTime).as("the view that completed the match").isEqualTo(1_000 + 45 * MIN);
        assertThat(a.detectedAt).isEqualTo(42);
        assertThat(a.evidenceEventIds).containsExactly("e1", "e2", "e3");
        JsonNode evidence = new ObjectMapper().readTree(a.evidenceJson);
        assertThat(evidence.path("item_ids").toString()).isEqualTo("[\"tv\",\"laptop\",\"camera\"]");
        assertThat(evidence.path("prices").toString()).isEqualTo("[600.0,500.0,999.5]");
        assertThat(evidence.path("min_price").asDouble()).isEqualTo(500.0);
        assertThat(evidence.path("window_ms").asLong()).isEqualTo(60 * MIN);
        assertThat(a.alertId).isEqualTo(AlertIds.of(a)).hasSize(32);

        Alert again = f.toAlert(views, 99);
        assertThat(again.alertId).as("deterministic: detection time is not part of the id").isEqualTo(a.alertId);
    }
}
