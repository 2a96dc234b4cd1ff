package io.journeycep.pipeline.stages.velocity;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.velocity.VelocityRule;
import io.journeycep.pipeline.ingest.WallClock;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertIds;
import io.journeycep.sinks.AlertKind;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;

class VelocityEvaluatorTest {

    private static final long T0 = 1_795_341_600_000L; // 2026-11-22T10:00:00Z
    private static final long MIN = 60_000L;
    private static final long HOUR = 60 * MIN;
    private static final long NOW = 1_795_400_000_000L;

    private KeyedOneInputStreamOperatorTestHarness<String, KeyedRuleEvent, Alert> harness;

    private void open(boolean rocksDb) throws Exception {
        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new VelocityEvaluator(WallClock.fixed(NOW))), KeyedRuleEvent::key,
                Types.STRING);
        if (rocksDb) {
            harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private static VelocityRule rule(String id) {
        return VelocityRule.defaults().stream().filter(r -> r.ruleId.equals(id)).findFirst().orElseThrow();
    }

    private static JourneyEvent event(String id, EventType type, String user, long ts) {
        JourneyEvent e = new JourneyEvent();
        e.eventId = id;
        e.type = type;
        e.userId = user;
        e.deviceId = "d-1";
        e.cardId = "c-1";
        e.ip = "203.0.113.5";
        e.timestamp = ts;
        return e;
    }

    private void send(VelocityRule rule, JourneyEvent e) throws Exception {
        harness.processElement(new StreamRecord<>(KeyedRuleEvent.of(rule, e), e.timestamp));
    }

    private void watermark(long wm) throws Exception {
        harness.processWatermark(new Watermark(wm));
    }

    private List<Alert> alerts() {
        return harness.extractOutputValues();
    }

    @SuppressWarnings("unchecked")
    private long keysWithState() {
        KeyedStateBackend<String> backend = (KeyedStateBackend<String>) (KeyedStateBackend<?>)
                ((AbstractStreamOperator<?>) harness.getOperator()).getKeyedStateBackend();
        try (Stream<String> keys = backend.getKeys(VelocityEvaluator.STATE_NAME, VoidNamespace.INSTANCE)) {
            return keys.count();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void fiveFailedLoginsAlertOnceAndStateAndTimersDropToZero(boolean rocksDb) throws Exception {
        open(rocksDb);
        VelocityRule r = rule(VelocityRule.LOGIN_FAILED_PER_USER);
        for (int i = 0; i < 4; i++) {
            send(r, event("e" + i, EventType.LOGIN_FAILED, "u-1", T0 + i * MIN));
        }
        send(r, event("x0", EventType.LOGIN_FAILED, "u-2", T0)); // another key
        watermark(T0 + 9 * MIN);
        assertThat(alerts()).isEmpty(); // 4: below
        send(r, event("e4", EventType.LOGIN_FAILED, "u-1", T0 + 10 * MIN)); // exactly 10 min after e0: counts
        send(r, event("e5", EventType.LOGIN_FAILED, "u-1", T0 + 10 * MIN + 1)); // above: no second alert
        assertThat(alerts()).isEmpty(); // waits for the watermark
        assertThat(keysWithState()).isEqualTo(2);
        watermark(T0 + 10 * MIN);

        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.kind).isEqualTo(AlertKind.VELOCITY);
            assertThat(a.ruleId).isEqualTo(VelocityRule.LOGIN_FAILED_PER_USER);
            assertThat(a.ruleVersion).isEqualTo(1);
            assertThat(a.subjectKey).isEqualTo("u-1");
            assertThat(a.score).isEqualTo(5.0);
            assertThat(a.threshold).isEqualTo(5.0);
            assertThat(a.windowStart).isEqualTo(T0);
            assertThat(a.windowEnd).isEqualTo(T0 + 10 * MIN);
            assertThat(a.eventTime).isEqualTo(T0 + 10 * MIN);
            assertThat(a.detectedAt).isEqualTo(NOW);
            assertThat(a.evidenceEventIds).containsExactly("e0", "e1", "e2", "e3", "e4");
            assertThat(a.alertId).isEqualTo(AlertIds.of(a));
            assertThat(a.evidenceJson).contains("\"aggregate\":\"count\"", "\"comparison\":\">=\"",
                    "\"severity\":\"high\"", "\"window_ms\":600000");
        });
        watermark(T0 + 30 * MIN);
        assertThat(alerts()).hasSize(1);
        // the window has passed and so has the cool-down (10 min after the alert): nothing left
        assertThat(keysWithState()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void theCooldownKeepsStateUntilItEnds(boolean rocksDb) throws Exception {
        open(rocksDb);
        VelocityRule r = rule(VelocityRule.PAYMENT_FAILED_PER_CARD);
        r.cooldownMs = 3 * HOUR;
        for (int i = 0; i < 3; i++) {
            send(r, event("p" + i, EventType.PAYMENT_FAILED, "u-1", T0 + i * MIN));
        }
        watermark(T0 + 2 * MIN + HOUR); // window over, cool-down (until T0 + 2 min + 3 h) not
        assertThat(alerts()).hasSize(1);
        assertThat(keysWithState()).isOne();
        assertThat(harness.numEventTimeTimers()).isOne();
        // a new burst inside the cool-down: no alert
        for (int i = 0; i < 3; i++) {
            send(r, event("q" + i, EventType.PAYMENT_FAILED, "u-1", T0 + 2 * HOUR + i * MIN));
        }
        watermark(T0 + 2 * HOUR + 10 * MIN);
        assertThat(alerts()).hasSize(1);
        watermark(T0 + 10 * HOUR);
        assertThat(keysWithState()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        // after the cool-down a burst alerts again
        for (int i = 0; i < 3; i++) {
            send(r, event("r" + i, EventType.PAYMENT_FAILED, "u-1", T0 + 11 * HOUR + i * MIN));
        }
        watermark(T0 + 20 * HOUR);
        assertThat(alerts()).extracting(a -> a.evidenceEventIds.get(0)).containsExactly("p0", "r0");
        assertThat(alerts()).extracting(a -> a.subjectKey).containsOnly("c-1");
        assertThat(keysWithState()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void outOfOrderInputGivesTheSameAlertsAsOrdered(boolean rocksDb) throws Exception {
        VelocityRule devices = rule(VelocityRule.DISTINCT_USERS_PER_DEVICE);
        VelocityRule logins = rule(VelocityRule.LOGIN_FAILED_PER_USER);
        Random random = new Random(3);
        List<KeyedRuleEvent> ordered = new ArrayList<>();
        long t = T0;
        for (int i = 0; i < 300; i++) {
            t += random.nextInt(3) * MIN + random.nextInt(2);
            JourneyEvent e = event(String.format("e%03d", i), EventType.LOGIN_FAILED, "u-" + random.nextInt(5), t);
            e.deviceId = "d-" + random.nextInt(2);
            ordered.add(KeyedRuleEvent.of(logins, e));
            ordered.add(KeyedRuleEvent.of(devices, e));
        }
        List<Alert> inOrder = run(rocksDb, ordered, 0);
        // shuffle within blocks of 20 records; the watermark trails the maximum by 2 h
        List<KeyedRuleEvent> mixed = new ArrayList<>();
        for (int i = 0; i < ordered.size(); i += 20) {
            List<KeyedRuleEvent> block = new ArrayList<>(ordered.subList(i, Math.min(ordered.size(), i + 20)));
            Collections.shuffle(block, random);
            mixed.addAll(block);
        }
        List<Alert> outOfOrder = run(rocksDb, mixed, 2 * HOUR);
        assertThat(inOrder).extracting(a -> a.ruleId).contains(VelocityRule.LOGIN_FAILED_PER_USER,
                VelocityRule.DISTINCT_USERS_PER_DEVICE);
        assertThat(sorted(outOfOrder)).isEqualTo(sorted(inOrder));
    }

    private List<Alert> run(boolean rocksDb, List<KeyedRuleEvent> records, long lag) throws Exception {
        close();
        open(rocksDb);
        long max = Long.MIN_VALUE;
        for (KeyedRuleEvent rec : records) {
            harness.processElement(new StreamRecord<>(rec, rec.event.timestamp));
            max = Math.max(max, rec.event.timestamp);
            watermark(max - lag - 1);
        }
        watermark(Long.MAX_VALUE);
        assertThat(keysWithState()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        return new ArrayList<>(alerts());
    }

    private static List<String> sorted(List<Alert> alerts) {
        return alerts.stream().map(a -> a.alertId + ' ' + a.eventTime + ' ' + a.score + ' ' + a.evidenceEventIds)
                .sorted().collect(Collectors.toList());
    }

    @Test
    void aLateRecordIsDroppedAndANewRuleVersionRestartsTheWindow() throws Exception {
        open(false);
        VelocityRule v1 = rule(VelocityRule.PAYMENT_FAILED_PER_CARD);
        send(v1, event("a", EventType.PAYMENT_FAILED, "u-1", T0));
        send(v1, event("b", EventType.PAYMENT_FAILED, "u-1", T0 + MIN));
        watermark(T0 + 2 * MIN);
        send(v1, event("late", EventType.PAYMENT_FAILED, "u-1", T0 + 2 * MIN)); // at the watermark: late
        VelocityRule v2 = v1.copy();
        v2.version = 2;
        send(v2, event("c", EventType.PAYMENT_FAILED, "u-1", T0 + 3 * MIN)); // v2: a fresh window, 1 of 3
        send(v1, event("d", EventType.PAYMENT_FAILED, "u-1", T0 + 4 * MIN)); // in flight: counted under v2
        watermark(T0 + 5 * MIN);
        assertThat(alerts()).isEmpty();
        send(v2, event("e", EventType.PAYMENT_FAILED, "u-1", T0 + 6 * MIN));
        watermark(T0 + 6 * MIN);
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.ruleVersion).isEqualTo(2);
            assertThat(a.evidenceEventIds).containsExactly("c", "d", "e");
        });
        watermark(T0 + 3 * HOUR);
        assertThat(keysWithState()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void recordsAndStateArePojosWithoutKryo() throws Exception {
        VelocityRule r = rule(VelocityRule.DISTINCT_USERS_PER_DEVICE);
        KeyedRuleEvent rec = KeyedRuleEvent.of(r, event("e1", EventType.LOGIN, "u-1", T0));
        assertThat(roundTrip(KeyedRuleEvent.class, rec)).isEqualTo(rec);
        VelocityKeyState s = VelocityKeyState.fresh(r);
        s.detector.add(r, rec.event);
        VelocityKeyState back = roundTrip(VelocityKeyState.class, s);
        assertThat(back.rule).isEqualTo(r);
        assertThat(back.detector.window).isEqualTo(s.detector.window);
    }

    private static <T> T roundTrip(Class<T> type, T value) throws Exception {
        TypeInformation<T> info = TypeInformation.of(type);
        assertThat(info).isInstanceOf(PojoTypeInfo.class);
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        TypeSerializer<T> serializer = info.createSerializer(config); // throws if anything needs Kryo
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(value, out);
        return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }
}
