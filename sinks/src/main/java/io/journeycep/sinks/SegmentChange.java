package io.journeycep.sinks;

import java.util.Objects;

/**
 * One ENTER or EXIT of a user in a behavioral segment (DESIGN §3, §4): a row of {@code segment_changes} (history,
 * keyed by the deterministic {@link #changeId}), an upsert (ENTER) or delete (EXIT) of {@code segment_membership},
 * and a message on {@code segment.updates} keyed by user. A Flink POJO.
 */
public class SegmentChange {
    /** {@link AlertIds#ofSegmentChange}: a hash of user, segment, action, rule version and event time. */
    public String changeId;
    /** The user key (the user id, or {@code anon:<anonymous id>}). */
    public String userId;
    /** The segment id, e.g. {@code HIGH_VALUE}, {@code CHURN_RISK_30}, {@code RFM_545}. */
    public String segment;
    public SegmentAction action;
    /** Why, in words a marketer can read: the condition and the values that made it true or false. */
    public String reason;
    /** Version of the segment definition that decided it. */
    public int ruleVersion;
    /** Event time of the change (the event, or the timer that moved time past a boundary), epoch ms. */
    public long eventTime;
    /** When the user entered the segment (for ENTER, {@link #eventTime}; for EXIT, the matching ENTER's). */
    public long enteredAt;
    /** Wall-clock time the job decided it, epoch ms. */
    public long detectedAt;

    public SegmentChange() {}

    public static SegmentChange of(String userId, String segment, SegmentAction action, String reason,
            int ruleVersion, long eventTime, long enteredAt, long detectedAt) {
        SegmentChange c = new SegmentChange();
        c.userId = userId;
        c.segment = segment;
        c.action = action;
        c.reason = reason;
        c.ruleVersion = ruleVersion;
        c.eventTime = eventTime;
        c.enteredAt = enteredAt;
        c.detectedAt = detectedAt;
        c.changeId = AlertIds.ofSegmentChange(userId, segment, action, ruleVersion, eventTime);
        return c;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SegmentChange)) {
            return false;
        }
        SegmentChange that = (SegmentChange) o;
        return ruleVersion == that.ruleVersion && eventTime == that.eventTime && enteredAt == that.enteredAt
                && detectedAt == that.detectedAt && Objects.equals(changeId, that.changeId)
                && Objects.equals(userId, that.userId) && Objects.equals(segment, that.segment)
                && action == that.action && Objects.equals(reason, that.reason);
    }

    @Override
    public int hashCode() {
        return Objects.hash(changeId, userId, segment, action, reason, ruleVersion, eventTime, enteredAt, detectedAt);
    }

    @Override
    public String toString() {
        return "SegmentChange{" + action + ' ' + userId + ' ' + segment + " v" + ruleVersion + " @" + eventTime
                + " (" + reason + ")}";
    }
}
