package io.journeycep.patterns.journey;

import java.util.List;

/**
 * A path scored against a {@link TransitionModel}: each transition with its smoothed probability and the model
 * counts behind it (what a PATH_ANOMALY alert shows), and the mean negative log-likelihood per transition.
 */
public record PathScore(List<Step> steps, double meanNegativeLogLikelihood) {

    public record Step(String from, String to, double probability, long count, long fromTotal) {}

    public int transitions() {
        return steps.size();
    }

    /** DESIGN §3: anomalous when there are at least {@code minTransitions} and the mean NLL exceeds the threshold. */
    public boolean isAnomalous(int minTransitions, double threshold) {
        return steps.size() >= minTransitions && meanNegativeLogLikelihood > threshold;
    }
}
