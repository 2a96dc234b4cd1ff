package io.journeycep.patterns.velocity;

import java.math.BigDecimal;
import java.util.List;

/**
 * A velocity rule's aggregate crossed its threshold for one key: the explanation an alert carries (DESIGN §3).
 *
 * @param ruleId          the rule
 * @param ruleVersion     the rule version that fired
 * @param value           the aggregate over the window (count, distinct count or exact sum)
 * @param threshold       the rule's threshold
 * @param comparison      how {@code value} was compared with {@code threshold}
 * @param windowStart     first instant of the window, {@code eventTime − window}, inclusive (epoch ms)
 * @param windowEnd       last instant of the window, the crossing's event time, inclusive (epoch ms)
 * @param eventTime       the event time at which the aggregate crossed (= {@code windowEnd})
 * @param evidenceEventIds the ids of the events in the window, event-time order, the latest
 *                        {@value SlidingWindowAggregate#MAX_EVIDENCE} at most (distinct counts: the latest
 *                        occurrence of each value)
 * @param distinctValues  {@code DISTINCT_COUNT}: the distinct values in the window (sorted, at most
 *                        {@value VelocityDetector#MAX_DISTINCT_VALUES}); empty otherwise
 */
public record VelocityCrossing(
        String ruleId,
        int ruleVersion,
        BigDecimal value,
        double threshold,
        VelocityRule.Comparison comparison,
        long windowStart,
        long windowEnd,
        long eventTime,
        List<String> evidenceEventIds,
        List<String> distinctValues) {

    public VelocityCrossing {
        evidenceEventIds = List.copyOf(evidenceEventIds);
        distinctValues = List.copyOf(distinctValues);
    }
}
