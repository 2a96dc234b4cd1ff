package io.journeycep.pipeline.stages.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.EventType;
import io.journeycep.patterns.spec.BuiltInPatterns;
import io.journeycep.patterns.spec.PatternSpecReader;
import io.journeycep.patterns.spec.SpecStep;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertIds;
import io.journeycep.sinks.AlertKind;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The alert content per kind: the built-ins keep theirs; user patterns get the generic explanation. */
class PatternAlertFunctionTest {
    private static final long MIN = 60_000L;

    private static SpecStep step(String id, EventType type, long ts, String item, Double price) {
        SpecStep s = new SpecStep();
        s.eventId = id;
        s.type = type;
        s.userKey = "u1";
        s.timestamp = ts;
        s.itemId = item;
        s.price = price;
        return s;
    }

    @Test
    void highValueBrowsingExplainsTheViews() throws Exception {
        PatternAlertFunction f = new PatternAlertFunction(
                BuiltInPatterns.highValueBrowsing(3, 500, Duration.ofHours(1)));
        List<SpecStep> views = List.of(
                step("e1", EventType.VIEW, 1_000, "tv", 600.0), step("e2", EventType.VIEW, 1_000 + 10 * MIN, "laptop",
                        500.0), step("e3", EventType.VIEW, 1_000 + 45 * MIN, "camera", 999.5));
        Alert a = f.toAlert(Map.of(BuiltInPatterns.VIEWS, views), 42);

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

        Alert again = f.toAlert(Map.of(BuiltInPatterns.VIEWS, views), 99);
        assertThat(again.alertId).as("deterministic: detection time is not part of the id").isEqualTo(a.alertId);
    }

    @Test
    void cartAbandonedExplainsTheEpisode() throws Exception {
        PatternAlertFunction f = new PatternAlertFunction(
                BuiltInPatterns.cartAbandonment(Duration.ofMinutes(30), Duration.ofMinutes(30)));
        SpecStep c1 = step("c1", EventType.CART_ADD, 10 * MIN, "p1", 20.0);
        c1.priorEventIds = new String[] {"v1", "v2"};
        c1.priorItemIds = new String[] {"p1", "p9"};
        SpecStep c2 = step("c2", EventType.CART_ADD, 25 * MIN, "p2", 5.5);
        Alert a = f.toAlert(Map.of("carts", List.of(c1), "lastCart", List.of(c2)), 7);

        assertThat(a.kind).isEqualTo(AlertKind.CART_ABANDONED);
        assertThat(a.ruleId).isEqualTo("cart-abandonment");
        assertThat(a.evidenceEventIds).containsExactly("v1", "v2", "c1", "c2");
        assertThat(a.score).isEqualTo(2.0);
        assertThat(a.threshold).isEqualTo(1.0);
        assertThat(a.windowStart).isEqualTo(10 * MIN);
        assertThat(a.windowEnd).isEqualTo(55 * MIN);
        assertThat(a.eventTime).isEqualTo(55 * MIN);
        assertThat(a.evidenceJson).isEqualTo("{\"cart_items\":[\"p1\",\"p2\"],\"cart_value\":25.5,"
                + "\"viewed_items\":[\"p1\",\"p9\"],\"view_event_ids\":[\"v1\",\"v2\"],\"timeout_ms\":1800000}");
        assertThat(a.alertId).isEqualTo(AlertIds.of(a));
    }

    /**
     * Default bounds (parser.max-price) keep sums finite; a shop that lifts the bound to near Double.MAX_VALUE still
     * never sees "Infinity" as a cart value: the evidence has the exact sum.
     */
    @Test
    void aCartValueBeyondDoubleRangeIsTheExactSumNeverInfinity() throws Exception {
        PatternAlertFunction f = new PatternAlertFunction(
                BuiltInPatterns.cartAbandonment(Duration.ofMinutes(30), Duration.ofMinutes(30)));
        SpecStep c1 = step("c1", EventType.CART_ADD, 10 * MIN, "p1", 1.7e308);
        c1.priorEventIds = new String[] {"v1"};
        c1.priorItemIds = new String[] {"p1"};
        SpecStep c2 = step("c2", EventType.CART_ADD, 25 * MIN, "p2", 1.7e308);
        Alert a = f.toAlert(Map.of("carts", List.of(c1), "lastCart", List.of(c2)), 7);
        assertThat(a.evidenceJson).doesNotContain("Infinity");
        JsonNode value = new ObjectMapper()
                .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .readTree(a.evidenceJson).path("cart_value");
        assertThat(value.isNumber()).isTrue();
        assertThat(value.decimalValue()).isEqualByComparingTo(new java.math.BigDecimal("3.4e308"));
    }

    @Test
    void aUserPatternListsTheMatchedEventsPerStep() throws Exception {
        PatternAlertFunction f = new PatternAlertFunction(PatternSpecReader.read(
                Path.of("..", "rules", "examples", "checkout-payment-failed.yaml")).patterns.get(0));
        Alert a = f.toAlert(Map.of(
                "checkout", List.of(step("c", EventType.CHECKOUT, 0, "basket", 120.0)),
                "failed", List.of(step("f", EventType.PAYMENT_FAILED, 2 * MIN, null, null))), 5);
        assertThat(a.kind).isEqualTo(AlertKind.JOURNEY_PATTERN);
        assertThat(a.ruleId).isEqualTo("checkout-payment-failed");
        assertThat(a.evidenceEventIds).containsExactly("c", "f");
        assertThat(a.score).isEqualTo(2.0);
        assertThat(a.threshold).isEqualTo(2.0);
        assertThat(a.windowStart).isZero();
        assertThat(a.windowEnd).isEqualTo(15 * MIN);
        assertThat(a.eventTime).isEqualTo(15 * MIN);
        assertThat(a.evidenceJson).isEqualTo("{\"pattern\":\"checkout-payment-failed\",\"description\":\"A checkout,"
                + " then a failed payment, and no purchase within 15 minutes of the checkout\",\"steps\":["
                + "{\"step\":\"checkout\",\"events\":[{\"id\":\"c\",\"type\":\"checkout\",\"ts\":0,\"item\":\"basket\","
                + "\"price\":120.0}]},{\"step\":\"failed\",\"events\":[{\"id\":\"f\",\"type\":\"payment_failed\","
                + "\"ts\":120000}]}],\"not_followed_by\":[\"no-purchase: purchase\"],\"within_ms\":900000,"
                + "\"within_type\":\"first-and-last\"}");
    }
}
