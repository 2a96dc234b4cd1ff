package io.journeycep.patterns.cep;

import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A {@link MapState} kept as one value per key: every call is at most one state read and one write, and "is it
 * empty", "iterate the keys" or "clear" cost no range scan. Right for small per-key maps that are iterated often; on
 * RocksDB a real MapState answers each of those with an iterator seek, which has to skip the tombstones its own
 * short-lived entries leave behind.
 */
final class ValueBackedMapState<K, V> implements MapState<K, V> {
    private final ValueState<Map<K, V>> state;

    ValueBackedMapState(ValueState<Map<K, V>> state) {
        this.state = state;
    }

    private Map<K, V> read() throws Exception {
        Map<K, V> map = state.value();
        return map != null ? map : new HashMap<>();
    }

    private void write(Map<K, V> map) throws Exception {
        if (map.isEmpty()) {
            state.clear();
        } else {
            state.update(map);
        }
    }

    @Override
    public V get(K key) throws Exception {
        Map<K, V> map = state.value();
        return map == null ? null : map.get(key);
    }

    @Override
    public void put(K key, V value) throws Exception {
        Map<K, V> map = read();
        map.put(key, value);
        write(map);
    }

    @Override
    public void putAll(Map<K, V> entries) throws Exception {
        Map<K, V> map = read();
        map.putAll(entries);
        write(map);
    }

    @Override
    public void remove(K key) throws Exception {
        Map<K, V> map = state.value();
        if (map != null && map.remove(key) != null) {
            write(map);
        }
    }

    @Override
    public boolean contains(K key) throws Exception {
        Map<K, V> map = state.value();
        return map != null && map.containsKey(key);
    }

    @Override
    public Iterable<Map.Entry<K, V>> entries() {
        return this::iteratorUnchecked;
    }

    @Override
    public Iterable<K> keys() {
        return () -> new MappedIterator<>(iteratorUnchecked(), Map.Entry::getKey);
    }

    @Override
    public Iterable<V> values() {
        return () -> new MappedIterator<>(iteratorUnchecked(), Map.Entry::getValue);
    }

    @Override
    public Iterator<Map.Entry<K, V>> iterator() throws Exception {
        return new WriteThroughIterator(read());
    }

    @Override
    public boolean isEmpty() throws Exception {
        Map<K, V> map = state.value();
        return map == null || map.isEmpty();
    }

    @Override
    public void clear() {
        state.clear();
    }

    private Iterator<Map.Entry<K, V>> iteratorUnchecked() {
        try {
            return iterator();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read map state", e);
        }
    }

    /** Iterates a snapshot of the entries; {@code remove()} removes from the state too. */
    private final class WriteThroughIterator implements Iterator<Map.Entry<K, V>> {
        private final Map<K, V> map;
        private final List<Map.Entry<K, V>> entries;
        private int next;

        WriteThroughIterator(Map<K, V> map) {
            this.map = map;
            this.entries = new ArrayList<>(map.entrySet());
        }

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
            map.remove(entries.get(next - 1).getKey());
            try {
                write(map);
            } catch (Exception e) {
                throw new IllegalStateException("cannot write map state", e);
            }
        }
    }

    private static final class MappedIterator<E, T> implements Iterator<T> {
        private final Iterator<E> inner;
        private final java.util.function.Function<E, T> f;

        MappedIterator(Iterator<E> inner, java.util.function.Function<E, T> f) {
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
