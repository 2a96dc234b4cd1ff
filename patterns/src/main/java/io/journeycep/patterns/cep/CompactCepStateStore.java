package io.journeycep.patterns.cep;

import org.apache.flink.api.common.state.AggregatingState;
import org.apache.flink.api.common.state.AggregatingStateDescriptor;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReducingState;
import org.apache.flink.api.common.state.ReducingStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.MapSerializer;

import org.apache.flink.api.common.state.State;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The keyed state store Flink CEP is given by {@link WindowClosingCepOperator}: everything is the backend's own,
 * except the small per-key maps CEP iterates on every timer, which become {@link ValueBackedMapState}s.
 *
 * <p>They are {@code sharedBuffer-events-count} (per-timestamp counters of buffered events; {@code
 * SharedBuffer.advanceTime} walks its keys, then calls {@code isEmpty()} and {@code clear()}) and {@code
 * eventQueuesStateName} (the elements waiting for the watermark; {@code CepOperator.onEventTime} walks its keys).
 * Profiling the stage on RocksDB showed nearly all time in those scans.
 */
final class CompactCepStateStore implements KeyedStateStore {
    /** Flink CEP's state names (flink-cep 2.2.1: SharedBuffer, CepOperator) that get one value per key. */
    static final Set<String> COMPACTED = Set.of("sharedBuffer-events-count", "eventQueuesStateName");
    /** Suffix of the value states that replace them (a different name: a different state type). */
    static final String SUFFIX = "-per-key-value";

    private final KeyedStateStore delegate;
    /** Every state handed to CEP, to delete a key's (erasure). */
    private final List<State> created = new ArrayList<>();
    /** Flink CEP's per-key NFA state (its partial matches), once CEP has asked for it; {@code null} before. */
    private ValueState<?> nfaState;

    CompactCepStateStore(KeyedStateStore delegate) {
        this.delegate = delegate;
    }

    /** Clears every state CEP uses, for the current key. */
    void clearCurrentKey() {
        created.forEach(State::clear);
    }

    private <S extends State> S track(S state) {
        created.add(state);
        return state;
    }

    @Override
    public <UK, UV> MapState<UK, UV> getMapState(MapStateDescriptor<UK, UV> descriptor) {
        if (!COMPACTED.contains(descriptor.getName())) {
            return track(delegate.getMapState(descriptor));
        }
        ValueState<Map<UK, UV>> value = delegate.getState(new ValueStateDescriptor<>(
                descriptor.getName() + SUFFIX,
                new MapSerializer<>(descriptor.getKeySerializer(), descriptor.getValueSerializer())));
        return track(new ValueBackedMapState<>(value));
    }

    @Override
    public <T> ValueState<T> getState(ValueStateDescriptor<T> descriptor) {
        ValueState<T> state = track(delegate.getState(descriptor));
        if (NFA_STATE.equals(descriptor.getName())) {
            nfaState = state;
        }
        return state;
    }

    /** Name of CEP's NFA state (flink-cep 2.2.1, CepOperator). */
    static final String NFA_STATE = "nfaStateName";

    /** CEP's NFA state for the current key, or {@code null} if CEP has not registered it. */
    ValueState<?> nfaState() {
        return nfaState;
    }

    @Override
    public <T> ListState<T> getListState(ListStateDescriptor<T> descriptor) {
        return track(delegate.getListState(descriptor));
    }

    @Override
    public <T> ReducingState<T> getReducingState(ReducingStateDescriptor<T> descriptor) {
        return delegate.getReducingState(descriptor);
    }

    @Override
    public <IN, ACC, OUT> AggregatingState<IN, OUT> getAggregatingState(
            AggregatingStateDescriptor<IN, ACC, OUT> descriptor) {
        return delegate.getAggregatingState(descriptor);
    }

    @Override
    public <T> org.apache.flink.api.common.state.v2.ValueState<T> getValueState(
            org.apache.flink.api.common.state.v2.ValueStateDescriptor<T> descriptor) {
        return delegate.getValueState(descriptor);
    }

    @Override
    public <T> org.apache.flink.api.common.state.v2.ListState<T> getListState(
            org.apache.flink.api.common.state.v2.ListStateDescriptor<T> descriptor) {
        return delegate.getListState(descriptor);
    }

    @Override
    public <UK, UV> org.apache.flink.api.common.state.v2.MapState<UK, UV> getMapState(
            org.apache.flink.api.common.state.v2.MapStateDescriptor<UK, UV> descriptor) {
        return delegate.getMapState(descriptor);
    }

    @Override
    public <T> org.apache.flink.api.common.state.v2.ReducingState<T> getReducingState(
            org.apache.flink.api.common.state.v2.ReducingStateDescriptor<T> descriptor) {
        return delegate.getReducingState(descriptor);
    }

    @Override
    public <IN, ACC, OUT> org.apache.flink.api.common.state.v2.AggregatingState<IN, OUT> getAggregatingState(
            org.apache.flink.api.common.state.v2.AggregatingStateDescriptor<IN, ACC, OUT> descriptor) {
        return delegate.getAggregatingState(descriptor);
    }

    @Override
    public String getBackendTypeIdentifier() {
        return delegate.getBackendTypeIdentifier();
    }
}
