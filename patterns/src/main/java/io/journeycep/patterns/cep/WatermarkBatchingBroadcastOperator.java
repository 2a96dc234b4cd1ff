package io.journeycep.patterns.cep;

import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.SimpleTimerService;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.util.List;

/**
 * Flink's operator of a {@link KeyedBroadcastProcessFunction} ({@link CoBroadcastWithKeyedOperator}), holding the keyed
 * records the watermark has not passed on the heap and giving each key's records to the function as one batch when
 * it passes them ({@link WatermarkBatches}; the pipeline's velocity evaluator). Held records are handed over before a
 * broadcast record, too, so a broadcast change meets every key's records in state as before.
 *
 * <p>Flink internals relied on (pinned by {@code WatermarkBatchingBroadcastOperatorTest}): the superclass's {@code
 * processElement1} runs the function on a record with the current key; the function's timers are those of the
 * internal timer service named {@value #TIMER_SERVICE}.
 */
public class WatermarkBatchingBroadcastOperator<IN1, IN2, OUT> extends CoBroadcastWithKeyedOperator<String, IN1, IN2, OUT> {
    private static final long serialVersionUID = 1L;

    /** The name under which {@link CoBroadcastWithKeyedOperator} (Flink 2.2.1) keeps the function's timers. */
    static final String TIMER_SERVICE = "user-timers";

    private transient WatermarkBatches<IN1, OUT> batches;
    private transient InternalTimerService<VoidNamespace> timers;
    private transient WatermarkBatches.Context<OUT> context;

    public <F extends KeyedBroadcastProcessFunction<String, IN1, IN2, OUT> & WatermarkBatches.Function<IN1, OUT>>
            WatermarkBatchingBroadcastOperator(F function, List<MapStateDescriptor<?, ?>> broadcastStateDescriptors) {
        super(function, broadcastStateDescriptors);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void open() throws Exception {
        super.open();
        timers = getInternalTimerService(TIMER_SERVICE, VoidNamespaceSerializer.INSTANCE, this);
        batches = new WatermarkBatches<>((WatermarkBatches.Function<IN1, OUT>) getUserFunction(), this,
                super::processElement1);
        context = WatermarkBatches.context(this, output, new SimpleTimerService(timers),
                new WatermarkBatches.BroadcastStates() {
                    @Override
                    public <K, V> org.apache.flink.api.common.state.ReadOnlyBroadcastState<K, V> get(
                            MapStateDescriptor<K, V> descriptor) throws Exception {
                        return getOperatorStateBackend().getBroadcastState(descriptor);
                    }
                });
    }

    @Override
    public void processElement1(StreamRecord<IN1> element) throws Exception {
        if (!batches.hold(element, timers.currentWatermark())) {
            super.processElement1(element);
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        batches.release(mark.getTimestamp(), context);
        super.processWatermark(mark);
    }

    @Override
    public void processElement2(StreamRecord<IN2> element) throws Exception {
        batches.handOver();
        super.processElement2(element);
    }

    /** Records emitted here precede the barrier, so the checkpoint holds every record in the keys' state. */
    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        batches.handOver();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        batches.handOver();
        super.finish();
    }
}
