package io.journeycep.pipeline.stages.journeys;

/**
 * A {@link TransitionCounter}'s answer for one transition pair of a scored session: the model's counts before the
 * session was counted and the smoothed probability.
 */
public class TransitionAnswer {
    public String sessionKey;
    public long closeTime;
    public String from;
    public String to;
    public long occurrences;
    public long count;
    public long fromTotal;
    public double probability;

    public TransitionAnswer() {}

    @Override
    public String toString() {
        return "TransitionAnswer{" + sessionKey + ' ' + from + "->" + to + " x" + occurrences + " p=" + probability
                + " (" + count + '/' + fromTotal + ")}";
    }
}
