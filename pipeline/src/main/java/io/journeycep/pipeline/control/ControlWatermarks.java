package io.journeycep.pipeline.control;

import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * The control stream's watermarks. The control topic's ({@link #strategy()}): none, and the stream is always marked
 * idle (below). A replay's control file ({@link #atRecordTimes()}): in event time, each record at its {@code ts}.
 *
 * <p>Control messages have no event time of their own, and the operators they are broadcast to (velocity fan-out and
 * evaluator) take the minimum watermark over their <em>active</em> inputs. An active control input without watermarks
 * would hold their event time (and every velocity alert) back at {@code Long.MIN_VALUE}. An active control input at
 * {@code Long.MAX_VALUE} would be worse: as soon as the events input goes idle (a quiet topic, {@code
 * event-time.idle-timeout}) the minimum over the active inputs is {@code Long.MAX_VALUE}, event time jumps to the end
 * of time, every pending window fires at once and every later event is late. An idle input is left out of the
 * minimum, so with the control stream idle the events alone drive event time there, idleness included. Records still
 * flow through an idle stream (idleness only concerns watermarks).
 *
 * <p>A <em>bounded</em> control source still emits {@code Long.MAX_VALUE} when it ends (Flink does that for every
 * finished source), so use one only together with bounded events (tests, replays).
 */
public final class ControlWatermarks {
    private ControlWatermarks() {}

    public static <T> WatermarkStrategy<T> strategy() {
        return WatermarkStrategy.forGenerator(ctx -> new AlwaysIdle<>());
    }

    /**
     * The watermarks of a control source in event time ({@link ControlSources#inEventTime}, a replay's {@code
     * --control} file): each record's event time is its {@code timestamp} (the file's {@code ts}) and the watermark follows them
     * (monotonous: the greatest {@code ts} read, minus 1 ms; the records come in {@code ts} order), and the source is
     * never idle. Until a record has been read, the watermark stays behind its {@code ts}, so the union before dedupe,
     * the erasure gate and the broadcast inputs of the user pass and velocity all hold their event time behind it: the
     * record reaches every one of them before event time passes its {@code ts}. When the file ends the watermark is
     * {@code Long.MAX_VALUE} and the events alone drive event time. Not for an unbounded control topic: a quiet topic
     * would hold event time back for ever (that is what {@link #strategy()} is for).
     */
    public static WatermarkStrategy<ControlRecord> atRecordTimes() {
        return WatermarkStrategy.<ControlRecord>forMonotonousTimestamps()
                .withTimestampAssigner((record, previous) -> record.timestamp);
    }

    /** Never emits a watermark; marks its output idle on every periodic emit. */
    static final class AlwaysIdle<T> implements WatermarkGenerator<T> {
        @Override
        public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {}

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            output.markIdle();
        }
    }
}
