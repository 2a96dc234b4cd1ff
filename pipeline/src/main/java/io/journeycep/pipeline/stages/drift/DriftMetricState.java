package io.journeycep.pipeline.stages.drift;

import io.journeycep.patterns.drift.ChangeDetector;
import io.journeycep.patterns.drift.CusumDetector;
import io.journeycep.patterns.drift.Ewma;
import io.journeycep.patterns.drift.PageHinkleyDetector;
import io.journeycep.patterns.drift.RunningStats;

/**
 * Everything the drift detector keeps per metric, of constant size: the series' running mean and variance, its EWMA,
 * the configured detector (exactly one of the two fields is set, so the state stays a POJO without Kryo), and where
 * the series stands (last closed bucket, empty buckets in a row, paused).
 */
public class DriftMetricState {
    /** Every value of the series since the metric was first seen (Welford). */
    public RunningStats series = new RunningStats();
    public Ewma ewma;
    public CusumDetector cusum;
    public PageHinkleyDetector pageHinkley;
    public boolean hasClosed;
    /** Start of the last closed bucket (valid when {@link #hasClosed}). */
    public long lastClosed;
    /** Consecutive empty buckets up to the last closed one. */
    public int emptyRun;
    /** Whether the series has paused after too many empty buckets (no timers until the metric is seen again). */
    public boolean paused;

    public DriftMetricState() {}

    public ChangeDetector detector() {
        return cusum != null ? cusum : pageHinkley;
    }
}
