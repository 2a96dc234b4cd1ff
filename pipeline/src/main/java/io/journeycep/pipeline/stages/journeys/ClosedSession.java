package io.journeycep.pipeline.stages.journeys;

import java.util.ArrayList;
import java.util.List;

/** A closed session that is long enough to be scored: what its PATH_ANOMALY alert would show. */
public class ClosedSession {
    public String sessionKey;
    public String userKey;
    /** The source's session id, or null when the session came from the gap rule. */
    public String sessionId;
    public long firstTime;
    public long lastTime;
    public long closeTime;
    /** All transitions, START → … → EXIT. */
    public long transitions;
    /** How many distinct transition pairs (how many answers the scorer waits for). */
    public int distinctPairs;
    /** The path's first states (START, types…, EXIT when it fits), at most the configured max path length. */
    public List<String> path = new ArrayList<>();
    /** Ids of the session's first events, at most max path length - 1. */
    public List<String> eventIds = new ArrayList<>();
    /** Whether {@link #path} is only the beginning of the session's path. */
    public boolean truncated;
    /**
     * The user's own model for each distinct pair, before this session was added (decayed to {@link #closeTime}),
     * in (from, to) order: shown beside the global model in the alert's evidence.
     */
    public List<UserPairCount> userPairs = new ArrayList<>();
    /** Watermarks the scorer has waited for missing answers (see {@code PathScorer}). */
    public int scoreWaits;

    public ClosedSession() {}
}
