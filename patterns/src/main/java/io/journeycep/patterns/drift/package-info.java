/**
 * Drift statistics (DESIGN §3 DRIFT, issue 4) as plain Java with no Flink runtime dependency: {@link
 * io.journeycep.patterns.drift.RunningStats} (Welford mean and variance), {@link io.journeycep.patterns.drift.Ewma},
 * and two two-sided change detectors behind {@link io.journeycep.patterns.drift.ChangeDetector} (warm-up baseline,
 * re-baselining after a signal as hysteresis and cool-down): {@link io.journeycep.patterns.drift.CusumDetector} and
 * {@link io.journeycep.patterns.drift.PageHinkleyDetector}. The Flink stage that feeds them event-time buckets per
 * metric is not built yet.
 */
package io.journeycep.patterns.drift;
