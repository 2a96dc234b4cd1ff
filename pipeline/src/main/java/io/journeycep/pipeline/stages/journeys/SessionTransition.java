package io.journeycep.pipeline.stages.journeys;

/**
 * One distinct {@code from → to} transition of a closed session and how often the session made it, sent to the
 * {@link TransitionCounter} of its from-state. {@code closeTime} (event time) and {@code sessionKey} order the
 * sessions the counters count: each scored session is answered with the counts of the sessions before it.
 */
public class SessionTransition {
    public String sessionKey;
    public String userKey;
    public long closeTime;
    public String from;
    public String to;
    public long occurrences;
    /** Whether the session is long enough to be scored: only then the counter answers before counting. */
    public boolean scored;

    public SessionTransition() {}

    @Override
    public String toString() {
        return "SessionTransition{" + sessionKey + " @" + closeTime + ' ' + from + "->" + to + " x" + occurrences
                + (scored ? " scored" : "") + '}';
    }
}
