package io.journeycep.sinks;

import java.util.Objects;

/**
 * One closed event-time bucket of one drift metric (DESIGN §4 {@code drift_stats}): the bucket's value and, from the
 * metric's keyed state, the baseline mean and standard deviation the detector measured it against and the detector
 * statistic after it (in baseline standard deviations). Rows are absolute values from state, upserted on
 * {@code (metric, bucket_start)}. A Flink POJO.
 */
public class DriftStat {
    public String metric;
    /** Epoch ms. */
    public long bucketStart;
    public double value;
    public double mean;
    public double stddev;
    public double statistic;

    public DriftStat() {}

    public DriftStat(String metric, long bucketStart, double value, double mean, double stddev, double statistic) {
        this.metric = metric;
        this.bucketStart = bucketStart;
        this.value = value;
        this.mean = mean;
        this.stddev = stddev;
        this.statistic = statistic;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof DriftStat)) {
            return false;
        }
        DriftStat that = (DriftStat) o;
        return bucketStart == that.bucketStart
                && Double.compare(value, that.value) == 0
                && Double.compare(mean, that.mean) == 0
                && Double.compare(stddev, that.stddev) == 0
                && Double.compare(statistic, that.statistic) == 0
                && Objects.equals(metric, that.metric);
    }

    @Override
    public int hashCode() {
        return Objects.hash(metric, bucketStart);
    }

    @Override
    public String toString() {
        return "DriftStat{" + metric + " @" + bucketStart + " value=" + value + " mean=" + mean + " sd=" + stddev
                + " stat=" + statistic + '}';
    }
}
