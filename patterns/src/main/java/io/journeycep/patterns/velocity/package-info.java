/**
 * Velocity rules (DESIGN §3 VELOCITY, issue 3), as pure logic with no Flink runtime dependency.
 *
 * <ul>
 *   <li>{@link io.journeycep.patterns.velocity.VelocityRule}: the rule (event types, dimension, aggregate and field,
 *       comparison, threshold, window, severity, cool-down), its validation and the four defaults.
 *   <li>{@link io.journeycep.patterns.velocity.SlidingWindowAggregate}: the exact event-time sliding window
 *       {@code [t − window, t]} (both ends inclusive), compacted and evicted so state stays bounded.
 *   <li>{@link io.journeycep.patterns.velocity.VelocityDetector}: when an alert fires: once per crossing (armed when
 *       the aggregate is below the threshold, fires when it is at/above it), not again before the cool-down
 *       (default: the window) has passed since the last alert.
 * </ul>
 *
 * <p>The Flink operator that runs them is {@code io.journeycep.pipeline.stages.velocity.VelocityEvaluator}.
 */
package io.journeycep.patterns.velocity;
