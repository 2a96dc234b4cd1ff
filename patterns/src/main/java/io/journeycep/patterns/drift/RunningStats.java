package io.journeycep.patterns.drift;

/**
 * Count, mean and variance of a series in one pass (Welford's algorithm: numerically stable, no sum of squares).
 * A Flink POJO, so it can live in keyed state as it is.
 */
public class RunningStats {
    public long count;
    public double mean;
    /** Sum of squared deviations from the mean. */
    public double m2;

    public RunningStats() {}

    public void add(double x) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("not a finite number: " + x);
        }
        count++;
        double delta = x - mean;
        mean += delta / count;
        m2 += delta * (x - mean);
    }

    /** Sample variance (n − 1); 0 with fewer than two values. */
    public double variance() {
        return count < 2 ? 0.0 : m2 / (count - 1);
    }

    public double stddev() {
        return Math.sqrt(variance());
    }

    public void reset() {
        count = 0;
        mean = 0.0;
        m2 = 0.0;
    }

    @Override
    public String toString() {
        return "RunningStats{n=" + count + " mean=" + mean + " sd=" + stddev() + '}';
    }
}
