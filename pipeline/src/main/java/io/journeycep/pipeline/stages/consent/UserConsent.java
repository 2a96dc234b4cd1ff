package io.journeycep.pipeline.stages.consent;

import java.util.Arrays;

/**
 * One user's consent, the consent guest's slice of the user's value: the changes in event-time order (equal times in
 * arrival order), each different from the one before it. Only the latest change at or before the pass's previous
 * watermark and those after it are kept, at most {@link ConsentGuest#MAX_CHANGES}, so a trigger gets the consent in
 * force at its own event time whatever the order its inputs and the watermark arrived in. A Flink POJO.
 */
public class UserConsent {
    public ConsentChange[] changes = new ConsentChange[0];
    /** The latest event time of an event that carried consent: the slice is dropped the retention after it. */
    public long lastSeen = Long.MIN_VALUE;

    public UserConsent() {}

    /** The change in force at {@code time}, or {@code null} when the user had no consent yet then. */
    ConsentChange at(long time) {
        ConsentChange found = null;
        for (ConsentChange c : changes) {
            if (c.timestamp > time) {
                break;
            }
            found = c;
        }
        return found;
    }

    /** Adds a change after those at or before its time, and drops any change equal to its predecessor's. */
    void add(ConsentChange change) {
        int at = 0;
        while (at < changes.length && changes[at].timestamp <= change.timestamp) {
            at++;
        }
        ConsentChange[] next = new ConsentChange[changes.length + 1];
        System.arraycopy(changes, 0, next, 0, at);
        next[at] = change;
        System.arraycopy(changes, at, next, at + 1, changes.length - at);
        changes = withoutRepeats(next);
        lastSeen = Math.max(lastSeen, change.timestamp);
    }

    /**
     * Forgets the changes superseded before {@code bound} (all but the latest at or before it) and, beyond
     * {@code maxChanges}, the oldest ones.
     */
    void forgetBefore(long bound, int maxChanges) {
        int latestBefore = -1;
        for (int i = 0; i < changes.length && changes[i].timestamp <= bound; i++) {
            latestBefore = i;
        }
        int from = Math.max(Math.max(latestBefore, 0), changes.length - maxChanges);
        if (from > 0) {
            changes = Arrays.copyOfRange(changes, from, changes.length);
        }
    }

    private static ConsentChange[] withoutRepeats(ConsentChange[] all) {
        int n = 0;
        ConsentChange[] kept = new ConsentChange[all.length];
        for (ConsentChange c : all) {
            if (n == 0 || !Arrays.equals(kept[n - 1].granted, c.granted)) {
                kept[n++] = c;
            }
        }
        return n == all.length ? all : Arrays.copyOf(kept, n);
    }
}
