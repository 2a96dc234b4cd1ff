package io.journeycep.patterns.cep;

import org.apache.flink.api.common.typeutils.CompositeTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.util.Arrays;

/**
 * Serializes a fixed row of slots, each with its own serializer and each possibly {@code null}: a bit mask of the
 * present slots (one bit per slot, in {@code ceil(slots / 8)} bytes: a user pass holds seven slots per pattern, so a
 * job with many patterns has many slots), then each present slot. The value of {@link SingleValueCepStateStore}; its snapshot nests the slots'
 * serializers, so a restore checks each one's compatibility as Flink does for its own composite types.
 */
public final class SlotsSerializer extends TypeSerializer<Object[]> {
    private static final long serialVersionUID = 1L;

    private final TypeSerializer<Object>[] fields;
    /** Bytes of the presence mask. */
    private final int maskBytes;

    @SuppressWarnings("unchecked")
    SlotsSerializer(TypeSerializer<?>[] fields) {
        this.fields = (TypeSerializer<Object>[]) fields.clone();
        this.maskBytes = (fields.length + 7) / 8;
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<Object[]> duplicate() {
        TypeSerializer<?>[] copies = new TypeSerializer<?>[fields.length];
        boolean stateful = false;
        for (int i = 0; i < fields.length; i++) {
            copies[i] = fields[i].duplicate();
            stateful |= copies[i] != fields[i];
        }
        return stateful ? new SlotsSerializer(copies) : this;
    }

    @Override
    public Object[] createInstance() {
        return new Object[fields.length];
    }

    @Override
    public Object[] copy(Object[] from) {
        Object[] to = new Object[fields.length];
        for (int i = 0; i < fields.length; i++) {
            to[i] = from[i] == null ? null : fields[i].copy(from[i]);
        }
        return to;
    }

    @Override
    public Object[] copy(Object[] from, Object[] reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(Object[] record, DataOutputView target) throws IOException {
        for (int b = 0; b < maskBytes; b++) { // the mask, a byte at a time: no allocation per value written
            int bits = 0;
            for (int i = b * 8; i < Math.min(fields.length, b * 8 + 8); i++) {
                if (record[i] != null) {
                    bits |= 1 << (i & 7);
                }
            }
            target.writeByte(bits);
        }
        for (int i = 0; i < fields.length; i++) {
            if (record[i] != null) {
                fields[i].serialize(record[i], target);
            }
        }
    }

    @Override
    public Object[] deserialize(DataInputView source) throws IOException {
        byte[] mask = new byte[maskBytes];
        source.readFully(mask);
        Object[] record = new Object[fields.length];
        for (int i = 0; i < fields.length; i++) {
            if (present(mask, i)) {
                record[i] = fields[i].deserialize(source);
            }
        }
        return record;
    }

    @Override
    public Object[] deserialize(Object[] reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        byte[] mask = new byte[maskBytes];
        source.readFully(mask);
        target.write(mask);
        for (int i = 0; i < fields.length; i++) {
            if (present(mask, i)) {
                fields[i].copy(source, target);
            }
        }
    }

    private static boolean present(byte[] mask, int slot) {
        return (mask[slot >>> 3] & (1 << (slot & 7))) != 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SlotsSerializer && Arrays.equals(fields, ((SlotsSerializer) o).fields);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(fields);
    }

    @Override
    public TypeSerializerSnapshot<Object[]> snapshotConfiguration() {
        return new Snapshot(this);
    }

    /** Nests the slots' serializer snapshots (in slot order). */
    public static final class Snapshot extends CompositeTypeSerializerSnapshot<Object[], SlotsSerializer> {
        /** 2: the presence mask is one bit per slot in whole bytes (1: one int, at most 31 slots). */
        private static final int VERSION = 2;

        /** For reading a snapshot. */
        public Snapshot() {}

        Snapshot(SlotsSerializer serializer) {
            super(serializer);
        }

        @Override
        protected int getCurrentOuterSnapshotVersion() {
            return VERSION;
        }

        @Override
        protected TypeSerializer<?>[] getNestedSerializers(SlotsSerializer outer) {
            return outer.fields;
        }

        @Override
        protected SlotsSerializer createOuterSerializerWithNestedSerializers(TypeSerializer<?>[] nested) {
            return new SlotsSerializer(nested);
        }
    }
}
