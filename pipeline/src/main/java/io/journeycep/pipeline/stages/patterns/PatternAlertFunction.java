package io.journeycep.pipeline.stages.patterns;

import io.journeycep.patterns.spec.BuiltInPatterns;
import io.journeycep.patterns.spec.PatternSpec;
import io.journeycep.patterns.spec.SpecStep;
import io.journeycep.patterns.spec.StepSpec;
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
import java.util.Locale;
import java.util.Map;

/**
 * Turns one match of a compiled pattern spec into one explainable alert; {@code rule_id} = the spec's id,
 * {@code rule_version} = its version, {@code alert_id} deterministic ({@link AlertIds}). The content depends on the
 * spec's kind:
 *
 * <ul>
 *   <li><b>CART_ABANDONED</b>: the cart episode. Evidence: the views before its first cart add and the cart adds'
 *       ids, as JSON the cart items, cart value, viewed items, view ids and {@code timeout_ms}; {@code window_start}
 *       = the first cart add, {@code window_end} = {@code event_time} = the last cart add + the timeout; {@code score}
 *       = cart adds, {@code threshold} 1.
 *   <li><b>HIGH_VALUE_BROWSING</b>: the run of views. Evidence: their ids, as JSON their items and prices,
 *       {@code min_price} and {@code window_ms}; {@code window_start} = the first view, {@code window_end} = it +
 *       the window (the interval the views had to fall in), {@code event_time} = the view that completed the match;
 *       {@code score} = views, {@code threshold} = {@code min-views}.
 *   <li><b>JOURNEY_PATTERN, RISK_PATTERN</b> (user-defined): the matched events per step. Evidence: the
 *       {@code starts-after} events and the matched events' ids, as JSON the pattern id and description, per step
 *       its events (id, type, time, item, price), the negated steps, the window; {@code window_start} = the first
 *       event, {@code window_end} = first + within ({@code first-and-last}) or last + within
 *       ({@code previous-and-current}); {@code event_time} = {@code window_end} when the pattern ends in a negation
 *       (it completes when the window closes), else the last event; {@code score} = matched events,
 *       {@code threshold} = the fewest events a match can have.
 * </ul>
 */
public class PatternAlertFunction extends PatternProcessFunction<SpecStep, Alert> {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PatternSpec spec;
    private final AlertKind kind;
    private final List<String> positiveSteps = new ArrayList<>();

    public PatternAlertFunction(PatternSpec spec) {
        this.spec = spec;
        this.kind = AlertKind.valueOf(spec.kind.name());
        for (StepSpec s : spec.steps) {
            if (!s.negate) {
                positiveSteps.add(s.name);
            }
        }
    }

    @Override
    public void processMatch(Map<String, List<SpecStep>> match, Context ctx, Collector<Alert> out) {
        out.collect(toAlert(match, ctx.currentProcessingTime()));
    }

    /** The alert for a match (step name → its events, as CEP gives it). */
    public Alert toAlert(Map<String, List<SpecStep>> match, long detectedAt) {
        List<SpecStep> events = new ArrayList<>();
        for (String step : positiveSteps) {
            events.addAll(match.getOrDefault(step, List.of()));
        }
        Alert alert = new Alert();
        alert.kind = kind;
        alert.ruleId = spec.id;
        alert.ruleVersion = spec.version;
        alert.subjectKey = events.get(0).userKey;
        alert.detectedAt = detectedAt;
        switch (kind) {
            case CART_ABANDONED:
                cartAbandoned(alert, events);
                break;
            case HIGH_VALUE_BROWSING:
                highValueBrowsing(alert, events);
                break;
            default:
                userPattern(alert, match);
        }
        alert.alertId = AlertIds.of(alert.kind, alert.ruleId, alert.ruleVersion, alert.subjectKey,
                alert.evidenceEventIds);
        return alert;
    }

    private void cartAbandoned(Alert alert, List<SpecStep> carts) {
        long timeoutMillis = spec.within.toMillis();
        SpecStep first = carts.get(0);
        SpecStep last = carts.get(carts.size() - 1);
        List<String> evidenceIds = new ArrayList<>(List.of(first.priorEventIds));
        ObjectNode evidence = JSON.createObjectNode();
        ArrayNode cartItems = evidence.putArray("cart_items");
        double cartValue = 0;
        for (SpecStep cart : carts) {
            evidenceIds.add(cart.eventId);
            cartItems.add(cart.itemId);
            if (cart.price != null) {
                cartValue += cart.price;
            }
        }
        if (Double.isFinite(cartValue)) {
            evidence.put("cart_value", cartValue);
        } else {
            // only with a parser.max-price near Double.MAX_VALUE: the exact sum, never "Infinity"
            java.math.BigDecimal exact = java.math.BigDecimal.ZERO;
            for (SpecStep cart : carts) {
                if (cart.price != null) {
                    exact = exact.add(java.math.BigDecimal.valueOf(cart.price));
                }
            }
            evidence.put("cart_value", exact);
        }
        ArrayNode viewedItems = evidence.putArray("viewed_items");
        for (String item : first.priorItemIds) {
            viewedItems.add(item);
        }
        ArrayNode viewIds = evidence.putArray("view_event_ids");
        for (String id : first.priorEventIds) {
            viewIds.add(id);
        }
        evidence.put("timeout_ms", timeoutMillis);

        alert.score = carts.size();
        alert.threshold = 1;
        alert.windowStart = first.timestamp;
        alert.windowEnd = last.timestamp + timeoutMillis;
        alert.eventTime = alert.windowEnd;
        alert.evidenceEventIds = evidenceIds;
        alert.evidenceJson = evidence.toString();
    }

    private void highValueBrowsing(Alert alert, List<SpecStep> views) {
        long windowMillis = spec.within.toMillis();
        SpecStep first = views.get(0);
        SpecStep last = views.get(views.size() - 1);
        List<String> evidenceIds = new ArrayList<>(views.size());
        ObjectNode evidence = JSON.createObjectNode();
        ArrayNode items = evidence.putArray("item_ids");
        ArrayNode prices = evidence.putArray("prices");
        for (SpecStep view : views) {
            evidenceIds.add(view.eventId);
            items.add(view.itemId);
            prices.add(view.price);
        }
        Double minPrice = BuiltInPatterns.minPrice(spec);
        if (minPrice != null) {
            evidence.put("min_price", minPrice);
        }
        evidence.put("window_ms", windowMillis);

        alert.score = views.size();
        alert.threshold = minEvents();
        alert.windowStart = first.timestamp;
        alert.windowEnd = first.timestamp + windowMillis;
        alert.eventTime = last.timestamp;
        alert.evidenceEventIds = evidenceIds;
        alert.evidenceJson = evidence.toString();
    }

    private void userPattern(Alert alert, Map<String, List<SpecStep>> match) {
        long withinMillis = spec.within.toMillis();
        ObjectNode evidence = JSON.createObjectNode();
        evidence.put("pattern", spec.id);
        if (spec.description != null) {
            evidence.put("description", spec.description);
        }
        List<String> evidenceIds = new ArrayList<>();
        SpecStep first = null;
        SpecStep last = null;
        ArrayNode steps = evidence.putArray("steps");
        for (String name : positiveSteps) {
            List<SpecStep> events = match.getOrDefault(name, List.of());
            ObjectNode step = steps.addObject();
            step.put("step", name);
            ArrayNode list = step.putArray("events");
            for (SpecStep e : events) {
                if (first == null) {
                    first = e;
                    for (String prior : e.priorEventIds) {
                        evidenceIds.add(prior);
                    }
                    if (e.hasPrior()) {
                        ArrayNode priors = evidence.putArray("starts_after_event_ids");
                        for (String prior : e.priorEventIds) {
                            priors.add(prior);
                        }
                    }
                }
                last = e;
                evidenceIds.add(e.eventId);
                ObjectNode ev = list.addObject();
                ev.put("id", e.eventId);
                ev.put("type", e.type == null ? null : e.type.wireName());
                ev.put("ts", e.timestamp);
                if (e.itemId != null) {
                    ev.put("item", e.itemId);
                }
                if (e.price != null) {
                    ev.put("price", e.price);
                }
            }
        }
        ArrayNode negated = evidence.putArray("not_followed_by");
        for (StepSpec s : spec.steps) {
            if (s.negate) {
                negated.add(s.name + ": " + s.match);
            }
        }
        evidence.put("within_ms", withinMillis);
        evidence.put("within_type", spec.withinType.name().toLowerCase(Locale.ROOT).replace('_', '-'));

        boolean firstAndLast = spec.withinType == PatternSpec.WithinType.FIRST_AND_LAST;
        alert.score = evidenceIds.size() - first.priorEventIds.length;
        alert.threshold = minEvents();
        alert.windowStart = first.timestamp;
        alert.windowEnd = (firstAndLast ? first.timestamp : last.timestamp) + withinMillis;
        alert.eventTime = spec.steps.get(spec.steps.size() - 1).negate ? alert.windowEnd : last.timestamp;
        alert.evidenceEventIds = evidenceIds;
        alert.evidenceJson = evidence.toString();
    }

    /** The fewest events a match of the spec can have. */
    private int minEvents() {
        int n = 0;
        for (StepSpec s : spec.steps) {
            if (!s.negate && !s.optional) {
                n += s.times == null ? 1 : s.times.min;
            }
        }
        return n;
    }
}
