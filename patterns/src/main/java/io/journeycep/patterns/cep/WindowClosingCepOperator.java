package io.journeycep.patterns.cep;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.cep.EventComparator;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.nfa.NFAState;
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
 *
 * <p>Fourth, with {@link #countingOpenMatchesAtTheEnd}, when the input ends ({@link #finish()}: a replay's last
 * watermark has been processed, the timeouts after it have not fired) it counts the keys that have a started partial
 * match (an NFA computation state past the start state: for a cart pattern, a cart whose deadline has not come) into
 * the accumulator {@value #ACC_OPEN_MATCHES_PREFIX}{@code <rule id>}. One pass over the keys, once, at the end.
 */
public class WindowClosingCepOperator<IN, KEY, OUT> extends CepOperator<IN, KEY, OUT> {
    private static final long serialVersionUID = 1L;

    /** The same name {@link CepOperator} uses, so this is the operator's own timer service. */
    private static final String TIMER_SERVICE_NAME = "watermark-callbacks";

    /** Tells erasure markers from events ({@code null}: there are none). */
    public interface ErasureTest<IN> extends Serializable {
        boolean isErasure(IN element);
    }

    /** Accumulator prefix of {@link #countingOpenMatchesAtTheEnd}: keys with a started partial match at the end. */
    public static final String ACC_OPEN_MATCHES_PREFIX = "openMatches.";

    private final long windowMillis;
    @Nullable private final ErasureTest<IN> erasureTest;
    @Nullable private String openMatchesAccumulator;
    private transient LongCounter openMatches;
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

    /** Counts the keys with a started partial match when the input ends, as {@code openMatches.<ruleId>}. */
    public WindowClosingCepOperator<IN, KEY, OUT> countingOpenMatchesAtTheEnd(String ruleId) {
        this.openMatchesAccumulator = ACC_OPEN_MATCHES_PREFIX + ruleId;
        return this;
    }

    @Override
    public void open() throws Exception {
        super.open();
        timers = getInternalTimerService(TIMER_SERVICE_NAME, VoidNamespaceSerializer.INSTANCE, this);
        if (openMatchesAccumulator != null) {
            openMatches = new LongCounter();
            getRuntimeContext().addAccumulator(openMatchesAccumulator, openMatches);
        }
    }

    @Override
    public void finish() throws Exception {
        super.finish();
        if (openMatches != null) {
            openMatches.add(countOpenMatches());
        }
    }

    /** Keys whose NFA state holds a partial match past the start state (CEP keeps an NFA state for every key seen). */
    long countOpenMatches() throws Exception {
        ValueState<?> nfa = stateStore.nfaState();
        if (nfa == null) {
            return 0;
        }
        long open = KeyCounts.keysWith(getKeyedStateBackend(), SingleValueCepStateStore.STATE_NAME,
                () -> nfa.value() instanceof NFAState s
                        && s.getPartialMatches().stream().anyMatch(c -> c.getPreviousBufferEntry() != null));
        stateStore.flush(); // nothing changed: only forgets the last key read
        return open;
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
