package io.journeycep.pipeline.stages.consent;

import io.journeycep.sinks.WithheldCount;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;

/**
 * The count of the triggers withheld for consent (README "Consent"), keyed by kind and UTC day of the triggers' event
 * time ({@link #key}): per key it keeps the absolute count and emits it, as a {@code triggers_withheld} row, on every
 * trigger counted, so the sink's upsert sets the count and a replayed row never adds to it.
 *
 * <p>State: one row per kind and day, dropped by an event-time timer {@link #GRACE} after the day's end. A trigger
 * of a day whose row was dropped already (the watermark is past the day's end and the grace) is not counted in the
 * table: counting it from zero would overwrite the day's count with a smaller one. It is counted in the metric
 * {@value #LATE_METRIC} instead (and, as every withheld trigger, in {@code triggersWithheld}). The pass emits its
 * triggers before it forwards the watermark that produced them, at their own event time, so in practice a trigger is
 * at most a watermark's step behind this operator's watermark.
 */
public class WithheldCounter extends KeyedProcessFunction<String, WithheldTrigger, WithheldCount> {
    private static final long serialVersionUID = 1L;

    public static final String UID = "triggers-withheld-counter";
    public static final String NAME = "count withheld triggers";
    /** How long after its UTC day's end a day's count is kept (event time). */
    public static final Duration GRACE = Duration.ofDays(1);
    /** Metric: withheld triggers that came after their day's count was dropped, not in {@code triggers_withheld}. */
    public static final String LATE_METRIC = "triggersWithheldTooLateToCount";
    static final String STATE = "withheld-count";
    static final long DAY_MS = Duration.ofDays(1).toMillis();

    private transient ValueState<WithheldCount> row;
    private transient Counter late;

    /** The counts of {@code withheld} (the pass's {@link ConsentGuest#WITHHELD} side output), uid {@value #UID}. */
    public static SingleOutputStreamOperator<WithheldCount> apply(DataStream<WithheldTrigger> withheld) {
        return withheld
                .keyBy(new ByKindAndDay())
                .process(new WithheldCounter(), TypeInformation.of(WithheldCount.class))
                .name(NAME)
                .uid(UID);
    }

    /** The UTC day (days since 1970-01-01) of {@code eventTime}. */
    static long day(long eventTime) {
        return Math.floorDiv(eventTime, DAY_MS);
    }

    /** The key of a trigger: its day, then its kind ({@code <day>|<kind>}; the day has no '|'). */
    static String key(WithheldTrigger w) {
        return day(w.eventTime) + "|" + w.kind;
    }

    /** Keys by {@link #key}. */
    public static final class ByKindAndDay implements KeySelector<WithheldTrigger, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(WithheldTrigger w) {
            return key(w);
        }
    }

    @Override
    public void open(OpenContext openContext) {
        row = getRuntimeContext().getState(new ValueStateDescriptor<>(STATE,
                TypeInformation.of(WithheldCount.class)));
        late = getRuntimeContext().getMetricGroup().counter(LATE_METRIC);
    }

    @Override
    public void processElement(WithheldTrigger w, Context ctx, Collector<WithheldCount> out) throws Exception {
        long day = day(w.eventTime);
        long dropAt = dropTime(day);
        WithheldCount current = row.value();
        if (current == null) {
            if (ctx.timerService().currentWatermark() >= dropAt) {
                late.inc();
                return;
            }
            current = WithheldCount.of(w.kind, day, 0, w.eventTime);
            ctx.timerService().registerEventTimeTimer(dropAt);
        }
        current.withheld++;
        current.updatedAt = Math.max(current.updatedAt, w.eventTime);
        row.update(current);
        out.collect(WithheldCount.of(current.kind, current.day, current.withheld, current.updatedAt));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<WithheldCount> out) {
        row.clear();
    }

    /** The last millisecond of {@code day} plus the grace: the watermark reaching it drops the day's count. */
    static long dropTime(long day) {
        return (day + 1) * DAY_MS - 1 + GRACE.toMillis();
    }
}
