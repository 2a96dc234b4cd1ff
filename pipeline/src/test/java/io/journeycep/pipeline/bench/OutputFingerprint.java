package io.journeycep.pipeline.bench;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.accumulators.LongCounter;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts the records of one output by kind and sums a 64-bit hash of each record's identity, in accumulators
 * {@code fp.<output>.<kind>.n} and {@code fp.<output>.<kind>.h}. The sum does not depend on the order the records
 * arrive in, so two runs of the same input (before and after a change meant only to be faster) give the same lines
 * exactly when they wrote the same records: alert ids, segment change ids, transition rows. {@code bash bench/outputs.sh}
 * prints them.
 */
final class OutputFingerprint<T> extends RichMapFunction<T, T> {
    private static final long serialVersionUID = 1L;
    static final String PREFIX = "fp.";

    /** What a record is counted under, and what identifies it. */
    interface Identity<T> extends Serializable {
        String kind(T record);

        String id(T record);
    }

    private final String output;
    private final Identity<T> identity;
    private transient Map<String, LongCounter[]> byKind;

    OutputFingerprint(String output, Identity<T> identity) {
        this.output = output;
        this.identity = identity;
    }

    @Override
    public void open(OpenContext ctx) {
        byKind = new HashMap<>();
    }

    @Override
    public T map(T record) {
        LongCounter[] counters = byKind.computeIfAbsent(identity.kind(record), kind -> new LongCounter[] {
                getRuntimeContext().getLongCounter(PREFIX + output + "." + kind + ".n"),
                getRuntimeContext().getLongCounter(PREFIX + output + "." + kind + ".h")});
        counters[0].add(1);
        counters[1].add(hash64(identity.id(record))); // wraps around: a sum modulo 2^64
        return record;
    }

    /** FNV-1a over the UTF-8 bytes, then a 64-bit finalizer (so that near ids spread over the whole range). */
    static long hash64(String id) {
        long h = 0xcbf29ce484222325L;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /** The fingerprint lines of a run's accumulators: {@code output.kind count hash}, sorted. */
    static String lines(Map<String, Object> accumulators) {
        TreeMap<String, long[]> rows = new TreeMap<>();
        accumulators.forEach((name, value) -> {
            if (name.startsWith(PREFIX)) {
                String key = name.substring(PREFIX.length(), name.length() - 2);
                long[] row = rows.computeIfAbsent(key, k -> new long[2]);
                row[name.endsWith(".n") ? 0 : 1] = ((Number) value).longValue();
            }
        });
        StringBuilder b = new StringBuilder();
        rows.forEach((key, row) -> b.append("FINGERPRINT ").append(key).append(' ').append(row[0]).append(' ')
                .append(String.format("%016x", row[1])).append('\n'));
        return b.toString();
    }
}
