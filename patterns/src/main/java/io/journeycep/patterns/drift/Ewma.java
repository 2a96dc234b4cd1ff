package io.journeycep.patterns.drift;

/**
 * Exponentially weighted moving average: {@code level = alpha·x + (1 − alpha)·level}, starting at the first value.
 * A smoothed current level for explanations and dashboards; the change detectors do not depend on it. A Flink POJO.
 */
public class Ewma {
    public double alpha;
    public double level;
    public boolean started;

    public Ewma() {}

    public Ewma(double alpha) {
        if (!(alpha > 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1], was " + alpha);
        }
        this.alpha = alpha;
    }

    public double add(double x) {
        level = started ? alpha * x + (1 - alpha) * level : x;
        started = true;
        return level;
    }
}
