package io.journeycep.patterns.segments;

import io.journeycep.model.Durations;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The segment definitions a job runs, plus RFM scoring, and the state horizon: evaluates a user's membership at an
 * event time and says when it can next change with no new event (DESIGN §3).
 *
 * <p>Shipped definitions ({@link #shipped}): NEW_BUYER (first purchase within 30 days), HIGH_VALUE (purchase sum or
 * count within 365 days at least a threshold), LAPSED (purchased within 365 days, none within 180), CART_ABANDONER (a
 * CART_ABANDONED in the last 7 days), CHURN_RISK_30 / _45 / _60 (no activity for 30 / 45 / 60 days, each exclusive of
 * the next), POWER_USER (at least N sessions within 7 days), and the RFM scores as {@code RFM_<r><f><m>}.
 */
public final class SegmentBook implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<SegmentDefinition> definitions;
    private final RfmScoring rfm;
    private final int horizonDays;

    /** @param rfm null for no RFM segments */
    public SegmentBook(List<SegmentDefinition> definitions, RfmScoring rfm, int horizonDays) {
        this.definitions = List.copyOf(definitions);
        this.rfm = rfm;
        int need = rfm == null ? 0 : rfm.windowDays;
        for (SegmentDefinition d : definitions) {
            need = Math.max(need, d.condition.lookbackDays());
        }
        if (horizonDays < need) {
            throw new IllegalArgumentException("horizon " + horizonDays + "d is shorter than a window (" + need + "d)");
        }
        this.horizonDays = horizonDays;
    }

    /** The parameters of the shipped definitions. */
    public static final class Shipped implements Serializable {
        private static final long serialVersionUID = 1L;
        public int newBuyerDays = 30;
        public double highValueSum = 1000;
        public long highValueCount = 10;
        public int highValueDays = 365;
        public int lapsedDays = 180;
        public int cartAbandonerDays = 7;
        public List<Integer> churnDays = List.of(30, 45, 60);
        public long powerUserSessions = 5;
    }

    public static List<SegmentDefinition> shipped(Shipped p) {
        List<String> purchase = List.of("purchase");
        List<SegmentDefinition> out = new ArrayList<>();
        out.add(new SegmentDefinition("NEW_BUYER", 1, "first purchase within " + p.newBuyerDays + " days",
                SegmentConditions.first(purchase, p.newBuyerDays)));
        out.add(new SegmentDefinition("HIGH_VALUE", 1, "purchases worth at least " + p.highValueSum + " or at least "
                + p.highValueCount + " purchases within " + p.highValueDays + " days",
                SegmentConditions.any(
                        SegmentConditions.sumOfPrice(purchase, p.highValueDays, SegmentCondition.Comparison.AT_LEAST,
                                p.highValueSum),
                        SegmentConditions.count(purchase, p.highValueDays, SegmentCondition.Comparison.AT_LEAST,
                                p.highValueCount))));
        out.add(new SegmentDefinition("LAPSED", 1, "purchased within 365 days, none within " + p.lapsedDays,
                SegmentConditions.all(SegmentConditions.hasDone(purchase, 365),
                        SegmentConditions.hasNotDone(purchase, p.lapsedDays))));
        out.add(new SegmentDefinition("CART_ABANDONER", 1, "a CART_ABANDONED within " + p.cartAbandonerDays + " days",
                SegmentConditions.hasDone(List.of("cart_abandoned"), p.cartAbandonerDays)));
        List<Integer> tiers = p.churnDays;
        for (int i = 0; i < tiers.size(); i++) {
            Duration quiet = Duration.ofDays(tiers.get(i));
            SegmentCondition c = SegmentConditions.quietFor(quiet);
            if (i + 1 < tiers.size()) {
                c = SegmentConditions.all(c, SegmentConditions.not(
                        SegmentConditions.quietFor(Duration.ofDays(tiers.get(i + 1)))));
            }
            out.add(new SegmentDefinition("CHURN_RISK_" + tiers.get(i), 1, "no activity for "
                    + Durations.format(quiet) + (i + 1 < tiers.size() ? " (less than " + tiers.get(i + 1) + "d)" : ""),
                    c));
        }
        out.add(new SegmentDefinition("POWER_USER", 1, "at least " + p.powerUserSessions + " sessions within 7 days",
                SegmentConditions.count(List.of("session"), 7, SegmentCondition.Comparison.AT_LEAST,
                        p.powerUserSessions)));
        return out;
    }

    /** The segments the user is in at {@code now}: id → the deciding definition's version (sorted by id). */
    public Map<String, Integer> evaluate(DailyActivity a, long now) {
        Map<String, Integer> in = new TreeMap<>();
        for (SegmentDefinition d : definitions) {
            if (d.condition.test(a, now)) {
                in.put(d.id, d.version);
            }
        }
        if (rfm != null) {
            String s = rfm.segment(a, now);
            if (s != null) {
                in.put(s, RfmScoring.VERSION);
            }
        }
        return in;
    }

    /** Why {@code segment} is or is not held now (the reason of an ENTER or EXIT; computed only for changes). */
    public String explain(String segment, DailyActivity a, long now) {
        if (segment.startsWith(RfmScoring.PREFIX)) {
            return rfm == null ? "RFM scoring is off" : rfm.explain(a, now);
        }
        for (SegmentDefinition d : definitions) {
            if (d.id.equals(segment)) {
                return d.condition.explain(a, now);
            }
        }
        return "the segment is no longer defined";
    }

    /** The earliest time after {@code now} at which some membership can change with no new event. */
    public long nextChange(DailyActivity a, long now) {
        long next = Long.MAX_VALUE;
        for (SegmentDefinition d : definitions) {
            next = Math.min(next, d.condition.nextChange(a, now));
        }
        if (rfm != null) {
            next = Math.min(next, rfm.nextChange(a, now));
        }
        return next;
    }

    /** Days of history kept: state is dropped this long after the user's last activity. */
    public int horizonDays() {
        return horizonDays;
    }

    /** The RFM scoring, or {@code null} when off. */
    public RfmScoring rfm() {
        return rfm;
    }

    public List<SegmentDefinition> definitions() {
        return definitions;
    }
}
