package io.journeycep.sinks;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An explainable alert (DESIGN §3, §4): what fired, on which key, against which threshold, over which window, and
 * the evidence. {@link #alertId} is deterministic (see {@link AlertIds}) so a replay yields the same ids.
 */
public class Alert {
    public String alertId;
    public AlertKind kind;
    public String ruleId;
    public int ruleVersion;
    /** The key the rule ran on: a user id for journey patterns, an ip/device/card for velocity rules. */
    public String subjectKey;
    public double score;
    public double threshold;
    /** Epoch ms. */
    public long windowStart;
    /** Epoch ms. */
    public long windowEnd;
    /** Ids of the events that make the case, in event-time order. */
    public List<String> evidenceEventIds = new ArrayList<>();
    /** Kind-specific evidence as a JSON object (for CART_ABANDONED: cart and viewed items); stored as jsonb. */
    public String evidenceJson;
    /** Event time at which the alert's condition became true (epoch ms). */
    public long eventTime;
    /** Wall-clock time at which the job emitted the alert (epoch ms). Not part of the alert's identity. */
    public long detectedAt;

    public Alert() {}

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Alert)) {
            return false;
        }
        Alert that = (Alert) o;
        return ruleVersion == that.ruleVersion
                && Double.compare(score, that.score) == 0
                && Double.compare(threshold, that.threshold) == 0
                && windowStart == that.windowStart
                && windowEnd == that.windowEnd
                && eventTime == that.eventTime
                && detectedAt == that.detectedAt
                && Objects.equals(alertId, that.alertId)
                && kind == that.kind
                && Objects.equals(ruleId, that.ruleId)
                && Objects.equals(subjectKey, that.subjectKey)
                && Objects.equals(evidenceEventIds, that.evidenceEventIds)
                && Objects.equals(evidenceJson, that.evidenceJson);
    }

    @Override
    public int hashCode() {
        return Objects.hash(alertId, kind, subjectKey, windowStart, windowEnd);
    }

    @Override
    public String toString() {
        return "Alert{" + kind + ' ' + alertId + " key=" + subjectKey + " window=[" + windowStart + ',' + windowEnd
                + "] evidence=" + evidenceEventIds + '}';
    }
}
