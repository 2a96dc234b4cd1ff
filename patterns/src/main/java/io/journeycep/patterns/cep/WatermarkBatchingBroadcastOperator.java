package io.journeycep.patterns.cep;

import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.SimpleTimerService;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.util.List;

/**
 * Flink's operator of a {@link KeyedBroadcastProcessFunction} ({@link CoBroadcastWithKeyedOperator}), which holds the
 * keyed records the watermark has not passed on the heap ({@link Arrivals}) and gives each key's records to the
 * function as one batch when the watermark passes the earliest of them (issue 14: velocity).
 *
 * <p>A batch is {@link BatchFunction#startBatch}, then {@code processElement} for each record in arrival order, then
 * {@link BatchFunction#finishBatch}: the function reads the key's state once, does at the batch's end what its timers
 * at or before the watermark would have done, and writes once. Everything held is handed over the ordinary way
 * ({@code processElement}, record by record) before a checkpoint barrier, before a broadcast record, at the end of the
 * input and when more than {@link #MAX_ARRIVALS} are held, so state and checkpoints hold every record as before.
 *
 * <p>Flink internals relied on (pinned by {@code WatermarkBatchingBroadcastOperatorTest}): the operator is a
 * subclass of Flink's; {@code processElement1} of the superclass runs the function on a record with the current key;
 * the function's timers are those of the internal timer service named {@value #TIMER_SERVICE}.
 *
 * @param <IN1> the keyed input
 * @param <IN2> the broadcast input
 * @param <OUT> the output
 */
public class WatermarkBatchingBroadcastOperator<IN1, IN2, OUT> extends CoBroadcastWithKeyedOperator<String, IN1, IN2, OUT> {
    private static final long serialVersionUID = 1L;

    /** The name under which {@link CoBroadcastWithKeyedOperator} (Flink 2.2.1) keeps the function's timers. */
    static final String TIMER_SERVICE = "user-timers";
    /** At most this many records held on the heap per subtask; more are handed over at once. */
    static final int MAX_ARRIVALS = 50_000;

    /** What the function of this operator does besides a {@link KeyedBroadcastProcessFunction}'s work. */
    public interface BatchFunction<IN1, OUT> {
        /** A record's event time. */
        long timeOf(IN1 record);

        /** Whether {@code record} goes to the function at once, and the key's held records are dropped (an erasure). */
        boolean dropsHeldRecords(IN1 record);

        /** The current key's records follow, all arrived before {@code watermark}, which passes at least one of them. */
        void startBatch(long watermark);

        /** The batch's records went through {@code processElement}: do what is due up to its watermark, write once. */
        void finishBatch(BatchContext<OUT> context) throws Exception;
    }

    /** What {@link BatchFunction#finishBatch} may use. */
    public interface BatchContext<OUT> {
        String currentKey();

        <K, V> ReadOnlyBroadcastState<K, V> broadcastState(MapStateDescriptor<K, V> descriptor) throws Exception;

        TimerService timerService();

        void emit(OUT value, long timestamp);
    }

    private transient Arrivals<String, StreamRecord<IN1>> arrivals;
    private transient InternalTimerService<VoidNamespace> timers;
    private transient BatchContext<OUT> context;

    public <F extends KeyedBroadcastProcessFunction<String, IN1, IN2, OUT> & BatchFunction<IN1, OUT>>
            WatermarkBatchingBroadcastOperator(F function, List<MapStateDescriptor<?, ?>> broadcastStateDescriptors) {
        super(function, broadcastStateDescriptors);
    }

    @SuppressWarnings("unchecked")
    private BatchFunction<IN1, OUT> batchFunction() {
        return (BatchFunction<IN1, OUT>) getUserFunction();
    }

    @Override
    public void open() throws Exception {
        super.open();
        timers = getInternalTimerService(TIMER_SERVICE, VoidNamespaceSerializer.INSTANCE, this);
        BatchFunction<IN1, OUT> function = batchFunction();
        arrivals = new Arrivals<>(r -> function.timeOf(r.getValue()));
        TimerService timerService = new SimpleTimerService(timers);
        context = new BatchContext<>() {
            @Override
            public String currentKey() {
                return (String) getCurrentKey();
            }

            @Override
            public <K, V> ReadOnlyBroadcastState<K, V> broadcastState(MapStateDescriptor<K, V> descriptor)
                    throws Exception {
                return getOperatorStateBackend().getBroadcastState(descriptor);
            }

            @Override
            public TimerService timerService() {
                return timerService;
            }

            @Override
            public void emit(OUT value, long timestamp) {
                output.collect(new StreamRecord<>(value, timestamp));
            }
        };
    }

    @Override
    public void processElement1(StreamRecord<IN1> element) throws Exception {
        BatchFunction<IN1, OUT> function = batchFunction();
        String key = (String) getCurrentKey();
        IN1 record = element.getValue();
        if (function.dropsHeldRecords(record)) {
            arrivals.drop(key);
            super.processElement1(element);
            return;
        }
        long watermark = timers.currentWatermark();
        if (function.timeOf(record) > watermark || arrivals.has(key)) {
            arrivals.add(key, new StreamRecord<>(record, element.getTimestamp()), watermark);
            if (arrivals.size() > MAX_ARRIVALS) {
                handOver();
            }
            return;
        }
        super.processElement1(element);
    }

    /** Before the timers due at {@code mark} fire: each key whose earliest held record it passes, as one batch. */
    @Override
    public void processWatermark(Watermark mark) throws Exception {
        long watermark = mark.getTimestamp();
        BatchFunction<IN1, OUT> function = batchFunction();
        arrivals.takeDue(watermark, (key, held) -> {
            setCurrentKey(key);
            function.startBatch(watermark);
            for (Arrivals.Arrival<StreamRecord<IN1>> a : held) {
                super.processElement1(a.record);
            }
            function.finishBatch(context);
        });
        super.processWatermark(mark);
    }

    /** Hands every held record to the function the ordinary way, record by record (state and timers as before). */
    private void handOver() throws Exception {
        if (arrivals.size() == 0) {
            return;
        }
        Object before = getCurrentKey();
        arrivals.takeAll((key, held) -> {
            setCurrentKey(key);
            for (Arrivals.Arrival<StreamRecord<IN1>> a : held) {
                super.processElement1(a.record);
            }
        });
        if (before != null) {
            setCurrentKey(before);
        }
    }

    @Override
    public void processElement2(StreamRecord<IN2> element) throws Exception {
        handOver(); // a broadcast record meets every key's records where it met them before records were held
        super.processElement2(element);
    }

    /** Records emitted here precede the barrier, so the checkpoint holds every record in the keys' state. */
    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        handOver();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        handOver();
        super.finish();
    }
}
