package io.journeycep.patterns.cep;

import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.SimpleTimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Flink's operator of a {@link KeyedProcessFunction} ({@link KeyedProcessOperator}), holding the records the watermark
 * has not passed on the heap and giving each key's records to the function as one batch when it passes them ({@link
 * WatermarkBatches}; the pipeline's transition counter).
 *
 * <p>Flink internals relied on (pinned by {@code WatermarkBatchingKeyedOperatorTest}): the superclass's {@code
 * processElement} runs the function on a record with the current key; the function's timers are those of the
 * internal timer service named {@value #TIMER_SERVICE}.
 */
public class WatermarkBatchingKeyedOperator<IN, OUT> extends KeyedProcessOperator<String, IN, OUT> {
    private static final long serialVersionUID = 1L;

    /** The name under which {@link KeyedProcessOperator} (Flink 2.2.1) keeps the function's timers. */
    static final String TIMER_SERVICE = "user-timers";

    private transient WatermarkBatches<IN, OUT> batches;
    private transient InternalTimerService<VoidNamespace> timers;
    private transient WatermarkBatches.Context<OUT> context;

    public <F extends KeyedProcessFunction<String, IN, OUT> & WatermarkBatches.Function<IN, OUT>>
            WatermarkBatchingKeyedOperator(F function) {
        super(function);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void open() throws Exception {
        super.open();
        timers = getInternalTimerService(TIMER_SERVICE, VoidNamespaceSerializer.INSTANCE, this);
        batches = new WatermarkBatches<>((WatermarkBatches.Function<IN, OUT>) getUserFunction(), this,
                super::processElement);
        context = WatermarkBatches.context(this, output, new SimpleTimerService(timers), null);
    }

    @Override
    public void processElement(StreamRecord<IN> element) throws Exception {
        if (!batches.hold(element, timers.currentWatermark())) {
            super.processElement(element);
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        batches.release(mark.getTimestamp(), context);
        super.processWatermark(mark);
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
