package io.journeycep.patterns.drift;

/**
 * A two-sided change detector over one metric's series (one value per event-time bucket), in plain Java and a Flink
 * POJO. Subclasses give the statistic ({@link CusumDetector}, {@link PageHinkleyDetector}); this class gives what
 * makes alerts trustworthy rather than flapping:
 *
 * <ul>
 *   <li><b>Warm-up</b>: the first {@link #warmup} values form the baseline (mean and standard deviation, Welford);
 *       no signal fires before it is complete. After it, every value that does not signal keeps refining the
 *       baseline (all values since the last re-baseline count equally), so the estimation error of a short warm-up
 *       does not turn into false alarms on a long stationary run; a shift is still measured against the level
 *       before it, since it signals within a few values of its start. Statistics are in baseline standard deviations, so thresholds do not
 *       depend on the metric's unit. The deviation is floored at {@link #minStddev} (absolute) and at 1 % of the
 *       baseline mean's magnitude, so a flat baseline does not turn every wobble into an infinite shift.
 *   <li><b>Hysteresis and cool-down</b>: a signal re-baselines the detector: the statistics restart from zero and the
 *       next {@link #warmup} values learn the new level. So one shift fires once (it is the new normal afterwards),
 *       a later signal needs a fresh deviation of the full threshold from the new level, and two signals are at
 *       least {@code warmup} values apart.
 * </ul>
 */
public abstract class ChangeDetector {
    /** Values that form a baseline; also the minimum number of values between two signals. */
    public int warmup;
    /** Signal threshold, in baseline standard deviations. */
    public double threshold;
    /** Floor of the baseline standard deviation, in the metric's unit. */
    public double minStddev;

    public RunningStats baseline = new RunningStats();
    /** Whether the baseline is complete (then {@link #baselineMean} and {@link #baselineStddev} hold it). */
    public boolean ready;
    public double baselineMean;
    public double baselineStddev;
    /** Values seen in all, for {@link DriftSignal#observation()}. */
    public long observations;

    protected ChangeDetector() {}

    protected ChangeDetector(int warmup, double threshold, double minStddev) {
        if (warmup < 2) {
            throw new IllegalArgumentException("warm-up must be at least 2 values, was " + warmup);
        }
        if (!(threshold > 0) || !Double.isFinite(threshold)) {
            throw new IllegalArgumentException("threshold must be a positive number, was " + threshold);
        }
        if (!(minStddev > 0) || !Double.isFinite(minStddev)) {
            throw new IllegalArgumentException("minimum standard deviation must be positive, was " + minStddev);
        }
        this.warmup = warmup;
        this.threshold = threshold;
        this.minStddev = minStddev;
    }

    /** Adds the next value of the series; returns the signal when a shift is detected with it, else {@code null}. */
    public DriftSignal add(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("not a finite number: " + value);
        }
        observations++;
        if (!ready) {
            learn(value);
            if (baseline.count >= warmup) {
                ready = true;
                startDetecting();
            }
            return null;
        }
        DriftSignal.Direction direction = update(value);
        if (direction == null) {
            learn(value);
            return null;
        }
        DriftSignal signal = new DriftSignal(direction, statistic(direction), threshold, baselineMean, baselineStddev,
                value, observations);
        rebaseline();
        return signal;
    }

    /** Adds an in-control value to the baseline. */
    private void learn(double value) {
        baseline.add(value);
        baselineMean = baseline.mean;
        baselineStddev = Math.max(baseline.stddev(), Math.max(minStddev, Math.abs(baselineMean) * 0.01));
    }

    /** Whether the baseline is complete, so a signal can fire. */
    public boolean isReady() {
        return ready;
    }

    /** Starts learning a new baseline: after a signal, or when the caller knows the series was reset. */
    public void rebaseline() {
        baseline.reset();
        ready = false;
        startDetecting();
    }

    /** The value in baseline standard deviations from the baseline mean. */
    protected double standardized(double value) {
        return (value - baselineMean) / baselineStddev;
    }

    /** Resets the statistic (called when a baseline is complete and after a signal). */
    protected abstract void startDetecting();

    /** Updates the statistic with a value once the baseline is complete; the direction of a detected shift or null. */
    protected abstract DriftSignal.Direction update(double value);

    /** The statistic of one direction, in baseline standard deviations. */
    public abstract double statistic(DriftSignal.Direction direction);
}
