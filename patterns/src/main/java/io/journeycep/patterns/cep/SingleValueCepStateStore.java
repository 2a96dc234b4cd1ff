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
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.MapSerializer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The keyed state store Flink CEP is given by {@link WindowClosingCepOperator}: every state CEP asks for (its NFA
 * state, the shared buffer's entries, events and counters, the element queue) is a slot of <b>one value per key</b>
 * ({@value #STATE_NAME}). The key's slots are read from the backend once, on the first access of an element or a
 * timer, and written back once ({@link #flush}), when the operator is done with it.
 *
 * <p>Why: Flink CEP touches five states per element and per timer, several times each (the shared buffer's maps per
 * partial-match node and event); on RocksDB every touch is a JNI call, a point read or write, and the map scans
 * seek across tombstones. Here an element or a timer costs one read and at most one write. CEP's code and
 * semantics are unchanged: slots hold the same objects a heap backend would, and CEP is written to work on both.
 *
 * <p>A slot is deserialized when it is first read for a key and serialized again at the flush only if it was changed
 * through its state ({@code update}, {@code put}, {@code remove}, {@code clear}); the other slots keep their stored
 * bytes ({@link SlotsSerializer}). So, as on any RocksDB state, a value changed in place and not given back with
 * {@code update} is not kept.
 *
 * <p>Single-threaded, like the operator. A slot access for a key other than the loaded one without a {@link #flush}
 * between them fails loudly instead of mixing two keys' state.
 */
public final class SingleValueCepStateStore implements KeyedStateStore {
    /** The one keyed state that holds every slot. */
    public static final String STATE_NAME = "cep-key-state";

    private final KeyedStateStore delegate;
    private final Supplier<Object> currentKey;
    private final List<String> names = new ArrayList<>();
    private final List<TypeSerializer<?>> serializers = new ArrayList<>();

    /** Name of CEP's NFA state (flink-cep 2.2.1, CepOperator). */
    static final String NFA_STATE = "nfaStateName";

    private ValueState<?> nfaState;
    private ValueState<Object[]> value;
    private SlotsSerializer slotsSerializer;
    /**
     * The slots of {@link #loadedKey}, or {@code null} when nothing is loaded: a slot read by a guest holds its value,
     * one not read yet its stored bytes ({@link SlotsSerializer.Serialized}).
     */
    private Object[] slots;
    /** The slots as loaded (stored bytes, or on a heap backend the values), for the slots nobody changed. */
    private Object[] loaded;
    /** Which slots of the loaded key were changed ({@code update}, {@code put}, ...): only those are serialized. */
    private boolean[] changed;
    private Object loadedKey;
    private boolean dirty;

    /**
     * @param currentKey the backend's current key (the operator's), to tell when the key changes
     */
    public SingleValueCepStateStore(KeyedStateStore delegate, Supplier<Object> currentKey) {
        this.delegate = delegate;
        this.currentKey = currentKey;
    }

    /** Writes the loaded key's slots back (if anything changed) and forgets them. */
    public void flush() throws Exception {
        if (slots != null && dirty) {
            Object[] row = new Object[slots.length];
            boolean empty = true;
            for (int i = 0; i < slots.length; i++) {
                row[i] = changed[i] ? slots[i] : loaded[i];
                empty &= row[i] == null;
            }
            if (empty) {
                value().clear();
            } else {
                value().update(row);
            }
        }
        forget();
    }

    private void forget() {
        slots = null;
        loaded = null;
        loadedKey = null;
        dirty = false;
    }

    /** Deletes every slot of the current key (an erasure). */
    public void clearCurrentKey() throws Exception {
        forget();
        value().clear();
    }

    /**
     * The size in bytes of the current key's value as the backend stores it (the key not included; 0 without one): for
     * state probes in benchmarks.
     */
    public int serializedSize() throws Exception {
        Object[] stored = value().value();
        if (stored == null) {
            return 0;
        }
        org.apache.flink.core.memory.DataOutputSerializer out = new org.apache.flink.core.memory.DataOutputSerializer(256);
        slotsSerializer().serialize(stored, out);
        return out.length();
    }

    /**
     * The current key's states that hold a value, by name (prefixed names for a prefixed view's states), as the
     * backend stores them: for state probes in tests and benchmarks.
     */
    public java.util.Map<String, Object> presentStates() throws Exception {
        java.util.Map<String, Object> present = new java.util.TreeMap<>();
        Object[] stored = value().value();
        if (stored != null) {
            for (int i = 0; i < stored.length; i++) {
                if (stored[i] instanceof SlotsSerializer.Serialized) {
                    present.put(names.get(i), slotsSerializer().deserializeSlot(i, (SlotsSerializer.Serialized) stored[i]));
                } else if (stored[i] != null) {
                    present.put(names.get(i), stored[i]);
                }
            }
        }
        return present;
    }

    /**
     * A view of this store in which every state name is prefixed with {@code prefix}: one detector's slice of the
     * key's value (for example one pattern's NFA and shared buffer, whose state names are fixed by Flink CEP).
     */
    public KeyedStateStore prefixed(String prefix) {
        return new Prefixed(prefix);
    }

    private ValueState<Object[]> value() {
        if (value == null) {
            value = delegate.getState(new ValueStateDescriptor<>(STATE_NAME, slotsSerializer()));
        }
        return value;
    }

    /** The store's own instance, to deserialize single slots (the backend's may be a duplicate). */
    private SlotsSerializer slotsSerializer() {
        if (slotsSerializer == null) {
            slotsSerializer = new SlotsSerializer(serializers.toArray(new TypeSerializer<?>[0]));
            changed = new boolean[serializers.size()];
        }
        return slotsSerializer;
    }

    private Object[] slots() {
        Object key = currentKey.get();
        if (slots != null && !Objects.equals(key, loadedKey)) {
            if (dirty) {
                throw new IllegalStateException("CEP state of key " + loadedKey + " was changed and not flushed before "
                        + "key " + key + " was accessed");
            }
            forget();
        }
        if (slots == null) {
            try {
                Object[] stored = value().value();
                slots = stored != null ? stored.clone() : new Object[serializers.size()];
                loaded = stored != null ? stored : new Object[serializers.size()];
            } catch (Exception e) {
                throw new IllegalStateException("cannot read CEP state", e);
            }
            java.util.Arrays.fill(changed, false);
            loadedKey = key;
        }
        return slots;
    }

    private int register(String name, TypeSerializer<?> serializer) {
        if (value != null) {
            throw new IllegalStateException("CEP asked for state " + name + " after its first element");
        }
        if (names.contains(name)) {
            throw new IllegalStateException("state " + name + " registered twice");
        }
        names.add(name);
        serializers.add(serializer);
        return names.size() - 1;
    }

    /** Slot {@code slot}'s value, deserialized from its stored bytes at its first read for the loaded key. */
    @SuppressWarnings("unchecked")
    private <T> T slotValue(int slot) {
        Object[] row = slots();
        Object v = row[slot];
        if (v instanceof SlotsSerializer.Serialized) {
            try {
                v = slotsSerializer.deserializeSlot(slot, (SlotsSerializer.Serialized) v);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot read state " + names.get(slot), e);
            }
            row[slot] = v;
        }
        return (T) v;
    }

    private void setSlot(int slot, Object v) {
        slots()[slot] = v;
        markChanged(slot);
    }

    private void markChanged(int slot) {
        changed[slot] = true;
        dirty = true;
    }

    @Override
    public <T> ValueState<T> getState(ValueStateDescriptor<T> descriptor) {
        int slot = register(descriptor.getName(), descriptor.getSerializer());
        SlotValue<T> state = new SlotValue<>(slot);
        if (NFA_STATE.equals(descriptor.getName())) {
            nfaState = state;
        }
        return state;
    }

    /** CEP's NFA state (its partial matches) for the current key, or {@code null} if CEP has not asked for it. */
    ValueState<?> nfaState() {
        return nfaState;
    }

    @Override
    public <UK, UV> MapState<UK, UV> getMapState(MapStateDescriptor<UK, UV> descriptor) {
        int slot = register(descriptor.getName(),
                new MapSerializer<>(descriptor.getKeySerializer(), descriptor.getValueSerializer()));
        return new SlotMap<>(slot);
    }

    @Override
    public <T> ListState<T> getListState(ListStateDescriptor<T> descriptor) {
        throw unsupported("list", descriptor.getName());
    }

    @Override
    public <T> ReducingState<T> getReducingState(ReducingStateDescriptor<T> descriptor) {
        throw unsupported("reducing", descriptor.getName());
    }

    @Override
    public <IN, ACC, OUT> AggregatingState<IN, OUT> getAggregatingState(
            AggregatingStateDescriptor<IN, ACC, OUT> descriptor) {
        throw unsupported("aggregating", descriptor.getName());
    }

    @Override
    public <T> org.apache.flink.api.common.state.v2.ValueState<T> getValueState(
            org.apache.flink.api.common.state.v2.ValueStateDescriptor<T> descriptor) {
        throw unsupported("v2 value", descriptor.getStateId());
    }

    @Override
    public <T> org.apache.flink.api.common.state.v2.ListState<T> getListState(
            org.apache.flink.api.common.state.v2.ListStateDescriptor<T> descriptor) {
        throw unsupported("v2 list", descriptor.getStateId());
    }

    @Override
    public <UK, UV> org.apache.flink.api.common.state.v2.MapState<UK, UV> getMapState(
            org.apache.flink.api.common.state.v2.MapStateDescriptor<UK, UV> descriptor) {
        throw unsupported("v2 map", descriptor.getStateId());
    }

    @Override
    public <T> org.apache.flink.api.common.state.v2.ReducingState<T> getReducingState(
            org.apache.flink.api.common.state.v2.ReducingStateDescriptor<T> descriptor) {
        throw unsupported("v2 reducing", descriptor.getStateId());
    }

    @Override
    public <IN, ACC, OUT> org.apache.flink.api.common.state.v2.AggregatingState<IN, OUT> getAggregatingState(
            org.apache.flink.api.common.state.v2.AggregatingStateDescriptor<IN, ACC, OUT> descriptor) {
        throw unsupported("v2 aggregating", descriptor.getStateId());
    }

    @Override
    public String getBackendTypeIdentifier() {
        return delegate.getBackendTypeIdentifier();
    }

    /** Flink CEP 2.2.1 asks only for value and map states; a new kind after an upgrade must fail the start. */
    private static UnsupportedOperationException unsupported(String kind, String name) {
        return new UnsupportedOperationException("CEP asked for a " + kind + " state (" + name
                + "), which the single-value CEP state store does not keep: check the flink-cep upgrade");
    }

    private final class SlotValue<T> implements ValueState<T> {
        private final int slot;

        SlotValue(int slot) {
            this.slot = slot;
        }

        @Override
        public T value() {
            return slotValue(slot);
        }

        @Override
        public void update(T v) {
            setSlot(slot, v);
        }

        @Override
        public void clear() {
            if (slotValue(slot) != null) {
                setSlot(slot, null);
            }
        }
    }

    /** A map slot: {@code null} while empty, so an empty map costs nothing in the stored value. */
    private final class SlotMap<K, V> implements MapState<K, V> {
        private final int slot;

        SlotMap(int slot) {
            this.slot = slot;
        }

        private Map<K, V> readOnly() {
            Map<K, V> map = slotValue(slot);
            return map != null ? map : Map.of();
        }

        private Map<K, V> writable() {
            Map<K, V> map = slotValue(slot);
            if (map == null) {
                map = new HashMap<>();
            }
            setSlot(slot, map);
            return map;
        }

        private void dropIfEmpty() {
            Map<K, V> map = slotValue(slot);
            if (map != null && map.isEmpty()) {
                setSlot(slot, null);
            }
        }

        @Override
        public V get(K key) {
            return readOnly().get(key);
        }

        @Override
        public void put(K key, V v) {
            writable().put(key, v);
        }

        @Override
        public void putAll(Map<K, V> entries) {
            writable().putAll(entries);
        }

        @Override
        public void remove(K key) {
            Map<K, V> map = slotValue(slot);
            if (map != null && map.remove(key) != null) {
                markChanged(slot);
                dropIfEmpty();
            }
        }

        @Override
        public boolean contains(K key) {
            return readOnly().containsKey(key);
        }

        @Override
        public Iterable<Map.Entry<K, V>> entries() {
            return this::iterator;
        }

        @Override
        public Iterable<K> keys() {
            return () -> new Mapped<>(iterator(), Map.Entry::getKey);
        }

        @Override
        public Iterable<V> values() {
            return () -> new Mapped<>(iterator(), Map.Entry::getValue);
        }

        /** Iterates a copy of the entries (CEP changes the map while it walks it); {@code remove()} writes through. */
        @Override
        public Iterator<Map.Entry<K, V>> iterator() {
            List<Map.Entry<K, V>> entries = new ArrayList<>(readOnly().entrySet());
            return new Iterator<>() {
                private int next;

                @Override
                public boolean hasNext() {
                    return next < entries.size();
                }

                @Override
                public Map.Entry<K, V> next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    return entries.get(next++);
                }

                @Override
                public void remove() {
                    if (next == 0) {
                        throw new IllegalStateException("next() was not called");
                    }
                    SlotMap.this.remove(entries.get(next - 1).getKey());
                }
            };
        }

        @Override
        public boolean isEmpty() {
            return readOnly().isEmpty();
        }

        @Override
        public void clear() {
            if (slotValue(slot) != null) {
                setSlot(slot, null);
            }
        }
    }

    /** {@link #prefixed}: value and map states only, as for CEP. */
    private final class Prefixed implements KeyedStateStore {
        private final String prefix;

        Prefixed(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public <T> ValueState<T> getState(ValueStateDescriptor<T> descriptor) {
            return SingleValueCepStateStore.this.getState(
                    new ValueStateDescriptor<>(prefix + descriptor.getName(), descriptor.getSerializer()));
        }

        @Override
        public <UK, UV> MapState<UK, UV> getMapState(MapStateDescriptor<UK, UV> descriptor) {
            return SingleValueCepStateStore.this.getMapState(new MapStateDescriptor<>(prefix + descriptor.getName(),
                    descriptor.getKeySerializer(), descriptor.getValueSerializer()));
        }

        @Override
        public <T> ListState<T> getListState(ListStateDescriptor<T> descriptor) {
            return SingleValueCepStateStore.this.getListState(descriptor); // unsupported there too
        }

        @Override
        public <T> ReducingState<T> getReducingState(ReducingStateDescriptor<T> descriptor) {
            return SingleValueCepStateStore.this.getReducingState(descriptor); // unsupported there too
        }

        @Override
        public <IN, ACC, OUT> AggregatingState<IN, OUT> getAggregatingState(
                AggregatingStateDescriptor<IN, ACC, OUT> descriptor) {
            return SingleValueCepStateStore.this.getAggregatingState(descriptor); // unsupported there too
        }

        @Override
        public <T> org.apache.flink.api.common.state.v2.ValueState<T> getValueState(
                org.apache.flink.api.common.state.v2.ValueStateDescriptor<T> descriptor) {
            return SingleValueCepStateStore.this.getValueState(descriptor); // unsupported there too
        }

        @Override
        public <T> org.apache.flink.api.common.state.v2.ListState<T> getListState(
                org.apache.flink.api.common.state.v2.ListStateDescriptor<T> descriptor) {
            return SingleValueCepStateStore.this.getListState(descriptor); // unsupported there too
        }

        @Override
        public <UK, UV> org.apache.flink.api.common.state.v2.MapState<UK, UV> getMapState(
                org.apache.flink.api.common.state.v2.MapStateDescriptor<UK, UV> descriptor) {
            return SingleValueCepStateStore.this.getMapState(descriptor); // unsupported there too
        }

        @Override
        public <T> org.apache.flink.api.common.state.v2.ReducingState<T> getReducingState(
                org.apache.flink.api.common.state.v2.ReducingStateDescriptor<T> descriptor) {
            return SingleValueCepStateStore.this.getReducingState(descriptor); // unsupported there too
        }

        @Override
        public <IN, ACC, OUT> org.apache.flink.api.common.state.v2.AggregatingState<IN, OUT> getAggregatingState(
                org.apache.flink.api.common.state.v2.AggregatingStateDescriptor<IN, ACC, OUT> descriptor) {
            return SingleValueCepStateStore.this.getAggregatingState(descriptor); // unsupported there too
        }

        @Override
        public String getBackendTypeIdentifier() {
            return SingleValueCepStateStore.this.getBackendTypeIdentifier();
        }
    }

    private static final class Mapped<E, T> implements Iterator<T> {
        private final Iterator<E> inner;
        private final java.util.function.Function<E, T> f;

        Mapped(Iterator<E> inner, java.util.function.Function<E, T> f) {
            this.inner = inner;
            this.f = f;
        }

        @Override
        public boolean hasNext() {
            return inner.hasNext();
        }

        @Override
        public T next() {
            return f.apply(inner.next());
        }

        @Override
        public void remove() {
            inner.remove();
        }
    }
}
