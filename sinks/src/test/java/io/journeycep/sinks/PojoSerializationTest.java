package io.journeycep.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.api.java.typeutils.PojoField;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** Guards that the output records stay Flink POJOs that serialize without Kryo (generic types disabled). */
class PojoSerializationTest {

    static Alert sampleAlert() {
        Alert a = new Alert();
        a.kind = AlertKind.CART_ABANDONED;
        a.ruleId = "cart-abandoned";
        a.ruleVersion = 3;
        a.subjectKey = "u-42";
        a.score = 1.0;
        a.threshold = 1.0;
        a.windowStart = 1_795_000_000_000L;
        a.windowEnd = 1_795_000_180_000L;
        a.evidenceEventIds = new ArrayList<>(List.of("e-1", "e-2", "e-3"));
        a.evidenceJson = "{\"cart_items\":[\"p-7\"],\"viewed_items\":[\"p-7\",\"p-8\"]}";
        a.eventTime = 1_795_000_180_000L;
        a.detectedAt = 1_795_000_181_234L;
        a.alertId = AlertIds.of(a);
        return a;
    }

    static RejectedEvent sampleRejected() {
        return RejectedEvent.of(
                "kafka:events/0", 17L, RejectReason.MALFORMED, "not JSON", new byte[] {'{', (byte) 0xC3, 0}, 42L);
    }

    @Test
    void alertIsAPojoWithoutKryo() throws Exception {
        Alert a = sampleAlert();
        assertThat(roundTrip(Alert.class, a)).isEqualTo(a);
        Alert empty = new Alert();
        empty.evidenceEventIds = null;
        assertThat(roundTrip(Alert.class, empty)).isEqualTo(empty);
    }

    @Test
    void evidenceEventIdsUseFlinksListSerializer() {
        PojoTypeInfo<Alert> pojo = (PojoTypeInfo<Alert>) TypeInformation.of(Alert.class);
        PojoField ids = pojo.getPojoFieldAt(pojo.getFieldIndex("evidenceEventIds"));
        // Flink 2.x has a built-in List type (FLIP-398); if this ever turns generic, switch the field to String[].
        assertThat(ids.getTypeInformation()).isInstanceOf(ListTypeInfo.class);
        assertThat(((ListTypeInfo<?>) ids.getTypeInformation()).getElementTypeInfo())
                .isEqualTo(BasicTypeInfo.STRING_TYPE_INFO);
    }

    @Test
    void rejectedEventIsAPojoWithoutKryo() throws Exception {
        RejectedEvent r = sampleRejected();
        assertThat(roundTrip(RejectedEvent.class, r)).isEqualTo(r);
        assertThat(roundTrip(RejectedEvent.class, new RejectedEvent())).isEqualTo(new RejectedEvent());
    }

    @Test
    void driftStatIsAPojoWithoutKryo() throws Exception {
        DriftStat d = new DriftStat("rate.view", 1_795_000_020_000L, 131.0, 100.2, 9.8, 12.6);
        assertThat(roundTrip(DriftStat.class, d)).isEqualTo(d);
        assertThat(roundTrip(DriftStat.class, new DriftStat())).isEqualTo(new DriftStat());
    }

    @Test
    void transitionCountIsAPojoWithoutKryo() throws Exception {
        TransitionCount t = TransitionCount.of("view", "EXIT", 42, 1_700_000_000_000L);
        assertThat(roundTrip(TransitionCount.class, t)).isEqualTo(t);
        assertThat(roundTrip(TransitionCount.class, new TransitionCount())).isEqualTo(new TransitionCount());
    }

    @Test
    void withheldCountIsAPojoWithoutKryo() throws Exception {
        WithheldCount w = WithheldCount.of("SEGMENT_ENTER:CART_ABANDONER", 20_000, 7, 1_728_000_000_000L);
        assertThat(roundTrip(WithheldCount.class, w)).isEqualTo(w);
        assertThat(roundTrip(WithheldCount.class, new WithheldCount())).isEqualTo(new WithheldCount());
    }

    @Test
    void segmentChangeIsAPojoWithoutKryo() throws Exception {
        SegmentChange enter = SegmentChange.of("u-42", "CHURN_RISK_30", SegmentAction.ENTER,
                "no purchase for 30 days (last 2026-10-23)", 4, 1_795_000_000_000L, 1_795_000_000_000L,
                1_795_000_001_234L);
        assertThat(roundTrip(SegmentChange.class, enter)).isEqualTo(enter);
        SegmentChange exit = SegmentChange.of("anon:a-9", "CHURN_RISK_30", SegmentAction.EXIT, null, 4,
                1_795_100_000_000L, 1_795_000_000_000L, 1_795_100_000_500L);
        assertThat(roundTrip(SegmentChange.class, exit)).isEqualTo(exit);
        assertThat(roundTrip(SegmentChange.class, new SegmentChange())).isEqualTo(new SegmentChange());
    }

    private static <T> T roundTrip(Class<T> type, T value) throws Exception {
        TypeInformation<T> info = TypeInformation.of(type);
        assertThat(info).isInstanceOf(PojoTypeInfo.class);
        PojoTypeInfo<T> pojo = (PojoTypeInfo<T>) info;
        for (int i = 0; i < pojo.getArity(); i++) {
            PojoField field = pojo.getPojoFieldAt(i);
            assertThat(field.getTypeInformation())
                    .as("field %s of %s", field.getField().getName(), type.getSimpleName())
                    .isNotInstanceOf(GenericTypeInfo.class);
        }
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        TypeSerializer<T> serializer = info.createSerializer(config); // throws if anything needs Kryo
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(value, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        T back = serializer.deserialize(in);
        assertThat(in.available()).isZero();
        assertThat(serializer.copy(value)).isEqualTo(value);
        return back;
    }
}
