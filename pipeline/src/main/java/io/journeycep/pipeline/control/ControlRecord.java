package io.journeycep.pipeline.control;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One raw record of the control topic, as the source reads it: where it came from ({@code kafka:<topic>/<partition>}
 * and the offset) and its key and value bytes, unparsed, so a bad message can go to the dead letters as it was. A Flink
 * POJO; also {@link Serializable}, so bounded test sources can hold a list of them.
 */
public class ControlRecord implements Serializable {
    private static final long serialVersionUID = 1L;

    /** {@code kafka:<topic>/<partition>} (or a test's label). */
    public String source;
    /** The Kafka offset (or a test's position). */
    public long position;
    /** The record key; {@code null} when it had none. */
    public byte[] key;
    /** The record value; {@code null} for a Kafka tombstone. */
    public byte[] value;
    /** The Kafka record's timestamp (epoch millis), or 0 when unknown; an erasure's request time. */
    public long timestamp;

    public ControlRecord() {}

    public static ControlRecord of(String source, long position, byte[] key, byte[] value) {
        ControlRecord r = new ControlRecord();
        r.source = source;
        r.position = position;
        r.key = key;
        r.value = value;
        return r;
    }

    /** A record with its Kafka timestamp. */
    public static ControlRecord of(String source, long position, byte[] key, byte[] value, long timestamp) {
        ControlRecord r = of(source, position, key, value);
        r.timestamp = timestamp;
        return r;
    }

    /** A record with a UTF-8 key (may be null) and value, for tests and tools. */
    public static ControlRecord of(String source, long position, String key, String value) {
        return of(source, position, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ControlRecord)) {
            return false;
        }
        ControlRecord that = (ControlRecord) o;
        return position == that.position && Objects.equals(source, that.source) && Arrays.equals(key, that.key)
                && Arrays.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, position);
    }

    @Override
    public String toString() {
        return "ControlRecord{" + source + '@' + position + '}';
    }
}
