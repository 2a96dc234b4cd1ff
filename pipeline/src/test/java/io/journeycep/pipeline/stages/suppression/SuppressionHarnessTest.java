package io.journeycep.pipeline.stages.suppression;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.Erasure;
import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import io.journeycep.model.Suppression;
import io.journeycep.pipeline.stages.dedupe.DedupeAndLateFilter;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
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
import java.util.Map;

/** Suppression at the dedupe stage ({@link DedupeAndLateFilter}, README "Privacy"): per operator, with its state. */
class SuppressionHarnessTest {
    private static final long T0 = 1_795_341_600_000L; // 2026-11-22T10:00:00Z
    private static final long MIN = 60_000L;
    private static final Duration HORIZON = Duration.ofHours(1);

    private DedupeAndLateFilter fn;
    private KeyedOneInputStreamOperatorTestHarness<String, JourneyEvent, JourneyEvent> harness;

    private void open(boolean rocksDb, Map<String, SuppressionTimeline> known, OperatorSubtaskState restore)
            throws Exception {
        fn = new DedupeAndLateFilter(HORIZON, known);
        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(fn), JourneyEvent::userKey, Types.STRING);
        if (rocksDb) {
            harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        harness.setStateTtlProcessingTime(0L);
        if (restore != null) {
            harness.initializeState(restore);
        }
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
            harness = null;
        }
    }

    private static JourneyEvent event(String id, String user, long ts) {
        JourneyEvent e = new JourneyEvent();
        e.eventId = id;
        e.userId = user;
        e.type = EventType.VIEW;
        e.timestamp = ts;
        return e;
    }

    private static JourneyEvent marker(boolean suppress, String user, long at) {
        return JourneyEvent.suppressionMarker(
                Suppression.of("test:control@" + at, "sha256:x", suppress, at, new String[] {user}), user, null);
    }

    private void send(JourneyEvent e) throws Exception {
        harness.processElement(new StreamRecord<>(e, e.timestamp));
    }

    private List<String> forwarded() {
        return harness.extractOutputValues().stream().map(e -> e.eventId).toList();
    }

    private long suppressedCount() {
        LongCounter c = (LongCounter) fn.getRuntimeContext()
                .<Long, Long>getAccumulator(DedupeAndLateFilter.ACC_SUPPRESSED);
        return c == null ? 0L : c.getLocalValue();
    }

    private static <T> T roundTrip(Class<T> type, T value) throws Exception {
        TypeInformation<T> info = TypeInformation.of(type);
        assertThat(info).as(type.getSimpleName()).isInstanceOf(PojoTypeInfo.class);
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        TypeSerializer<T> serializer = info.createSerializer(config); // throws if anything needs Kryo
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(value, out);
        return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    @Test
    void theMarkerAndTheTimelineAreFlinkPojos() throws Exception {
        JourneyEvent m = marker(true, "alice", T0);
        assertThat(roundTrip(JourneyEvent.class, m)).isEqualTo(m);
        assertThat(roundTrip(JourneyEvent.class, m).suppression.userKeys).containsExactly("alice");
        SuppressionTimeline t = new SuppressionTimeline();
        t.record(T0, true);
        t.record(T0 + MIN, false);
        assertThat(roundTrip(SuppressionTimeline.class, t)).isEqualTo(t);
    }

    @Test
    void theLatestRequestAtOrBeforeAnEventDecidesWhateverTheOrderTheyWereRecordedIn() {
        SuppressionTimeline t = new SuppressionTimeline();
        t.record(T0 + 30 * MIN, false);
        t.record(T0 + 10 * MIN, true);
        t.record(T0 + 40 * MIN, true);
        t.record(T0 + 40 * MIN, false); // recorded later at the same time: it wins
        assertThat(t.suppresses(T0)).isFalse();
        assertThat(t.suppresses(T0 + 10 * MIN)).as("from the request time on, inclusive").isTrue();
        assertThat(t.suppresses(T0 + 29 * MIN)).isTrue();
        assertThat(t.suppresses(T0 + 30 * MIN)).as("an unsuppress admits events at its own time").isFalse();
        assertThat(t.suppresses(T0 + 50 * MIN)).isFalse();
        assertThat(t.size()).isEqualTo(4);
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void aSuppressedUsersEventsAreDroppedCountedNeverLateAndSurviveASnapshotUntilUnsuppressed(boolean rocksDb)
            throws Exception {
        open(rocksDb, null, null);
        send(event("a1", "alice", T0));
        send(event("b1", "bob", T0));
        send(marker(true, "alice", T0 + 5 * MIN));
        send(event("a2", "alice", T0 + 4 * MIN)); // before the request time: still the user's data
        send(event("a3", "alice", T0 + 5 * MIN));
        send(event("b2", "bob", T0 + 6 * MIN));
        harness.processWatermark(new Watermark(T0 + 20 * MIN));
        send(event("a4", "alice", T0 + 10 * MIN)); // late, and suppressed: not even a late event
        assertThat(forwarded()).containsExactly("a1", "b1", "a2", "b2");
        assertThat(harness.getSideOutput(DedupeAndLateFilter.LATE_EVENTS)).isNull();
        assertThat(suppressedCount()).isEqualTo(2);
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
        close();

        // restored, with the dedupe horizon long past: the suppression has no TTL
        open(rocksDb, null, snapshot);
        harness.setStateTtlProcessingTime(10 * HORIZON.toMillis());
        harness.processWatermark(new Watermark(T0 + 20 * MIN));
        send(event("a5", "alice", T0 + 30 * MIN));
        send(event("b3", "bob", T0 + 30 * MIN));
        send(marker(false, "alice", T0 + 40 * MIN));
        send(event("a6", "alice", T0 + 39 * MIN)); // still within the suppression
        send(event("a7", "alice", T0 + 40 * MIN)); // unsuppressed from here on
        assertThat(forwarded()).containsExactly("b3", "a7");
        assertThat(suppressedCount()).isEqualTo(2);
        assertThat(fn.getRuntimeContext().getMetricGroup()).isNotNull();
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void anErasureForgetsTheIdsButNotTheSuppression(boolean rocksDb) throws Exception {
        open(rocksDb, null, null);
        send(event("a1", "alice", T0));
        send(marker(true, "alice", T0 + MIN));
        send(JourneyEvent.erasureMarker(Erasure.of("test:control@2", "sha256:x", T0 + MIN, new String[] {"alice"}),
                "alice", null, T0 + MIN));
        send(event("a1", "alice", T0)); // the ids were forgotten: not a duplicate, before the suppression
        send(event("a2", "alice", T0 + 2 * MIN));
        assertThat(harness.extractOutputValues()).extracting(e -> e.isErasure() ? "erasure" : e.eventId)
                .containsExactly("a1", "erasure", "a1");
    }

    @Test
    void timelinesKnownAtTheStartDecideFromTheFirstEventWhateverArrivesFirst() throws Exception {
        SuppressionTimeline alice = new SuppressionTimeline();
        alice.record(T0 + 10 * MIN, true);
        alice.record(T0 + 20 * MIN, false);
        open(false, Map.of("alice", alice), null);
        send(event("a1", "alice", T0 + 5 * MIN));
        send(event("a2", "alice", T0 + 15 * MIN)); // before any marker arrived: suppressed all the same
        send(event("a3", "alice", T0 + 25 * MIN));
        send(event("b1", "bob", T0 + 15 * MIN));
        assertThat(forwarded()).containsExactly("a1", "a3", "b1");
        assertThat(suppressedCount()).isOne();
    }
}
