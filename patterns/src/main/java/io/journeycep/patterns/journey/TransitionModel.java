package io.journeycep.patterns.journey;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * First-order Markov transition counts and {@code P(to | from)} with additive (Laplace) smoothing:
 * {@code P = (count(from, to) + α) / (total(from) + α·K)}, {@code K} = {@link JourneyStates#TARGETS}' size, so an
 * unseen transition has a small non-zero probability and every row sums to 1. Plain Java; the Flink stage keeps one
 * row per from-state in keyed state and the rows of the model it scores against here.
 */
public final class TransitionModel {
    private final double alpha;
    private final Map<String, Map<String, Long>> counts = new HashMap<>();
    private final Map<String, Long> totals = new HashMap<>();

    /** @param alpha the smoothing pseudo-count ({@code > 0}) */
    public TransitionModel(double alpha) {
        if (!(alpha > 0) || !Double.isFinite(alpha)) {
            throw new IllegalArgumentException("smoothing alpha must be > 0, was " + alpha);
        }
        this.alpha = alpha;
    }

    /** Adds {@code n} observations of {@code from → to}. */
    public void add(String from, String to, long n) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (n < 0) {
            throw new IllegalArgumentException("a count cannot be negative: " + n);
        }
        counts.computeIfAbsent(from, f -> new HashMap<>()).merge(to, n, Long::sum);
        totals.merge(from, n, Long::sum);
    }

    /** Adds every transition of a path ({@code START → … → EXIT}). */
    public void addPath(List<String> path) {
        for (int i = 1; i < path.size(); i++) {
            add(path.get(i - 1), path.get(i), 1);
        }
    }

    public long count(String from, String to) {
        Map<String, Long> row = counts.get(from);
        return row == null ? 0 : row.getOrDefault(to, 0L);
    }

    public long total(String from) {
        return totals.getOrDefault(from, 0L);
    }

    /** The smoothed {@code P(to | from)}. */
    public double probability(String from, String to) {
        return (count(from, to) + alpha) / (total(from) + alpha * JourneyStates.TARGETS.size());
    }

    /** How a path scores against this model: per step the probability and counts used, and the mean NLL. */
    public PathScore score(List<String> path) {
        List<PathScore.Step> steps = new ArrayList<>();
        double nll = 0;
        for (int i = 1; i < path.size(); i++) {
            String from = path.get(i - 1);
            String to = path.get(i);
            double p = probability(from, to);
            nll -= Math.log(p);
            steps.add(new PathScore.Step(from, to, p, count(from, to), total(from)));
        }
        return new PathScore(steps, steps.isEmpty() ? 0.0 : nll / steps.size());
    }
}
