package io.journeycep.pipeline.stages.journeys;

/** The scalar part of a user's open session (its path and transition pairs are in their own keyed state). */
public class OpenSession {
    public String sessionKey;
    public String sessionId;
    public long firstTime;
    public long lastTime;
    public String lastState;
    public long transitions;
    /** States kept in the path state so far (at most the max path length). */
    public int pathLength;
    /** The gap timer registered for this session (lastTime + gap + 1), so it can be moved and deleted. */
    public long gapTimer;

    public OpenSession() {}
}
