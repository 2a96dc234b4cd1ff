package io.journeycep.patterns.cep;

import org.apache.flink.api.common.typeutils.CompositeTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.util.Arrays;

/**
 * Serializes a fixed row of slots, each with its own serializer and each possibly {@code null}: a bit mask of the
 * present slots (one bit per slot, in {@code ceil(slots / 8)} bytes: a user pass holds seven slots per pattern, so a
 * job with many patterns has many slots), then each present slot as its length (a varint) and its bytes. The value of {@link
 * SingleValueCepStateStore}; its snapshot nests the slots' serializers, so a restore checks each one's compatibility
 * as Flink does for its own composite types.
 *
 * <p><b>Slots stay bytes until used.</b> {@link #deserialize} gives each present slot as a {@link Serialized} (its
 * bytes, not deserialized), and {@link #serialize} writes a {@link Serialized} slot's bytes as they are. The store
 * deserializes a slot only when a guest reads it and serializes it again only when a guest changed it (issue 14: the
 * value's serialization was 15 % of the user pass, although most guests change nothing for most events). The
 * length prefix is what lets a slot be skipped without its serializer.
 */
public final class SlotsSerializer extends TypeSerializer<Object[]> {
    private static final long serialVersionUID = 1L;

    private final TypeSerializer<Object>[] fields;
    /** Bytes of the presence mask. */
    private final int maskBytes;
    /** Where a slot is serialized before its length is known; per instance ({@link #duplicate} makes a new one). */
    private transient DataOutputSerializer scratch;

    /** A slot's bytes as stored (the length prefix not included), not yet deserialized. Immutable. */
    public static final class Serialized {
        final byte[] bytes;

        Serialized(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public String toString() {
            return "Serialized[" + bytes.length + " bytes]";
        }
    }

    @SuppressWarnings("unchecked")
    SlotsSerializer(TypeSerializer<?>[] fields) {
        this.fields = (TypeSerializer<Object>[]) fields.clone();
        this.maskBytes = (fields.length + 7) / 8;
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    /** Always a new instance: the scratch buffer is state. */
    @Override
    public TypeSerializer<Object[]> duplicate() {
        TypeSerializer<?>[] copies = new TypeSerializer<?>[fields.length];
        for (int i = 0; i < fields.length; i++) {
            copies[i] = fields[i].duplicate();
        }
        return new SlotsSerializer(copies);
    }

    /** Slot {@code slot}'s value from its stored bytes. */
    Object deserializeSlot(int slot, Serialized serialized) throws IOException {
        return fields[slot].deserialize(new DataInputDeserializer(serialized.bytes));
    }

    @Override
    public Object[] createInstance() {
        return new Object[fields.length];
    }

    @Override
    public Object[] copy(Object[] from) {
        Object[] to = new Object[fields.length];
        for (int i = 0; i < fields.length; i++) {
            Object slot = from[i];
            to[i] = slot == null || slot instanceof Serialized ? slot : fields[i].copy(slot);
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
            Object slot = record[i];
            if (slot instanceof Serialized) {
                byte[] bytes = ((Serialized) slot).bytes;
                writeLength(bytes.length, target);
                target.write(bytes);
            } else if (slot != null) {
                if (scratch == null) {
                    scratch = new DataOutputSerializer(256);
                }
                scratch.clear();
                fields[i].serialize(slot, scratch);
                writeLength(scratch.length(), target);
                target.write(scratch.getSharedBuffer(), 0, scratch.length());
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
                byte[] bytes = new byte[readLength(source)];
                source.readFully(bytes);
                record[i] = new Serialized(bytes);
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
                byte[] bytes = new byte[readLength(source)];
                source.readFully(bytes);
                writeLength(bytes.length, target);
                target.write(bytes);
            }
        }
    }

    /** A length as an unsigned varint: seven bits a byte, low bits first (one byte below 128). */
    private static void writeLength(int length, DataOutputView target) throws IOException {
        while ((length & ~0x7F) != 0) {
            target.writeByte((length & 0x7F) | 0x80);
            length >>>= 7;
        }
        target.writeByte(length);
    }

    private static int readLength(DataInputView source) throws IOException {
        int length = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = source.readByte();
            length |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return length;
            }
            if (shift > 28) {
                throw new IOException("corrupt slot length");
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
        /**
         * 3: each present slot is preceded by its length (2: the presence mask is one bit per slot in whole bytes;
         * 1: one int, at most 31 slots). Values written in an older layout cannot be read: a restore from one fails.
         */
        private static final int VERSION = 3;

        /** The layout version of the serializer this snapshot was read from (the current one when taken now). */
        private int readVersion = VERSION;

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
        protected void readOuterSnapshot(int version, DataInputView in, ClassLoader classLoader) {
            readVersion = version;
        }

        @Override
        protected OuterSchemaCompatibility resolveOuterSchemaCompatibility(TypeSerializerSnapshot<Object[]> old) {
            return old instanceof Snapshot && ((Snapshot) old).readVersion == VERSION
                    ? OuterSchemaCompatibility.COMPATIBLE_AS_IS
                    : OuterSchemaCompatibility.INCOMPATIBLE;
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
