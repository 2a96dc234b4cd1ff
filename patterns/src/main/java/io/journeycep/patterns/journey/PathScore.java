package io.journeycep.patterns.journey;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A path scored against a {@link TransitionModel}: each transition with its smoothed probability and the model
 * counts behind it (what a PATH_ANOMALY alert shows), and the mean negative log-likelihood per transition.
 */
public record PathScore(List<Step> steps, double meanNegativeLogLikelihood) {

    public record Step(String from, String to, double probability, long count, long fromTotal) {}

    /**
     * One distinct transition of a session, how often the session makes it, and the model's answer for it (the
     * streaming job scores a session per distinct pair, so a long session costs at most one answer per pair).
     */
    public record PairScore(String from, String to, long occurrences, double probability, long count, long fromTotal) {}

    public int transitions() {
        return steps.size();
    }

    /** DESIGN §3: anomalous when there are at least {@code minTransitions} and the mean NLL exceeds the threshold. */
    public boolean isAnomalous(int minTransitions, double threshold) {
        return steps.size() >= minTransitions && meanNegativeLogLikelihood > threshold;
    }

    /**
     * The mean NLL per transition over all of a session's transitions, from its distinct pairs:
     * {@code Σ n·(−ln p) / Σ n}; 0 for no transitions. Equal to {@link TransitionModel#score}'s mean for the whole path
     * when the answers come from the same model.
     */
    public static double meanNegativeLogLikelihood(List<PairScore> pairs) {
        double nll = 0;
        long n = 0;
        for (PairScore p : pairs) {
            nll -= p.occurrences() * Math.log(p.probability());
            n += p.occurrences();
        }
        return n == 0 ? 0.0 : nll / n;
    }

    /**
     * The steps of {@code shownPath} (a session's path, possibly only its first states) with the answers of
     * {@code pairs}, and the mean NLL over all the pairs' transitions (the whole session, not only what is shown).
     *
     * @throws IllegalArgumentException when a step of the path has no answer among the pairs
     */
    public static PathScore fromPairs(List<String> shownPath, List<PairScore> pairs) {
        Map<String, PairScore> byPair = new HashMap<>();
        for (PairScore p : pairs) {
            byPair.put(p.from() + '>' + p.to(), p);
        }
        List<Step> steps = new ArrayList<>();
        for (int i = 1; i < shownPath.size(); i++) {
            PairScore p = byPair.get(shownPath.get(i - 1) + '>' + shownPath.get(i));
            if (p == null) {
                throw new IllegalArgumentException(
                        "no answer for " + shownPath.get(i - 1) + " -> " + shownPath.get(i));
            }
            steps.add(new Step(p.from(), p.to(), p.probability(), p.count(), p.fromTotal()));
        }
        return new PathScore(steps, meanNegativeLogLikelihood(pairs));
    }
}
