package io.journeycep.patterns.cep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.MapSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

class SingleValueCepStateStoreTest {

    @Test
    void slotsRoundTripWithAbsentSlotsAndRestoreTheirSerializerFromTheSnapshot() throws Exception {
        SlotsSerializer serializer = new SlotsSerializer(new TypeSerializer<?>[] {
                StringSerializer.INSTANCE, LongSerializer.INSTANCE,
                new MapSerializer<>(LongSerializer.INSTANCE, StringSerializer.INSTANCE)});
        Map<Long, String> map = new HashMap<>(Map.of(1L, "a", 2L, "b"));
        Object[] row = {"nfa", null, map};

        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(row, out);
        Object[] back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back[0]).as("slots stay bytes until read").isInstanceOf(SlotsSerializer.Serialized.class);
        assertThat(values(serializer, back)).containsExactly("nfa", null, map);
        DataOutputSerializer again = new DataOutputSerializer(64);
        serializer.serialize(back, again);
        assertThat(again.getCopyOfBuffer()).as("unread slots are written as they were read")
                .isEqualTo(out.getCopyOfBuffer());
        assertThat(serializer.copy(row)).containsExactly("nfa", null, map);

        DataOutputSerializer snapshotOut = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(snapshotOut, serializer.snapshotConfiguration());
        TypeSerializerSnapshot<Object[]> restored = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(snapshotOut.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(restored.restoreSerializer()).isEqualTo(serializer);
        TypeSerializerSchemaCompatibility<Object[]> compatibility =
                serializer.snapshotConfiguration().resolveSchemaCompatibility(restored);
        assertThat(compatibility.isCompatibleAsIs()).isTrue();
    }

    /** A user pass holds seven slots per pattern: a row of many slots keeps every present one, and only those. */
    @Test
    void manySlotsRoundTrip() throws Exception {
        int slots = 70;
        TypeSerializer<?>[] serializers = new TypeSerializer<?>[slots];
        Object[] row = new Object[slots];
        for (int i = 0; i < slots; i++) {
            serializers[i] = LongSerializer.INSTANCE;
            row[i] = i % 3 == 0 ? null : (long) i;
        }
        SlotsSerializer serializer = new SlotsSerializer(serializers);
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(row, out);
        assertThat(out.length()).as("mask, then a length byte and 8 bytes per present slot")
                .isEqualTo(9 + 9 * (slots - 24));
        assertThat(values(serializer, serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()))))
                .containsExactly(row);
        DataOutputSerializer copied = new DataOutputSerializer(64);
        serializer.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
        assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
    }

    /** Each key's slots are read once, written back at flush, and a changed key without a flush fails loudly. */
    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void aKeysSlotsLiveInOneValueWrittenAtFlush(boolean rocksDb) throws Exception {
        StoreOperator operator = new StoreOperator();
        try (var harness = new KeyedOneInputStreamOperatorTestHarness<>(operator, (String s) -> s, Types.STRING)) {
            if (rocksDb) {
                harness.setStateBackend(new EmbeddedRocksDBStateBackend());
            }
            harness.open();
            SingleValueCepStateStore store = operator.store;

            operator.setCurrentKey("u1");
            operator.nfa.update("state-1");
            operator.queue.put(10L, "e1");
            assertThat(keys(operator.getKeyedStateBackend())).as("nothing written before the flush").isZero();
            store.flush();
            assertThat(keys(operator.getKeyedStateBackend())).isEqualTo(1);

            operator.setCurrentKey("u2");
            assertThat(operator.nfa.value()).as("u2 sees nothing of u1").isNull();
            assertThat(operator.queue.isEmpty()).isTrue();
            operator.queue.put(20L, "e2");
            operator.setCurrentKey("u1");
            assertThatThrownBy(() -> operator.nfa.value()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("not flushed");
            operator.setCurrentKey("u2");
            store.flush();

            operator.setCurrentKey("u1");
            assertThat(operator.nfa.value()).isEqualTo("state-1");
            assertThat(operator.queue.get(10L)).isEqualTo("e1");
            operator.queue.remove(10L);
            operator.nfa.clear();
            store.flush();
            assertThat(keys(operator.getKeyedStateBackend())).as("u1's value is gone once every slot is empty")
                    .isEqualTo(1);

            operator.setCurrentKey("u2");
            store.clearCurrentKey();
            assertThat(keys(operator.getKeyedStateBackend())).isZero();
        }
    }

    /** A long slot (300 bytes) has a two-byte length; a restore from the layout before lengths is refused. */
    @Test
    void longSlotsRoundTripAndTheOldLayoutIsIncompatible() throws Exception {
        SlotsSerializer serializer = new SlotsSerializer(new TypeSerializer<?>[] {StringSerializer.INSTANCE});
        Object[] row = {"x".repeat(300)};
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(row, out);
        assertThat(out.length()).isEqualTo(1 + 2 + 2 + 300); // mask, varint length, the string's own length and chars
        assertThat(values(serializer, serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()))))
                .containsExactly(row);

        DataOutputSerializer snapshotOut = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(snapshotOut, serializer.snapshotConfiguration());
        byte[] bytes = snapshotOut.getCopyOfBuffer();
        TypeSerializerSnapshot<Object[]> current = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(bytes), getClass().getClassLoader());
        assertThat(serializer.snapshotConfiguration().resolveSchemaCompatibility(current).isCompatibleAsIs()).isTrue();
        // the same snapshot as layout version 2 wrote it: the int after Flink's composite-snapshot magic number
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
        int at = 0;
        while (buffer.getInt(at) != 911108) {
            at++;
        }
        assertThat(buffer.getInt(at + 4)).isEqualTo(3);
        buffer.putInt(at + 4, 2);
        TypeSerializerSnapshot<Object[]> old = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(bytes), getClass().getClassLoader());
        assertThat(serializer.snapshotConfiguration().resolveSchemaCompatibility(old).isIncompatible())
                .as("a snapshot of the layout before slot lengths").isTrue();
    }

    /** Each slot's value, deserialized if it is still bytes. */
    private static Object[] values(SlotsSerializer serializer, Object[] row) throws Exception {
        Object[] values = new Object[row.length];
        for (int i = 0; i < row.length; i++) {
            values[i] = row[i] instanceof SlotsSerializer.Serialized
                    ? serializer.deserializeSlot(i, (SlotsSerializer.Serialized) row[i]) : row[i];
        }
        return values;
    }

    private static long keys(KeyedStateBackend<Object> backend) {
        try (Stream<Object> keys = backend.getKeys(SingleValueCepStateStore.STATE_NAME, VoidNamespace.INSTANCE)) {
            return keys.count();
        }
    }

    /** Registers a value slot and a map slot, as CEP does in its initializeState. */
    private static final class StoreOperator extends AbstractStreamOperator<String>
            implements OneInputStreamOperator<String, String> {
        transient SingleValueCepStateStore store;
        transient ValueState<String> nfa;
        transient MapState<Long, String> queue;

        @Override
        public void open() throws Exception {
            super.open();
            store = new SingleValueCepStateStore(getKeyedStateStore(), this::getCurrentKey);
            nfa = store.getState(new ValueStateDescriptor<>("nfa", StringSerializer.INSTANCE));
            queue = store.getMapState(new MapStateDescriptor<>("queue", LongSerializer.INSTANCE,
                    StringSerializer.INSTANCE));
        }

        @Override
        public void processElement(StreamRecord<String> element) {}
    }
}
