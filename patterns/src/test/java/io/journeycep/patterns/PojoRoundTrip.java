package io.journeycep.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoField;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/** For tests of state classes: they must be Flink POJOs whose fields all serialize without Kryo. */
public final class PojoRoundTrip {
    private PojoRoundTrip() {}

    /** Serializes {@code value} with generic types disabled (anything that would need Kryo throws) and reads it back. */
    public static <T> T roundTrip(Class<T> type, T value) throws Exception {
        TypeInformation<T> info = TypeInformation.of(type);
        assertThat(info).as(type.getSimpleName()).isInstanceOf(PojoTypeInfo.class);
        PojoTypeInfo<T> pojo = (PojoTypeInfo<T>) info;
        for (int i = 0; i < pojo.getArity(); i++) {
            PojoField field = pojo.getPojoFieldAt(i);
            assertThat(field.getTypeInformation())
                    .as("field %s of %s", field.getField().getName(), type.getSimpleName())
                    .isNotInstanceOf(GenericTypeInfo.class);
        }
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        TypeSerializer<T> serializer = info.createSerializer(config);
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(value, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        T back = serializer.deserialize(in);
        assertThat(in.available()).isZero();
        return back;
    }
}
