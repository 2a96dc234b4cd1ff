package io.journeycep.pipeline.stages.journeys;

/**
 * The user's own model ({@link io.journeycep.patterns.journey.UserTransitionModel}) for one distinct pair of a closed
 * session, as it was before the session was added: the decayed count of the pair and of all the user's transitions
 * from its from-state, at the session's close time.
 */
public class UserPairCount {
    public String from;
    public String to;
    public double count;
    public double fromTotal;

    public UserPairCount() {}

    public UserPairCount(String from, String to, double count, double fromTotal) {
        this.from = from;
        this.to = to;
        this.count = count;
        this.fromTotal = fromTotal;
    }

    @Override
    public String toString() {
        return from + ">" + to + " " + count + "/" + fromTotal;
    }
}
