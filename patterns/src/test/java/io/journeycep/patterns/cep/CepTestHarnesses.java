package io.journeycep.patterns.cep;

import io.journeycep.patterns.ArrivalOrder;
import io.journeycep.patterns.JourneyPattern;
import io.journeycep.patterns.PatternStep;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import java.util.List;
import java.util.stream.Stream;

/** Runs a {@link JourneyPattern} in {@link WindowClosingCepOperator} under a keyed test harness, as the job does. */
public final class CepTestHarnesses {
    /**
     * Every keyed state that can hold CEP's data: the single value of WindowClosingCepOperator's store, and Flink
     * CEP's own states (flink-cep 2.2.1's names), which must stay unused.
     */
    private static final List<String> CEP_STATES = List.of(SingleValueCepStateStore.STATE_NAME, "nfaStateName",
            "sharedBuffer-entries-with-lockable-edges", "sharedBuffer-entries", "sharedBuffer-events",
            "sharedBuffer-events-count", "eventQueuesStateName");

    private CepTestHarnesses() {}

    /** An opened harness keyed by user, on heap or RocksDB, with arrival order for ties. */
    public static <T extends PatternStep> KeyedOneInputStreamOperatorTestHarness<String, T, String> open(
            Class<T> type, JourneyPattern<T> pattern, long windowMillis, PatternProcessFunction<T, String> function,
            boolean rocksDb) throws Exception {
        WindowClosingCepOperator<T, String, String> operator = new WindowClosingCepOperator<>(
                TypeInformation.of(type).createSerializer(new ExecutionConfig().getSerializerConfig()),
                NFACompiler.compileFactory(pattern.pattern(), false),
                new ArrivalOrder<>(),
                pattern.skipStrategy(),
                function,
                null,
                windowMillis);
        KeyedOneInputStreamOperatorTestHarness<String, T, String> harness =
                new KeyedOneInputStreamOperatorTestHarness<>(operator, s -> s.userKey, TypeInformation.of(String.class));
        if (rocksDb) {
            harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        harness.open();
        return harness;
    }

    /** Keys holding state under {@code stateName}; works on heap and RocksDB alike. */
    public static long keysWithState(KeyedOneInputStreamOperatorTestHarness<String, ?, ?> harness, String stateName)
            throws Exception {
        try (Stream<String> keys =
                harness.getOperator().<String>getKeyedStateBackend().getKeys(stateName, VoidNamespace.INSTANCE)) {
            return keys.count();
        }
    }

    /** Keys holding any of Flink CEP's keyed state. */
    public static long keysWithCepState(KeyedOneInputStreamOperatorTestHarness<String, ?, ?> harness)
            throws Exception {
        long n = 0;
        for (String state : CEP_STATES) {
            n += keysWithState(harness, state);
        }
        return n;
    }
}
