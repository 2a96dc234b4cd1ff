package io.journeycep.patterns.cep;

import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Keyed records held on the heap until the watermark passes them, and handed to a function per key as one batch
 * (issue 14): what {@link WatermarkBatchingKeyedOperator} and {@link WatermarkBatchingBroadcastOperator} share.
 *
 * <p>A stage that works in event-time order holds a record until the watermark passes its time anyway; held in the
 * key's state it cost a read and a write on arrival, a timer, and another read and write when the timer fired. Held
 * here ({@link Arrivals}), a key's records go to the function when the watermark passes the earliest of them: {@link
 * Function#startBatch}, the function's {@code processElement} for each record in arrival order, then {@link
 * Function#finishBatch}, in which the function does what its timers up to the watermark would have done and writes the
 * key's state once. Everything held is handed over the ordinary way ({@code processElement}, record by record, which
 * keeps it in state with its timers) before a checkpoint barrier, before a broadcast record, at the end of the input
 * and when more than {@link #MAX_HELD} are held.
 */
public final class WatermarkBatches<IN, OUT> {
    /** At most this many records held on the heap per subtask; more are handed over at once. */
    static final int MAX_HELD = 50_000;

    /** What the function of a batching operator does besides its {@code processElement} and {@code onTimer}. */
    public interface Function<IN, OUT> {
        /** A record's event time. */
        long timeOf(IN record);

        /** Whether {@code record} goes to the function at once, and the key's held records are dropped (an erasure). */
        default boolean dropsHeldRecords(IN record) {
            return false;
        }

        /** The current key's records follow, all arrived before {@code watermark}, which passes at least one of them. */
        void startBatch(long watermark);

        /** The batch's records went through {@code processElement}: do what is due up to its watermark, write once. */
        void finishBatch(Context<OUT> context) throws Exception;
    }

    /** What {@link Function#finishBatch} may use. */
    public interface Context<OUT> {
        String currentKey();

        TimerService timerService();

        void emit(OUT value, long timestamp);

        <X> void emit(OutputTag<X> tag, X value, long timestamp);

        /** The operator's broadcast state (only with a broadcast input). */
        default <K, V> ReadOnlyBroadcastState<K, V> broadcastState(MapStateDescriptor<K, V> descriptor)
                throws Exception {
            throw new UnsupportedOperationException("no broadcast input");
        }
    }

    /** The operator's own handling of one record (its superclass's {@code processElement}). */
    interface Processor<IN> {
        void process(StreamRecord<IN> record) throws Exception;
    }

    /** The operator state a {@link Context} may read: its broadcast state, if the operator has a broadcast input. */
    interface BroadcastStates {
        <K, V> ReadOnlyBroadcastState<K, V> get(MapStateDescriptor<K, V> descriptor) throws Exception;
    }

    /** The context of an operator's batches; {@code broadcast} may be {@code null} (no broadcast input). */
    static <OUT> Context<OUT> context(AbstractStreamOperator<?> operator, Output<StreamRecord<OUT>> output,
            TimerService timers, BroadcastStates broadcast) {
        return new Context<>() {
            @Override
            public String currentKey() {
                return (String) operator.getCurrentKey();
            }

            @Override
            public TimerService timerService() {
                return timers;
            }

            @Override
            public void emit(OUT value, long timestamp) {
                output.collect(new StreamRecord<>(value, timestamp));
            }

            @Override
            public <X> void emit(OutputTag<X> tag, X value, long timestamp) {
                output.collect(tag, new StreamRecord<>(value, timestamp));
            }

            @Override
            public <K, V> ReadOnlyBroadcastState<K, V> broadcastState(MapStateDescriptor<K, V> descriptor)
                    throws Exception {
                if (broadcast == null) {
                    throw new UnsupportedOperationException("no broadcast input");
                }
                return broadcast.get(descriptor);
            }
        };
    }

    private final Function<IN, OUT> function;
    private final AbstractStreamOperator<?> operator;
    private final Processor<IN> processor;
    private final Arrivals<String, StreamRecord<IN>> held;

    WatermarkBatches(Function<IN, OUT> function, AbstractStreamOperator<?> operator, Processor<IN> processor) {
        this.function = function;
        this.operator = operator;
        this.processor = processor;
        this.held = new Arrivals<>(r -> function.timeOf(r.getValue()));
    }

    /**
     * For the operator's {@code processElement}: holds the record if the watermark has not passed it (or its key has
     * records held) and returns {@code true}; otherwise the operator processes it as usual.
     */
    boolean hold(StreamRecord<IN> element, long watermark) throws Exception {
        String key = (String) operator.getCurrentKey();
        IN record = element.getValue();
        if (function.dropsHeldRecords(record)) {
            held.drop(key);
            return false;
        }
        if (function.timeOf(record) > watermark || held.has(key)) {
            held.add(key, new StreamRecord<>(record, element.getTimestamp()), watermark);
            if (held.size() > MAX_HELD) {
                handOver();
            }
            return true;
        }
        return false;
    }

    /** For the operator's {@code processWatermark}, before the timers: each key whose earliest held record it passes. */
    void release(long watermark, Context<OUT> context) throws Exception {
        held.takeDue(watermark, (key, records) -> {
            operator.setCurrentKey(key);
            function.startBatch(watermark);
            for (Arrivals.Arrival<StreamRecord<IN>> a : records) {
                processor.process(a.record);
            }
            function.finishBatch(context);
        });
    }

    /** Hands every held record to the function the ordinary way, record by record (state and timers as before). */
    void handOver() throws Exception {
        if (held.size() == 0) {
            return;
        }
        Object before = operator.getCurrentKey();
        held.takeAll((key, records) -> {
            operator.setCurrentKey(key);
            for (Arrivals.Arrival<StreamRecord<IN>> a : records) {
                processor.process(a.record);
            }
        });
        if (before != null) {
            operator.setCurrentKey(before);
        }
    }
}
