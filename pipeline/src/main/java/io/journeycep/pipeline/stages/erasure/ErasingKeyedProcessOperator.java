package io.journeycep.pipeline.stages.erasure;

import io.journeycep.patterns.cep.KeyCounts;
import io.journeycep.patterns.cep.KeyTimers;
import io.journeycep.patterns.cep.WindowClosingCepOperator.ErasureTest;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.util.Objects;

/**
 * Flink's {@link KeyedProcessOperator}, plus: after its function has handled an erasure marker (and cleared its keyed
 * state for the marker's key), every timer of that key is deleted (README "Privacy"). A function cannot do that itself
 * when it does not keep every timer's time in state; here the operator walks its timers once per erasure
 * ({@link KeyTimers}). Wire it with {@code keyed.transform(name, type, new ErasingKeyedProcessOperator<>(fn, test))}
 * instead of {@code keyed.process(fn)}: same state, same timers, same uid.
 */
public class ErasingKeyedProcessOperator<K, IN, OUT> extends KeyedProcessOperator<K, IN, OUT> {
    private static final long serialVersionUID = 1L;
    /** The name {@link KeyedProcessOperator} registers its timer service under. */
    private static final String TIMER_SERVICE_NAME = "user-timers";

    private final ErasureTest<IN> erasureTest;
    private transient InternalTimerService<VoidNamespace> timers;
    /** {@link #countingKeysAtTheEnd}: the state whose keys are counted, and the accumulator; {@code null}: none. */
    private String countedState;
    private String countAccumulator;
    private transient LongCounter keysAtTheEnd;

    public ErasingKeyedProcessOperator(KeyedProcessFunction<K, IN, OUT> function, ErasureTest<IN> erasureTest) {
        super(function);
        this.erasureTest = Objects.requireNonNull(erasureTest, "erasureTest");
    }

    /**
     * When the input ends ({@link #finish()}; at a replay's end the timers after its last event are still pending),
     * counts the keys that hold the keyed state {@code stateName} (a value state of the function's, cleared when what
     * it stands for is over) into the accumulator {@code accumulator}: one pass over that state's keys, once.
     */
    public ErasingKeyedProcessOperator<K, IN, OUT> countingKeysAtTheEnd(String stateName, String accumulator) {
        this.countedState = Objects.requireNonNull(stateName, "stateName");
        this.countAccumulator = Objects.requireNonNull(accumulator, "accumulator");
        return this;
    }

    @Override
    public void open() throws Exception {
        super.open();
        timers = getInternalTimerService(TIMER_SERVICE_NAME, VoidNamespaceSerializer.INSTANCE, this);
        if (countAccumulator != null) {
            keysAtTheEnd = new LongCounter();
            getRuntimeContext().addAccumulator(countAccumulator, keysAtTheEnd);
        }
    }

    @Override
    public void finish() throws Exception {
        super.finish();
        if (keysAtTheEnd != null) {
            keysAtTheEnd.add(KeyCounts.keysWith(getKeyedStateBackend(), countedState));
        }
    }

    @Override
    public void processElement(StreamRecord<IN> element) throws Exception {
        super.processElement(element);
        if (erasureTest.isErasure(element.getValue())) {
            KeyTimers.deleteAll(timers, this);
        }
    }
}
