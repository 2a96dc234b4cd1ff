package io.journeycep.patterns.journey;

import java.io.Serializable;
import java.util.Objects;

/**
 * When an event starts a new session (DESIGN §3): with explicit session ids, when the id differs from the previous
 * event's; without one, when the event is more than the gap [30 min] after the user's previous event (exactly the gap:
 * same session). Serializable: Flink functions hold one.
 */
public final class SessionBoundary implements Serializable {
    private static final long serialVersionUID = 1L;
    private final long gapMs;

    public SessionBoundary(long gapMs) {
        if (gapMs <= 0) {
            throw new IllegalArgumentException("session gap must be > 0 ms, was " + gapMs);
        }
        this.gapMs = gapMs;
    }

    /**
     * @param previousTs the user's previous event time, or {@code null} if there is none (then: a new session)
     * @param previousSessionId its session id (may be null)
     */
    public boolean startsNewSession(Long previousTs, String previousSessionId, long ts, String sessionId) {
        if (previousTs == null) {
            return true;
        }
        if (sessionId != null || previousSessionId != null) {
            return !Objects.equals(sessionId, previousSessionId);
        }
        return ts - previousTs > gapMs;
    }
}
