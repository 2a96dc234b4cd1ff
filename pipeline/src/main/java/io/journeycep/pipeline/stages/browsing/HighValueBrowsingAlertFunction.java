package io.journeycep.pipeline.stages.browsing;

import io.journeycep.patterns.browsing.BrowsingStep;
import io.journeycep.patterns.browsing.HighValueBrowsingPattern;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertIds;
import io.journeycep.sinks.AlertKind;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns one matched run of high-value views into one explainable HIGH_VALUE_BROWSING alert (DESIGN §3).
 *
 * <ul>
 *   <li>{@code score} = the number of qualifying views in the match, {@code threshold} = {@code min-views};
 *   <li>{@code window_start} = the first view, {@code window_end} = the first view + the window: the interval the
 *       views had to fall in (both ends inclusive), not the time the alert fired;
 *   <li>{@code event_time} = the view that completed the match (the alert fires then, not at the window's end);
 *   <li>evidence: the views' event ids, and as JSON their item ids and prices (same order), {@code min_price} and
 *       {@code window_ms};
 *   <li>{@code alert_id} is deterministic ({@link AlertIds}: kind, rule, version, user, view ids).
 * </ul>
 */
public class HighValueBrowsingAlertFunction extends PatternProcessFunction<BrowsingStep, Alert> {
    private static final long serialVersionUID = 1L;
    public static final String RULE_ID = HighValueBrowsingPattern.NAME;
    public static final int RULE_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int minViews;
    private final double minPrice;
    private final long windowMillis;

    public HighValueBrowsingAlertFunction(HighValueBrowsingPattern pattern) {
        this.minViews = pattern.minViews();
        this.minPrice = pattern.minPrice();
        this.windowMillis = pattern.window().toMillis();
    }

    @Override
    public void processMatch(Map<String, List<BrowsingStep>> match, Context ctx, Collector<Alert> out) {
        out.collect(toAlert(match.get(HighValueBrowsingPattern.VIEWS), ctx.currentProcessingTime()));
    }

    Alert toAlert(List<BrowsingStep> views, long detectedAt) {
        BrowsingStep first = views.get(0);
        BrowsingStep last = views.get(views.size() - 1);

        List<String> evidenceIds = new ArrayList<>(views.size());
        ObjectNode evidence = JSON.createObjectNode();
        ArrayNode items = evidence.putArray("item_ids");
        ArrayNode prices = evidence.putArray("prices");
        for (BrowsingStep view : views) {
            evidenceIds.add(view.eventId);
            items.add(view.itemId);
            prices.add(view.price);
        }
        evidence.put("min_price", minPrice);
        evidence.put("window_ms", windowMillis);

        Alert alert = new Alert();
        alert.kind = AlertKind.HIGH_VALUE_BROWSING;
        alert.ruleId = RULE_ID;
        alert.ruleVersion = RULE_VERSION;
        alert.subjectKey = first.userKey;
        alert.score = views.size();
        alert.threshold = minViews;
        alert.windowStart = first.timestamp;
        alert.windowEnd = first.timestamp + windowMillis;
        alert.eventTime = last.timestamp;
        alert.evidenceEventIds = evidenceIds;
        alert.evidenceJson = evidence.toString();
        alert.detectedAt = detectedAt;
        alert.alertId = AlertIds.of(alert.kind, alert.ruleId, alert.ruleVersion, alert.subjectKey, evidenceIds);
        return alert;
    }
}
