package io.journeycep.patterns.cep;

import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.cep.EventComparator;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.operator.CepOperator;
import org.apache.flink.runtime.state.KeyGroupStatePartitionStreamProvider;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StatePartitionStreamProvider;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

import java.io.Serializable;
import java.util.OptionalLong;

import javax.annotation.Nullable;

/**
 * Flink's event-time {@link CepOperator}, plus one timer per buffered element at the moment the element's
 * {@code PREVIOUS_AND_CURRENT} window closes.
 *
 * <p>Why: in Flink 2.2.1, {@code CepOperator} registers a window timer only for {@code FIRST_AND_LAST} windows and
 * only when a partial match starts. A pattern that ends in {@code notFollowedBy(...).within(w, PREVIOUS_AND_CURRENT)}
 * therefore times out only when some later event or timer of the same key happens to advance the NFA: a user who
 * adds to cart and then goes quiet would never be reported. Registering {@code timestamp + window} for each buffered
 * element makes {@link CepOperator#onEventTime} run (and advance the NFA to the watermark) exactly when such a
 * window can close. Everything else — buffering, sorting, NFA, state — is Flink's own code.
 *
 * <p>Timers on the same key and timestamp are de-duplicated by Flink, and each fires once, so the cost is at most one
 * extra timer per distinct element timestamp; the stage feeds CEP only the events its patterns use.
 *
 * <p>Second, it hands CEP a state store ({@link SingleValueCepStateStore}) that keeps every state CEP uses for a key
 * (NFA state, shared buffer, element queue) as one value: an element or a timer costs one backend read and at most
 * one write, where CEP's own layout cost several reads, writes and map scans on RocksDB (profiled: most of the
 * stage's time). The operator writes the key's value back when it is done with an element or a timer.
 *
 * <p>Third, with an {@link ErasureTest}, an erasure marker deletes its key's CEP state and timers (README "Privacy").
 */
public class WindowClosingCepOperator<IN, KEY, OUT> extends CepOperator<IN, KEY, OUT> {
    private static final long serialVersionUID = 1L;

    /** The same name {@link CepOperator} uses, so this is the operator's own timer service. */
    private static final String TIMER_SERVICE_NAME = "watermark-callbacks";

    /** Tells erasure markers from events ({@code null}: there are none). */
    public interface ErasureTest<IN> extends Serializable {
        boolean isErasure(IN element);
    }

    private final long windowMillis;
    @Nullable private final ErasureTest<IN> erasureTest;
    private transient InternalTimerService<VoidNamespace> timers;
    private transient SingleValueCepStateStore stateStore;

    /**
     * @param windowMillis the pattern's PREVIOUS_AND_CURRENT window in milliseconds (as given to {@code within})
     */
    public WindowClosingCepOperator(
            TypeSerializer<IN> inputSerializer,
            NFACompiler.NFAFactory<IN> nfaFactory,
            @Nullable EventComparator<IN> comparator,
            AfterMatchSkipStrategy afterMatchSkipStrategy,
            PatternProcessFunction<IN, OUT> function,
            @Nullable OutputTag<IN> lateDataOutputTag,
            long windowMillis) {
        this(inputSerializer, nfaFactory, comparator, afterMatchSkipStrategy, function, lateDataOutputTag,
                windowMillis, null);
    }

    /**
     * @param erasureTest tells erasure markers (README "Privacy") from events: a marker deletes every piece of CEP
     *     state of its key (buffered elements, NFA state, partial matches) and all its timers, and emits nothing
     */
    public WindowClosingCepOperator(
            TypeSerializer<IN> inputSerializer,
            NFACompiler.NFAFactory<IN> nfaFactory,
            @Nullable EventComparator<IN> comparator,
            AfterMatchSkipStrategy afterMatchSkipStrategy,
            PatternProcessFunction<IN, OUT> function,
            @Nullable OutputTag<IN> lateDataOutputTag,
            long windowMillis,
            @Nullable ErasureTest<IN> erasureTest) {
        super(inputSerializer, false, nfaFactory, comparator, afterMatchSkipStrategy, function, lateDataOutputTag);
        if (windowMillis <= 0) {
            throw new IllegalArgumentException("window must be positive, was " + windowMillis);
        }
        this.windowMillis = windowMillis;
        this.erasureTest = erasureTest;
    }

    /** Gives Flink CEP a state store that keeps a key's whole CEP state as one value ({@link SingleValueCepStateStore}). */
    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        CompactStateContext compact = new CompactStateContext(context, this::getCurrentKey);
        stateStore = compact.keyedStateStore;
        super.initializeState(compact);
    }

    @Override
    public void open() throws Exception {
        super.open();
        timers = getInternalTimerService(TIMER_SERVICE_NAME, VoidNamespaceSerializer.INSTANCE, this);
    }

    private static final class CompactStateContext implements StateInitializationContext {
        private final StateInitializationContext delegate;
        private final SingleValueCepStateStore keyedStateStore;

        CompactStateContext(StateInitializationContext delegate, java.util.function.Supplier<Object> currentKey) {
            this.delegate = delegate;
            this.keyedStateStore = new SingleValueCepStateStore(delegate.getKeyedStateStore(), currentKey);
        }

        @Override
        public boolean isRestored() {
            return delegate.isRestored();
        }

        @Override
        public OptionalLong getRestoredCheckpointId() {
            return delegate.getRestoredCheckpointId();
        }

        @Override
        public OperatorStateStore getOperatorStateStore() {
            return delegate.getOperatorStateStore();
        }

        @Override
        public KeyedStateStore getKeyedStateStore() {
            return keyedStateStore;
        }

        @Override
        public Iterable<StatePartitionStreamProvider> getRawOperatorStateInputs() {
            return delegate.getRawOperatorStateInputs();
        }

        @Override
        public Iterable<KeyGroupStatePartitionStreamProvider> getRawKeyedStateInputs() {
            return delegate.getRawKeyedStateInputs();
        }
    }

    @Override
    public void processElement(StreamRecord<IN> element) throws Exception {
        if (erasureTest != null && erasureTest.isErasure(element.getValue())) {
            stateStore.clearCurrentKey();
            KeyTimers.deleteAll(timers, this);
            return;
        }
        long timestamp = element.getTimestamp();
        boolean onTime = timestamp > timers.currentWatermark();
        super.processElement(element);
        stateStore.flush();
        if (onTime && timestamp <= Long.MAX_VALUE - windowMillis) {
            timers.registerEventTimeTimer(VoidNamespace.INSTANCE, timestamp + windowMillis);
        }
    }

    @Override
    public void onEventTime(InternalTimer<KEY, VoidNamespace> timer) throws Exception {
        super.onEventTime(timer);
        stateStore.flush();
    }

    @Override
    public void onProcessingTime(InternalTimer<KEY, VoidNamespace> timer) throws Exception {
        super.onProcessingTime(timer);
        stateStore.flush();
    }
}
