package io.journeycep.pipeline.stages.drift;

import java.util.Objects;

/**
 * A partial sum of one drift metric over one event-time bucket: a numerator and a denominator (a rate only uses the
 * numerator). Contributions of single events, pre-aggregates per subtask and the sum per metric are all this. A
 * Flink POJO.
 */
public class MetricPartial {
    public String metric;
    /** Epoch ms, a multiple of the bucket length. */
    public long bucketStart;
    public double numerator;
    public double denominator;

    public MetricPartial() {}

    public MetricPartial(String metric, long bucketStart, double numerator, double denominator) {
        this.metric = metric;
        this.bucketStart = bucketStart;
        this.numerator = numerator;
        this.denominator = denominator;
    }

    void add(MetricPartial other) {
        numerator += other.numerator;
        denominator += other.denominator;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MetricPartial)) {
            return false;
        }
        MetricPartial that = (MetricPartial) o;
        return bucketStart == that.bucketStart
                && Double.compare(numerator, that.numerator) == 0
                && Double.compare(denominator, that.denominator) == 0
                && Objects.equals(metric, that.metric);
    }

    @Override
    public int hashCode() {
        return Objects.hash(metric, bucketStart);
    }

    @Override
    public String toString() {
        return metric + "@" + bucketStart + "=" + numerator + "/" + denominator;
    }
}
