package io.journeycep.pipeline.stages.time;

import io.journeycep.pipeline.ingest.IngestRecord;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.clock.Clock;
import org.apache.flink.util.clock.RelativeClock;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounded-out-of-orderness watermarks with idleness and a processing-time fallback for quiet traffic (DESIGN §3:
 * "Timeouts must fire when traffic is quiet").
 *
 * <p>One instance runs per source split (Kafka partition, file split). Only accepted records count: a rejected
 * record ({@code event == null}) neither moves the watermark nor counts as activity for idleness or quietness.
 *
 * <h2>Phases, measured by {@code quiet = activityClock.now - activityClock(at last accepted event)}</h2>
 *
 * <ol>
 *   <li><b>Active</b> ({@code quiet < idleTimeout}, or idleness off): emits
 *       {@code maxTs - maxOutOfOrderness - 1}, exactly like Flink's {@code BoundedOutOfOrdernessWatermarks}.
 *   <li><b>Idle</b> ({@code idleTimeout <= quiet < quietPeriod}): marks the split idle once, emits nothing, so
 *       this split does not hold back the others. A split that never saw an accepted event becomes idle after
 *       {@code idleTimeout} and stays idle (it has no event time to extrapolate from).
 *   <li><b>Quiet fallback</b> ({@code quiet >= quietPeriod}, and at least one accepted event seen): emits
 *       <pre>
 *   fallback = min(maxTs + quiet, wallClockNow) - maxOutOfOrderness - 1
 *   emitted  = max(lastEmitted, maxTs - maxOutOfOrderness - 1, fallback)</pre>
 *       i.e. event time is assumed to have kept moving at wall-clock speed since the last event arrived. The
 *       watermark therefore never exceeds what a new event arriving <em>now</em>, with the same delay behind
 *       its producer as the last event had, would produce, and never exceeds the wall clock minus the
 *       out-of-orderness (so a fresh event stamped "now" is never made late by the fallback, even if earlier
 *       events were dated in the future). Emitting a watermark makes the split active again (Flink's
 *       multiplexer treats any emitted watermark as activity), which is what lets event time advance when
 *       <em>every</em> split is quiet.
 * </ol>
 *
 * <p>The watermark never goes backwards: after a fallback, a new event with an older timestamp does not pull it
 * back; the event-driven watermark resumes only once {@code maxTs - maxOutOfOrderness - 1} passes it.
 *
 * <h2>Trade-offs (documented on purpose)</h2>
 *
 * <ul>
 *   <li>An event that arrives after a quiet period with a timestamp older than the extrapolated watermark
 *       (a producer that buffered events, a device coming back online) is late and goes to the late-events
 *       output. That is the price of timeouts firing without new traffic; choose {@code quietPeriod} longer
 *       than the delivery delays you want to tolerate.
 *   <li>{@code quiet} is measured on Flink's input-activity clock, which pauses while the source is
 *       back-pressured, so a back-pressure stall does not count as quiet traffic. Slow I/O does count; for
 *       bounded replays of history turn the fallback off ({@code quietPeriod = null}): a stall there would
 *       make subsequent historical events late, and the end of input flushes timers anyway.
 *   <li>Once the fallback engages, the split is active again, with a watermark that trails the wall clock by
 *       the delay its last event had. If that last event was itself old (a partition whose newest record is
 *       hours behind, read at start-up), the fallback holds the combined watermark that far behind until new
 *       data arrives. Keep {@code idleTimeout < quietPeriod} so a quiet split is at least idle (not holding
 *       back anything) between the two.
 * </ul>
 *
 * <p>Idleness is implemented here rather than with {@code WatermarkStrategy#withIdleness}: Flink's
 * {@code WatermarksWithIdleness} stops calling the wrapped generator's {@code onPeriodicEmit} while idle, which
 * would suppress the fallback for good once every split is idle (exactly the quiet-traffic case), and it counts
 * every record, rejected ones included, as activity.
 */
public class QuietPeriodWatermarkGenerator implements WatermarkGenerator<IngestRecord> {

    private final long maxOutOfOrdernessMs;
    /** {@code Long.MAX_VALUE} when off. */
    private final long idleTimeoutNanos;
    /** {@code Long.MAX_VALUE} when off. */
    private final long quietPeriodNanos;
    /** Measures quietness; pauses under back-pressure in production. */
    private final RelativeClock activityClock;
    /** Absolute wall clock, only used to cap the fallback. */
    private final Clock wallClock;

    private boolean seenEvent;
    private long maxTimestamp;
    private long lastActivityNanos;
    private long lastEmitted = Long.MIN_VALUE;
    private boolean idle;

    /**
     * @param maxOutOfOrderness how far behind the maximum timestamp seen the watermark trails (≥ 0)
     * @param idleTimeout after this long without accepted events the split is marked idle; {@code null} = off
     * @param quietPeriod after this long without accepted events the watermark advances with the clock;
     *     {@code null} = off
     * @param activityClock measures the time without events (Flink's input-activity clock in production)
     * @param wallClock absolute wall clock, caps the fallback at {@code now - maxOutOfOrderness - 1}
     */
    public QuietPeriodWatermarkGenerator(
            Duration maxOutOfOrderness,
            Duration idleTimeout,
            Duration quietPeriod,
            RelativeClock activityClock,
            Clock wallClock) {
        Objects.requireNonNull(maxOutOfOrderness, "maxOutOfOrderness");
        if (maxOutOfOrderness.isNegative()) {
            throw new IllegalArgumentException("maxOutOfOrderness must not be negative: " + maxOutOfOrderness);
        }
        this.maxOutOfOrdernessMs = maxOutOfOrderness.toMillis();
        this.idleTimeoutNanos = positiveNanosOrOff(idleTimeout, "idleTimeout");
        this.quietPeriodNanos = positiveNanosOrOff(quietPeriod, "quietPeriod");
        this.activityClock = Objects.requireNonNull(activityClock, "activityClock");
        this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
        this.maxTimestamp = Long.MIN_VALUE + maxOutOfOrdernessMs + 1;
        this.lastActivityNanos = activityClock.relativeTimeNanos();
    }

    @Override
    public void onEvent(IngestRecord record, long eventTimestamp, WatermarkOutput output) {
        if (record == null || !record.isAccepted()) {
            return; // rejected records carry no event time and are not activity
        }
        maxTimestamp = Math.max(maxTimestamp, record.event.timestamp);
        seenEvent = true;
        lastActivityNanos = activityClock.relativeTimeNanos();
        if (idle) {
            idle = false;
            output.markActive();
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        long quietNanos = activityClock.relativeTimeNanos() - lastActivityNanos;
        long eventWatermark = maxTimestamp - maxOutOfOrdernessMs - 1;
        if (seenEvent && quietNanos >= quietPeriodNanos) {
            long quietMs = quietNanos / 1_000_000L;
            long extrapolated = saturatedAdd(maxTimestamp, quietMs);
            long capped = Math.min(extrapolated, wallClock.absoluteTimeMillis());
            long fallback = capped - maxOutOfOrdernessMs - 1;
            emit(Math.max(eventWatermark, fallback), output);
        } else if (quietNanos >= idleTimeoutNanos) {
            if (!idle) {
                idle = true;
                output.markIdle();
            }
        } else {
            emit(eventWatermark, output);
        }
    }

    private void emit(long candidate, WatermarkOutput output) {
        long watermark = Math.max(lastEmitted, candidate);
        lastEmitted = watermark;
        idle = false; // an emitted watermark makes the output active again
        output.emitWatermark(new Watermark(watermark));
    }

    /** The last watermark emitted, {@code Long.MIN_VALUE} before the first. */
    public long currentWatermark() {
        return lastEmitted;
    }

    /** Whether this generator last marked its output idle. */
    public boolean isIdle() {
        return idle;
    }

    private static long positiveNanosOrOff(Duration d, String name) {
        if (d == null) {
            return Long.MAX_VALUE;
        }
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive (or null for off): " + d);
        }
        try {
            return d.toNanos();
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        // overflow iff both operands have the same sign and the result's sign differs
        if (((a ^ r) & (b ^ r)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return r;
    }
}
