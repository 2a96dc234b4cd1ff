package io.journeycep.pipeline.stages.abandonment;

import io.journeycep.patterns.cart.CartAbandonmentPattern;
import io.journeycep.patterns.cart.CartStep;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertIds;
import io.journeycep.sinks.AlertKind;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns one matched cart episode into one explainable CART_ABANDONED alert (DESIGN §3): the cart items, the viewed
 * items and the event ids as evidence, {@code window_start} = the first cart add, {@code window_end} = the deadline
 * (last cart add + timeout), and a deterministic id.
 */
public class AbandonmentAlertFunction extends PatternProcessFunction<CartStep, Alert> {
    private static final long serialVersionUID = 1L;
    public static final String RULE_ID = CartAbandonmentPattern.NAME;
    public static final int RULE_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final long timeoutMillis;

    public AbandonmentAlertFunction(Duration timeout) {
        this.timeoutMillis = timeout.toMillis();
    }

    @Override
    public void processMatch(Map<String, List<CartStep>> match, Context ctx, Collector<Alert> out) {
        List<CartStep> carts = new ArrayList<>(match.getOrDefault(CartAbandonmentPattern.CARTS, List.of()));
        carts.addAll(match.get(CartAbandonmentPattern.LAST_CART));
        out.collect(toAlert(carts, ctx.currentProcessingTime()));
    }

    Alert toAlert(List<CartStep> carts, long detectedAt) {
        CartStep first = carts.get(0);
        CartStep last = carts.get(carts.size() - 1);

        List<String> evidenceIds = new ArrayList<>(List.of(first.viewEventIds));
        ObjectNode evidence = JSON.createObjectNode();
        ArrayNode cartItems = evidence.putArray("cart_items");
        double cartValue = 0;
        for (CartStep cart : carts) {
            evidenceIds.add(cart.eventId);
            cartItems.add(cart.itemId);
            if (cart.price != null) {
                cartValue += cart.price;
            }
        }
        evidence.put("cart_value", cartValue);
        ArrayNode viewedItems = evidence.putArray("viewed_items");
        for (String item : first.viewItemIds) {
            viewedItems.add(item);
        }
        ArrayNode viewIds = evidence.putArray("view_event_ids");
        for (String id : first.viewEventIds) {
            viewIds.add(id);
        }
        evidence.put("timeout_ms", timeoutMillis);

        Alert alert = new Alert();
        alert.kind = AlertKind.CART_ABANDONED;
        alert.ruleId = RULE_ID;
        alert.ruleVersion = RULE_VERSION;
        alert.subjectKey = first.userKey;
        alert.score = carts.size();
        alert.threshold = 1;
        alert.windowStart = first.timestamp;
        alert.windowEnd = last.timestamp + timeoutMillis;
        alert.eventTime = alert.windowEnd;
        alert.evidenceEventIds = evidenceIds;
        alert.evidenceJson = evidence.toString();
        alert.detectedAt = detectedAt;
        alert.alertId = AlertIds.of(alert.kind, alert.ruleId, alert.ruleVersion, alert.subjectKey, evidenceIds);
        return alert;
    }
}
