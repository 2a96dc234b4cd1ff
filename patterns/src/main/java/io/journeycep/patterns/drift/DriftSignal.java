package io.journeycep.patterns.drift;

/**
 * A detected level shift: its direction, the detector statistic against its threshold (both in baseline standard
 * deviations), and the baseline the shift was measured from.
 *
 * @param observation the observation (1-based, since the detector was created) at which the shift was detected
 */
public record DriftSignal(
        Direction direction,
        double statistic,
        double threshold,
        double baselineMean,
        double baselineStddev,
        double value,
        long observation) {

    public enum Direction {
        UP,
        DOWN
    }
}
