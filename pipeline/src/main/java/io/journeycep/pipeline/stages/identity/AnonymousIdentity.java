package io.journeycep.pipeline.stages.identity;

import java.util.Objects;

/**
 * What {@link IdentityStitcher} keeps per anonymous id: the user it is linked to (if any), and the bookkeeping of the
 * anonymous events it holds for the journeys and of its two timers. A Flink POJO.
 */
public class AnonymousIdentity {
    /** Not a timer: no timer of that kind is registered. */
    public static final long NO_TIMER = Long.MIN_VALUE;

    /** The linked user id, or {@code null} while the anonymous id is not linked. */
    public String userId;
    /** Event time of the link to {@link #userId} (the earliest link event to that user seen). */
    public long linkedAt = Long.MIN_VALUE;
    /** The latest event time seen for this anonymous id (the link's TTL counts from here). */
    public long lastSeen = Long.MIN_VALUE;
    /** The link's expiry timer ({@code lastSeen + link-ttl + 1} when it was registered), or {@link #NO_TIMER}. */
    public long expiryTimer = NO_TIMER;
    /** Anonymous events held in the pending list for the journeys. */
    public int pending;
    /** The latest event time among the held events. */
    public long pendingLastTime = Long.MIN_VALUE;
    /** The release timer ({@code pendingLastTime + session gap + 1}), or {@link #NO_TIMER}. */
    public long releaseTimer = NO_TIMER;

    public AnonymousIdentity() {}

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AnonymousIdentity)) {
            return false;
        }
        AnonymousIdentity that = (AnonymousIdentity) o;
        return lastSeen == that.lastSeen && linkedAt == that.linkedAt && expiryTimer == that.expiryTimer && pending == that.pending
                && pendingLastTime == that.pendingLastTime && releaseTimer == that.releaseTimer
                && Objects.equals(userId, that.userId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(userId, linkedAt, lastSeen, expiryTimer, pending, pendingLastTime, releaseTimer);
    }
}
