package io.journeycep.pipeline.stages.time;

import io.journeycep.pipeline.ingest.IngestRecord;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.accumulators.LongMaximum;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.time.Instant;
import java.util.List;

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
 *
 * <p><b>At the last event</b> ({@link #atLastEvent()}; the default of a file source, README "Replay a file"): no
 * record is dropped; the operator remembers the greatest event time of the accepted records it has seen and never
 * forwards a watermark beyond it, so Flink's final {@code MAX_WATERMARK} becomes that time and the run ends with the
 * state as of its last event, the timeouts after it still pending. The greatest time must be the whole input's, not a
 * source subtask's: a watermark downstream is the minimum over its input channels, so with parallelism &gt; 1 a
 * per-subtask maximum would end event time at the smallest of the subtasks' last events. So this mode runs at
 * parallelism 1 right behind the source: it sees every record, and it sees the final watermark only once every source
 * subtask has finished. At parallelism 1 (replay's default) it is chained to the source and costs a comparison per
 * record; at a higher parallelism every record crosses the network once more, to one subtask (which only forwards it).
 * The simpler alternative, a pre-scan of the files for their greatest time, would parse the input twice. The greatest
 * time is operator state, so a restore from a checkpoint keeps it.
 *
 * <p>In both modes the watermark forwarded at the end of the input is published as the accumulator
 * {@value #ACC_EVENT_TIME_END} (the replay summary's "event time ended at").
 */
public final class EventTimeLimit extends AbstractStreamOperator<IngestRecord>
        implements OneInputStreamOperator<IngestRecord, IngestRecord> {
    private static final long serialVersionUID = 1L;

    /** Uid and name of the operator in the workflow (present only with {@code until}). */
    public static final String UID = "event-time-until";
    public static final String NAME = "stop event time at until";
    /** Uid and name of the operator in its {@link #atLastEvent()} mode (a different uid: it has state). */
    public static final String LAST_EVENT_UID = "event-time-end-at-last-event";
    public static final String LAST_EVENT_NAME = "end event time at the last event";
    /** Accumulator and metric: accepted records dropped because their event time is after {@code until}. */
    public static final String ACC_AFTER_UNTIL = "eventsAfterUntil";
    /**
     * Accumulator: the watermark forwarded when the input ended (epoch millis; {@code Long.MIN_VALUE} if the input did
     * not end, or, at the last event, had no accepted record).
     */
    public static final String ACC_EVENT_TIME_END = "eventTimeEnd";

    /** {@code until} in epoch millis, or {@code null} in the last-event mode. */
    private final Long untilMillis;
    private transient LongCounter droppedTotal;
    private transient Counter droppedMetric;
    private transient LongMaximum eventTimeEnd;
    private transient long lastForwarded;
    /** Last-event mode: the greatest event time of an accepted record so far ({@code Long.MIN_VALUE}: none). */
    private transient long greatestEventTime;
    private transient ListState<Long> greatestEventTimeState;

    /** Stops event time at {@code until}: records after it are dropped, no watermark beyond it is forwarded. */
    public EventTimeLimit(Instant until) {
        this.untilMillis = until.toEpochMilli();
    }

    private EventTimeLimit() {
        this.untilMillis = null;
    }

    /** Ends event time at the greatest event time of the accepted records; run it at parallelism 1 (see above). */
    public static EventTimeLimit atLastEvent() {
        return new EventTimeLimit();
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        greatestEventTime = Long.MIN_VALUE;
        if (untilMillis == null) {
            greatestEventTimeState = context.getOperatorStateStore()
                    .getUnionListState(new ListStateDescriptor<>("greatest-event-time", Types.LONG));
            for (Long t : greatestEventTimeState.get()) {
                greatestEventTime = Math.max(greatestEventTime, t);
            }
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        if (greatestEventTimeState != null) {
            greatestEventTimeState.update(List.of(greatestEventTime));
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        droppedTotal = new LongCounter();
        eventTimeEnd = new LongMaximum();
        if (untilMillis != null) {
            getRuntimeContext().addAccumulator(ACC_AFTER_UNTIL, droppedTotal);
        }
        getRuntimeContext().addAccumulator(ACC_EVENT_TIME_END, eventTimeEnd); // Long.MIN_VALUE until the end
        droppedMetric = getMetricGroup().counter(ACC_AFTER_UNTIL);
        lastForwarded = Long.MIN_VALUE;
    }

    @Override
    public void processElement(StreamRecord<IngestRecord> element) {
        IngestRecord record = element.getValue();
        if (record != null && record.isAccepted()) {
            long t = record.event.timestamp;
            if (untilMillis == null) {
                greatestEventTime = Math.max(greatestEventTime, t);
            } else if (t > untilMillis) {
                droppedTotal.add(1);
                droppedMetric.inc();
                return;
            }
        }
        output.collect(element);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        long limit = untilMillis == null ? greatestEventTime : untilMillis;
        long capped = Math.min(mark.getTimestamp(), limit);
        if (mark.getTimestamp() == Long.MAX_VALUE) {
            eventTimeEnd.add(capped); // the end of the input: where event time ends (also if forwarded before)
        }
        if (capped <= lastForwarded) {
            return; // watermarks only move forward; the cap is forwarded once
        }
        lastForwarded = capped;
        super.processWatermark(capped == mark.getTimestamp()
                ? mark : new Watermark(capped));
    }

    /** The greatest event time seen so far in the last-event mode ({@code Long.MIN_VALUE}: none; tests). */
    public long greatestEventTime() {
        return greatestEventTime;
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
