package io.journeycep.pipeline.stages.dedupe;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBKeyedStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

class DedupeAndLateFilterTest {

    private static final Duration HORIZON = Duration.ofHours(24);
    private static final long T0 = 1_795_341_600_000L; // 2026-11-22T10:00:00Z

    private DedupeAndLateFilter fn;
    private KeyedOneInputStreamOperatorTestHarness<String, JourneyEvent, JourneyEvent> harness;

    private void open(boolean rocksDb) throws Exception {
        fn = new DedupeAndLateFilter(HORIZON);
        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(fn), JourneyEvent::userKey, Types.STRING);
        if (rocksDb) {
            harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        harness.setStateTtlProcessingTime(0L);
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    static JourneyEvent event(String id, String user, long ts) {
        JourneyEvent e = new JourneyEvent();
        e.eventId = id;
        e.userId = user;
        e.type = EventType.VIEW;
        e.timestamp = ts;
        return e;
    }

    private void send(JourneyEvent e) throws Exception {
        harness.processElement(new StreamRecord<>(e, e.timestamp));
    }

    private List<String> forwardedIds() {
        return harness.extractOutputValues().stream().map(e -> e.eventId).collect(Collectors.toList());
    }

    private List<String> lateIds() {
        var side = harness.getSideOutput(DedupeAndLateFilter.LATE_EVENTS);
        if (side == null) {
            return List.of();
        }
        return side.stream().map(r -> r.getValue().eventId).collect(Collectors.toList());
    }

    private long accumulator(String name) {
        LongCounter c = (LongCounter) fn.getRuntimeContext().<Long, Long>getAccumulator(name);
        return c == null ? 0L : c.getLocalValue();
    }

    @SuppressWarnings("unchecked")
    private KeyedStateBackend<String> backend() {
        return (KeyedStateBackend<String>) (KeyedStateBackend<?>) ((AbstractStreamOperator<?>) harness.getOperator()).getKeyedStateBackend();
    }

    private List<String> keysWithSeenIds() {
        try (Stream<String> keys = backend().getKeys(DedupeAndLateFilter.SEEN_IDS_STATE, VoidNamespace.INSTANCE)) {
            return keys.sorted().collect(Collectors.toList());
        }
    }

    @Test
    void duplicateWithinTheHorizonIsDroppedAndCounted() throws Exception {
        open(false);
        send(event("m-1", "u-1", T0));
        send(event("m-2", "u-1", T0 + 1));
        harness.setStateTtlProcessingTime(HORIZON.toMillis() - 1); // still within the horizon
        send(event("m-1", "u-1", T0 + 2)); // redelivery, even with another timestamp
        send(event("m-1", "u-1", T0));

        assertThat(forwardedIds()).containsExactly("m-1", "m-2");
        assertThat(lateIds()).isEmpty();
        assertThat(accumulator(DedupeAndLateFilter.ACC_DUPLICATES)).isEqualTo(2);
        assertThat(accumulator(DedupeAndLateFilter.ACC_LATE_EVENTS)).isZero();
        assertThat(fn.duplicatesCounter().getCount()).isEqualTo(2);
        assertThat(fn.eventsInCounter().getCount()).isEqualTo(4);
        assertThat(fn.lateEventsCounter().getCount()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    /** Ids are scoped per user key: the same id under another key is another event. */
    @Test
    void sameIdOnAnotherKeyIsNotADuplicate() throws Exception {
        open(false);
        send(event("m-1", "u-1", T0));
        send(event("m-1", "u-2", T0));
        JourneyEvent anon = event("m-1", null, T0);
        anon.anonymousId = "a-9";
        send(anon);

        assertThat(forwardedIds()).containsExactly("m-1", "m-1", "m-1");
        assertThat(accumulator(DedupeAndLateFilter.ACC_DUPLICATES)).isZero();
        assertThat(keysWithSeenIds()).containsExactly("anon:a-9", "u-1", "u-2");
    }

    @Test
    void lateEventGoesToTheSideOutputAfterAWatermark() throws Exception {
        open(false);
        send(event("m-1", "u-1", T0));
        harness.processWatermark(new Watermark(T0 + 10_000));
        send(event("m-2", "u-1", T0 + 5_000)); // behind the watermark
        send(event("m-1", "u-1", T0 + 1_000)); // late and a duplicate: late wins, counted once
        send(event("m-3", "u-1", T0 + 20_000));

        assertThat(forwardedIds()).containsExactly("m-1", "m-3");
        assertThat(lateIds()).containsExactly("m-2", "m-1");
        assertThat(accumulator(DedupeAndLateFilter.ACC_LATE_EVENTS)).isEqualTo(2);
        assertThat(accumulator(DedupeAndLateFilter.ACC_DUPLICATES)).isZero();
        assertThat(fn.lateEventsCounter().getCount()).isEqualTo(2);
        // the late event was not remembered: the same id on time later is forwarded
        send(event("m-2", "u-1", T0 + 30_000));
        assertThat(forwardedIds()).containsExactly("m-1", "m-3", "m-2");
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void eventExactlyAtTheWatermarkIsLateAndOneJustAfterIsNot() throws Exception {
        open(false);
        harness.processWatermark(new Watermark(T0));
        send(event("at", "u-1", T0));
        send(event("after", "u-1", T0 + 1));

        assertThat(lateIds()).containsExactly("at");
        assertThat(forwardedIds()).containsExactly("after");
    }

    @Test
    void beforeAnyWatermarkNothingIsLate() throws Exception {
        open(false);
        send(event("old", "u-1", 0L));
        send(event("negative", "u-1", -5L));
        assertThat(forwardedIds()).containsExactly("old", "negative");
    }

    @Test
    void eventWithoutIdIsForwardedWithoutDedupe() throws Exception {
        open(false);
        send(event(null, "u-1", T0));
        send(event(null, "u-1", T0));
        assertThat(harness.extractOutputValues()).hasSize(2);
        assertThat(accumulator(DedupeAndLateFilter.ACC_DUPLICATES)).isZero();
    }

    @Test
    void seenIdsExpireAfterTheHorizonOnHeap() throws Exception {
        open(false);
        send(event("m-1", "u-1", T0));
        send(event("m-2", "u-1", T0));
        send(event("m-3", "u-2", T0));
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2);

        harness.setStateTtlProcessingTime(HORIZON.toMillis() + 1);
        // Touching keys runs the heap's incremental cleanup. It does bounded work per state access (it visits at
        // most `cleanupSize` hash buckets of the state table), so it takes a few records to sweep the whole
        // table; here a user u-3 sending records (duplicates after the first) purges u-1's and u-2's maps.
        int touches = 0;
        do {
            send(event("m-9", "u-3", T0 + 1));
            touches++;
        } while (harness.numKeyedStateEntries() > 1 && touches < 100);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        assertThat(touches).isLessThan(100);
        assertThat(keysWithSeenIds()).containsExactly("u-3");

        // and an id seen before the horizon is new again
        send(event("m-1", "u-1", T0 + 2));
        assertThat(forwardedIds()).containsExactly("m-1", "m-2", "m-3", "m-9", "m-1");
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
        // a key whose only id expired: reading it removes it; the state then holds only the re-sent id
        harness.setStateTtlProcessingTime(3 * HORIZON.toMillis());
        send(event("m-1", "u-1", T0 + 3));
        assertThat(forwardedIds()).endsWith("m-1", "m-1");
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void seenIdsExpireAfterTheHorizonOnRocksDb() throws Exception {
        open(true);
        assertThat(backend()).isInstanceOf(RocksDBKeyedStateBackend.class);
        send(event("m-1", "u-1", T0));
        send(event("m-2", "u-1", T0));
        send(event("m-3", "u-2", T0));
        assertThat(keysWithSeenIds()).containsExactly("u-1", "u-2");

        harness.setStateTtlProcessingTime(HORIZON.toMillis() - 1);
        send(event("m-1", "u-1", T0 + 1));
        assertThat(accumulator(DedupeAndLateFilter.ACC_DUPLICATES)).isEqualTo(1);

        harness.setStateTtlProcessingTime(HORIZON.toMillis() + 1);
        // touching the key: the expired id is invisible, so it is forwarded again
        send(event("m-1", "u-1", T0 + 2));
        assertThat(forwardedIds()).containsExactly("m-1", "m-2", "m-3", "m-1");

        // RocksDB drops expired entries physically in its compaction filter; force a compaction
        ((RocksDBKeyedStateBackend<String>) backend()).compactState(DedupeAndLateFilter.seenIdsDescriptor(HORIZON));
        // what is left is only the id written after the horizon (m-1 of u-1 at TTL time horizon+1)
        assertThat(keysWithSeenIds()).containsExactly("u-1");

        harness.setStateTtlProcessingTime(2 * HORIZON.toMillis() + 2);
        ((RocksDBKeyedStateBackend<String>) backend()).compactState(DedupeAndLateFilter.seenIdsDescriptor(HORIZON));
        assertThat(keysWithSeenIds()).isEmpty();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void dedupeWorksOnBothBackends(boolean rocksDb) throws Exception {
        open(rocksDb);
        send(event("m-1", "u-1", T0));
        send(event("m-1", "u-1", T0));
        send(event("m-1", "u-2", T0));
        harness.processWatermark(new Watermark(T0));
        send(event("m-4", "u-2", T0));
        assertThat(forwardedIds()).containsExactly("m-1", "m-1");
        assertThat(lateIds()).containsExactly("m-4");
        assertThat(accumulator(DedupeAndLateFilter.ACC_DUPLICATES)).isEqualTo(1);
        assertThat(accumulator(DedupeAndLateFilter.ACC_LATE_EVENTS)).isEqualTo(1);
    }
}
