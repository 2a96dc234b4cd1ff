package io.journeycep.patterns.cep;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.cep.nfa.ComputationState;
import org.apache.flink.cep.nfa.NFA;
import org.apache.flink.cep.nfa.NFAState;
import org.apache.flink.cep.nfa.NFAStateSerializer;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.nfa.sharedbuffer.SharedBuffer;
import org.apache.flink.cep.nfa.sharedbuffer.SharedBufferAccessor;
import org.apache.flink.cep.time.TimerService;
import org.apache.flink.configuration.Configuration;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * One compiled Flink CEP pattern run for the current key outside {@code CepOperator}: Flink's own {@link NFA},
 * {@link NFAState} and {@link SharedBuffer}, kept in a keyed state store the caller gives (a slice of the user's one
 * value, {@link SingleValueCepStateStore#prefixed}). The caller feeds elements in event-time order and advances time;
 * this class does what {@code CepOperator} (flink-cep 2.2.1) does around the NFA for one element or one time step, in
 * the same order, so matches are the same as that operator's.
 *
 * <p>What it leaves to the caller: buffering until the watermark, sorting, timers. Why: a host that runs several
 * patterns (and other detectors) for a user holds each event once and keeps one timer per user.
 *
 * <p>Unlike {@code CepOperator}, it drops the key's NFA state when no match is under way ({@link #dropIfIdle}), so a
 * user without an open match keeps no CEP state at all (CepOperator keeps an initial NFA state for every key it saw).
 *
 * <p>Flink internals used: {@code NFA.process/advanceTime}, {@code SharedBuffer(KeyedStateStore, ...)}, {@code
 * NFAState}, {@code NFAStateSerializer}; pinned by the pipeline's {@code UserPassPatternsTest}, which requires the
 * same matches as {@link WindowClosingCepOperator} (Flink's {@code CepOperator}) for every pattern spec on a generated
 * stream, on heap and RocksDB.
 */
public final class NfaRunner<IN> {
    /** Receives a match (step name → its elements) and the event time it is emitted at, as CepOperator does. */
    public interface Matches<IN> {
        void accept(Map<String, List<IN>> match, long timestamp) throws Exception;
    }

    /** The name CepOperator gives its NFA state (flink-cep 2.2.1). */
    static final String NFA_STATE_NAME = SingleValueCepStateStore.NFA_STATE;

    private final NFACompiler.NFAFactory<IN> factory;
    private final AfterMatchSkipStrategy skip;
    private final ValueState<NFAState> state;
    private final SharedBuffer<IN> buffer;
    private final TimerService processingTime;
    private NFA<IN> nfa;

    /**
     * Registers the NFA state and the shared buffer's states in {@code store}; call while the operator initializes its
     * state.
     */
    public NfaRunner(NFACompiler.NFAFactory<IN> factory, TypeSerializer<IN> elementSerializer,
            AfterMatchSkipStrategy skip, KeyedStateStore store, TimerService processingTime) {
        this.factory = factory;
        this.skip = skip;
        this.processingTime = processingTime;
        this.state = store.getState(new ValueStateDescriptor<>(NFA_STATE_NAME, new NFAStateSerializer()));
        this.buffer = new SharedBuffer<>(store, elementSerializer);
    }

    /** Creates and opens the NFA (its conditions) with the operator's runtime context. */
    public void open(RuntimeContext context) throws Exception {
        nfa = factory.createNFA();
        nfa.open(context, new Configuration());
    }

    public void close() throws Exception {
        if (nfa != null) {
            nfa.close();
        }
        buffer.releaseCacheStatisticsTimer();
    }

    /** The pattern's {@code FIRST_AND_LAST} window (0 when none), as the NFA has it. */
    public long windowTime() {
        return nfa.getWindowTime();
    }

    /**
     * Times out and completes what {@code timestamp} ends (CepOperator's {@code advanceTime}): pending matches are
     * emitted at {@code timestamp}; timed-out partial matches are dropped (no pattern of this project handles them).
     */
    public void advanceTime(long timestamp, Matches<IN> out) throws Exception {
        NFAState current = state.value();
        if (current == null) {
            return; // no match under way: nothing to time out or complete
        }
        Tuple2<Collection<Map<String, List<IN>>>, Collection<Tuple2<Map<String, List<IN>>, Long>>> result;
        try (SharedBufferAccessor<IN> accessor = buffer.getAccessor()) {
            result = nfa.advanceTime(accessor, current, timestamp, skip);
        }
        for (Map<String, List<IN>> match : result.f0) {
            out.accept(match, timestamp);
        }
        save(current);
    }

    /**
     * Feeds one element at {@code timestamp} (CepOperator's {@code processEvent}); matches are emitted at it.
     *
     * @return whether the element started a new partial match (CepOperator then registers a timer at {@code timestamp
     *     + windowTime()})
     */
    public boolean process(IN element, long timestamp, Matches<IN> out) throws Exception {
        NFAState stored = state.value();
        NFAState current = stored != null ? stored : nfa.createInitialNFAState();
        Collection<Map<String, List<IN>>> matches;
        try (SharedBufferAccessor<IN> accessor = buffer.getAccessor()) {
            matches = nfa.process(accessor, current, element, timestamp, skip, processingTime);
        }
        boolean newStart = current.isNewStartPartialMatch();
        for (Map<String, List<IN>> match : matches) {
            out.accept(match, timestamp);
        }
        save(current);
        return newStart;
    }

    /** Whether a match is under way: a partial match past the start state, or a completed one pending. */
    public boolean hasStartedMatch() throws Exception {
        NFAState current = state.value();
        if (current == null) {
            return false;
        }
        if (!current.getCompletedMatches().isEmpty()) {
            return true;
        }
        for (ComputationState c : current.getPartialMatches()) {
            if (c.getPreviousBufferEntry() != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * Drops the key's NFA state when no match is under way and the shared buffer is empty: the state is then the
     * initial one up to the version counter of its start state, which only numbers the shared buffer's entries.
     */
    public void dropIfIdle() throws Exception {
        if (state.value() != null && !hasStartedMatch() && buffer.isEmpty()) {
            state.clear();
        }
    }

    private void save(NFAState current) throws Exception {
        if (current.isStateChanged()) {
            current.resetStateChanged();
            current.resetNewStartPartialMatch();
            state.update(current);
        }
    }
}
