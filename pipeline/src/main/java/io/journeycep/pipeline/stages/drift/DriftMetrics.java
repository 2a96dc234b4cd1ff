package io.journeycep.pipeline.stages.drift;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertKind;

import java.io.Serializable;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Which metrics an event or an alert contributes to, and how a bucket's sums become a value (README "Drift"):
 *
 * <ul>
 *   <li>{@code rate.<type>}: events of that type in the bucket (numerator only); an empty bucket is 0.
 *   <li>{@code conversion}: purchases / views in the bucket.
 *   <li>{@code abandonment}: CART_ABANDONED alerts whose event time (the episode's timeout) falls in the bucket /
 *       cart adds in the bucket.
 *   <li>{@code aov}: sum of purchase prices / purchases with a price, in the bucket.
 * </ul>
 *
 * A ratio with a zero denominator has no value for that bucket. Segments (a later issue) hook in here: a segmented
 * metric is the same contribution under a name with the segment appended.
 */
public final class DriftMetrics implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String RATE_PREFIX = "rate.";
    public static final String CONVERSION = "conversion";
    public static final String ABANDONMENT = "abandonment";
    public static final String AOV = "aov";

    private final long bucketMillis;
    private final boolean rate;
    private final boolean conversion;
    private final boolean abandonment;
    private final boolean aov;
    private final Set<EventType> rateTypes;

    public DriftMetrics(JobConfig.Drift config) {
        this.bucketMillis = config.bucket.toMillis();
        List<String> m = config.metrics;
        this.rate = m.contains("rate");
        this.conversion = m.contains(CONVERSION);
        this.abandonment = m.contains(ABANDONMENT);
        this.aov = m.contains(AOV);
        EnumSet<EventType> types = EnumSet.noneOf(EventType.class);
        if (config.rateTypes == null || config.rateTypes.isEmpty()) {
            types = EnumSet.allOf(EventType.class);
        } else {
            for (String t : config.rateTypes) {
                types.add(EventType.fromWireName(t));
            }
        }
        this.rateTypes = types;
    }

    public long bucketStart(long time) {
        return Math.floorDiv(time, bucketMillis) * bucketMillis;
    }

    public long bucketMillis() {
        return bucketMillis;
    }

    /** Whether the alert stream is needed (abandonment). */
    public boolean needsAlerts() {
        return abandonment;
    }

    /** An event's contributions, to {@code out}. */
    public void contributions(JourneyEvent e, java.util.function.Consumer<MetricPartial> out) {
        if (e.type == null) {
            return;
        }
        long b = bucketStart(e.timestamp);
        if (rate && rateTypes.contains(e.type)) {
            out.accept(new MetricPartial(RATE_PREFIX + e.type.wireName(), b, 1, 0));
        }
        switch (e.type) {
            case VIEW -> {
                if (conversion) {
                    out.accept(new MetricPartial(CONVERSION, b, 0, 1));
                }
            }
            case PURCHASE -> {
                if (conversion) {
                    out.accept(new MetricPartial(CONVERSION, b, 1, 0));
                }
                if (aov && e.price != null && Double.isFinite(e.price)) {
                    out.accept(new MetricPartial(AOV, b, e.price, 1));
                }
            }
            case CART_ADD -> {
                if (abandonment) {
                    out.accept(new MetricPartial(ABANDONMENT, b, 0, 1));
                }
            }
            default -> { }
        }
    }

    /** An alert's contribution: a CART_ABANDONED alert counts towards abandonment at its event time. */
    public void contributions(Alert a, java.util.function.Consumer<MetricPartial> out) {
        if (abandonment && a.kind == AlertKind.CART_ABANDONED) {
            out.accept(new MetricPartial(ABANDONMENT, bucketStart(a.eventTime), 1, 0));
        }
    }

    /** Whether the metric is a rate (an empty bucket is 0) rather than a ratio (an empty bucket has no value). */
    public static boolean isRate(String metric) {
        return metric.startsWith(RATE_PREFIX);
    }

    /** The bucket's value, or NaN when it has none (a ratio over nothing). */
    public static double value(String metric, MetricPartial sum) {
        if (isRate(metric)) {
            return sum == null ? 0.0 : sum.numerator;
        }
        if (sum == null || sum.denominator == 0) {
            return Double.NaN;
        }
        return sum.numerator / sum.denominator;
    }

    /** The floor of the baseline standard deviation of a metric. */
    public static double minStddev(JobConfig.MinStddev floors, String metric) {
        if (isRate(metric)) {
            return floors.rate;
        }
        return switch (metric) {
            case CONVERSION -> floors.conversion;
            case ABANDONMENT -> floors.abandonment;
            default -> floors.aov;
        };
    }
}
