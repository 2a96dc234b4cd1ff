package io.journeycep.pipeline.stages.time;

import io.journeycep.pipeline.ingest.IngestRecord;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.time.Instant;

/**
 * Stops event time at {@code until} ({@code replay --until}; README "Replay a file"), right after the source:
 *
 * <ul>
 *   <li>an accepted record whose event time is after {@code until} is dropped and counted
 *       ({@value #ACC_AFTER_UNTIL}); records at {@code until} go on, and so do rejected records (they have no event
 *       time; they go to the dead-letter outputs as always);
 *   <li>no watermark beyond {@code until} is forwarded: a higher one (the quiet-period fallback, or Flink's final
 *       {@code MAX_WATERMARK} at the end of a bounded input) is forwarded as {@code until}, once. So every
 *       downstream event-time timer at or before {@code until} fires, and none after it.
 * </ul>
 *
 * <p>Together with {@link #ignoringAfter} on the source's watermark generator (records after {@code until} do not move
 * the source's watermark either), a run with {@code until} processes exactly the events a replay of only the events
 * at or before {@code until} would, with the same watermarks, except that its end of input advances event time to
 * {@code until} instead of the end of time. Not keyed, no state; chained to the source.
 */
public final class EventTimeLimit extends AbstractStreamOperator<IngestRecord>
        implements OneInputStreamOperator<IngestRecord, IngestRecord> {
    private static final long serialVersionUID = 1L;

    /** Uid and name of the operator in the workflow (present only with {@code until}). */
    public static final String UID = "event-time-until";
    public static final String NAME = "stop event time at until";
    /** Accumulator and metric: accepted records dropped because their event time is after {@code until}. */
    public static final String ACC_AFTER_UNTIL = "eventsAfterUntil";

    private final long untilMillis;
    private transient LongCounter droppedTotal;
    private transient Counter droppedMetric;
    private transient long lastForwarded;

    public EventTimeLimit(Instant until) {
        this.untilMillis = until.toEpochMilli();
    }

    @Override
    public void open() throws Exception {
        super.open();
        droppedTotal = new LongCounter();
        getRuntimeContext().addAccumulator(ACC_AFTER_UNTIL, droppedTotal);
        droppedMetric = getMetricGroup().counter(ACC_AFTER_UNTIL);
        lastForwarded = Long.MIN_VALUE;
    }

    @Override
    public void processElement(StreamRecord<IngestRecord> element) {
        IngestRecord record = element.getValue();
        if (record != null && record.isAccepted() && record.event.timestamp > untilMillis) {
            droppedTotal.add(1);
            droppedMetric.inc();
            return;
        }
        output.collect(element);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        long capped = Math.min(mark.getTimestamp(), untilMillis);
        if (capped <= lastForwarded) {
            return; // watermarks only move forward; the cap is forwarded once
        }
        lastForwarded = capped;
        super.processWatermark(capped == mark.getTimestamp()
                ? mark : new Watermark(capped));
    }

    /** The accepted records dropped so far by this subtask (tests). */
    public long droppedRecords() {
        return droppedTotal.getLocalValue();
    }

    /**
     * Wraps a source's watermark generator so accepted records after {@code until} are not seen by it: they move
     * neither its watermark nor its activity (idleness, quiet period), as if the input ended at {@code until}.
     */
    public static WatermarkGenerator<IngestRecord> ignoringAfter(
            WatermarkGenerator<IngestRecord> generator, long untilMillis) {
        return new WatermarkGenerator<>() {
            @Override
            public void onEvent(IngestRecord record, long eventTimestamp, WatermarkOutput output) {
                if (record != null && record.isAccepted() && record.event.timestamp > untilMillis) {
                    return;
                }
                generator.onEvent(record, eventTimestamp, output);
            }

            @Override
            public void onPeriodicEmit(WatermarkOutput output) {
                generator.onPeriodicEmit(output);
            }
        };
    }
}
