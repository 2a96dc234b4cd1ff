package io.journeycep.patterns.cep;

import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Counts the keys that hold a keyed state, once, when the input ends (a replay's pending work: open carts, open
 * sessions). One pass over that state's keys; the keys are collected first, so a test may read each key's state (the
 * backend's keys stream must not be open while the current key moves). The current key is the last one tested
 * afterwards.
 */
public final class KeyCounts {
    private KeyCounts() {}

    /** Whether one key counts; the backend's current key is that key while it runs. */
    public interface KeyTest {
        boolean counts() throws Exception;
    }

    /** Keys holding {@code stateName}. */
    public static <K> long keysWith(KeyedStateBackend<K> backend, String stateName) {
        try (Stream<K> keys = backend.getKeys(stateName, VoidNamespace.INSTANCE)) {
            return keys.count();
        }
    }

    /** The keys holding {@code stateName}, collected (the current key may then move while the caller visits them). */
    public static <K> List<K> keys(KeyedStateBackend<K> backend, String stateName) {
        try (Stream<K> all = backend.getKeys(stateName, VoidNamespace.INSTANCE)) {
            return all.collect(Collectors.toList());
        }
    }

    /** Keys holding {@code stateName} for which {@code test} holds. */
    public static <K> long keysWith(KeyedStateBackend<K> backend, String stateName, KeyTest test) throws Exception {
        List<K> keys = keys(backend, stateName);
        long n = 0;
        for (K key : keys) {
            backend.setCurrentKey(key);
            if (test.counts()) {
                n++;
            }
        }
        return n;
    }
}
