package io.journeycep.pipeline.stages.velocity;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.patterns.cep.WatermarkBatchingBroadcastOperator;
import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.PojoRoundTrip;
import io.journeycep.patterns.velocity.VelocityRule;
import io.journeycep.patterns.velocity.VelocityRuleBook;
import io.journeycep.pipeline.control.ControlMessage;
import io.journeycep.pipeline.ingest.WallClock;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertIds;
import io.journeycep.sinks.AlertKind;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;

class VelocityEvaluatorTest {

    private static final long T0 = 1_795_341_600_000L; // 2026-11-22T10:00:00Z
    private static final long MIN = 60_000L;
    private static final long HOUR = 60 * MIN;
    private static final long NOW = 1_795_400_000_000L;

    private KeyedBroadcastOperatorTestHarness<String, DimensionEvent, ControlMessage, Alert> harness;
    private long controlOffset;
    /** The fan-out's side: the book epoch at which it routes each rule version ("id vN"); config rules: 0. */
    private final Map<String, Long> routedAt = new HashMap<>();
    private long controlEpoch;

    private void open(boolean rocksDb) throws Exception {
        open(rocksDb, VelocityRule.defaults(), null);
    }

    /** The evaluator with these config rules, restored from {@code snapshot} when not null. */
    private void open(boolean rocksDb, List<VelocityRule> configRules, OperatorSubtaskState snapshot)
            throws Exception {
        harness = new KeyedBroadcastOperatorTestHarness<>(
                new WatermarkBatchingBroadcastOperator<>(new VelocityEvaluator(configRules, WallClock.fixed(NOW)),
                        List.of(RuleBookMirror.DESCRIPTOR)),
                DimensionEvent::key, Types.STRING, 1, 1, 0);
        if (rocksDb) {
            harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        if (snapshot != null) {
            harness.initializeState(snapshot);
        }
        harness.open();
        // the control stream is idle (ControlWatermarks): only the events' watermarks count
        harness.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.IDLE);
    }

    private void control(ControlMessage m) throws Exception {
        harness.processBroadcastElement(m, 0L);
    }

    private void change(VelocityRule rule) throws Exception {
        routedAt.put(rule.ruleId + " v" + rule.version, ++controlEpoch);
        control(ControlMessage.velocityRule(rule, "kafka:control/0", controlOffset++, null));
    }

    private void remove(String ruleId, int version) throws Exception {
        controlEpoch++;
        control(ControlMessage.velocityRuleRemoved(ruleId, version, "kafka:control/0", controlOffset++, null));
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

    /**
     * The record the fan-out emits for {@code e} when it routes under {@code rule}'s version: keyed by the rule's
     * dimension and stamped with the fan-out's epoch then (a version not yet sent on the control input: the epoch the
     * fan-out has after that change, which it saw first).
     */
    private static DimensionEvent record(VelocityRule rule, JourneyEvent e, long epoch) {
        return DimensionEvent.of(rule.dimension, epoch, e);
    }

    private void send(VelocityRule rule, JourneyEvent e) throws Exception {
        long epoch = routedAt.getOrDefault(rule.ruleId + " v" + rule.version, rule.version == 1 ? 0L : controlEpoch + 1);
        harness.processElement(new StreamRecord<>(record(rule, e, epoch), e.timestamp));
    }

    /** A checkpoint as the runtime takes it: {@code prepareSnapshotPreBarrier}, then the snapshot. */
    private OperatorSubtaskState snapshot() throws Exception {
        harness.getTwoInputOperator().prepareSnapshotPreBarrier(1L);
        return harness.snapshot(1L, 1L);
    }

    /** What the runtime does before a checkpoint barrier: held records go into the keys' state, with their timers. */
    private void beforeBarrier() throws Exception {
        harness.getTwoInputOperator().prepareSnapshotPreBarrier(1L);
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
        VelocityRule r = rule(VelocityRule.PAYMENT_FAILED_PER_CARD);
        r.cooldownMs = 3 * HOUR;
        List<VelocityRule> config = new ArrayList<>(VelocityRule.defaults());
        config.set(1, r); // records carry no rule: the evaluator's book has the 3 h cool-down
        open(rocksDb, config, null);
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
        List<DimensionEvent> ordered = new ArrayList<>();
        long t = T0;
        for (int i = 0; i < 300; i++) {
            t += random.nextInt(3) * MIN + random.nextInt(2);
            JourneyEvent e = event(String.format("e%03d", i), EventType.LOGIN_FAILED, "u-" + random.nextInt(5), t);
            e.deviceId = "d-" + random.nextInt(2);
            ordered.add(record(logins, e, 0));
            ordered.add(record(devices, e, 0));
        }
        List<Alert> inOrder = run(rocksDb, ordered, 0);
        // shuffle within blocks of 20 records; the watermark trails the maximum by 2 h
        List<DimensionEvent> mixed = new ArrayList<>();
        for (int i = 0; i < ordered.size(); i += 20) {
            List<DimensionEvent> block = new ArrayList<>(ordered.subList(i, Math.min(ordered.size(), i + 20)));
            Collections.shuffle(block, random);
            mixed.addAll(block);
        }
        List<Alert> outOfOrder = run(rocksDb, mixed, 2 * HOUR);
        assertThat(inOrder).extracting(a -> a.ruleId).contains(VelocityRule.LOGIN_FAILED_PER_USER,
                VelocityRule.DISTINCT_USERS_PER_DEVICE);
        assertThat(sorted(outOfOrder)).isEqualTo(sorted(inOrder));
    }

    private List<Alert> run(boolean rocksDb, List<DimensionEvent> records, long lag) throws Exception {
        close();
        open(rocksDb);
        long max = Long.MIN_VALUE;
        for (DimensionEvent rec : records) {
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

    /** Keys with a state of this rule (keys are dimension values; a key holds the states of all its rules). */
    @SuppressWarnings("unchecked")
    private long keysWithStateOf(String ruleId) throws Exception {
        KeyedStateBackend<String> backend = (KeyedStateBackend<String>) (KeyedStateBackend<?>)
                ((AbstractStreamOperator<?>) harness.getOperator()).getKeyedStateBackend();
        AtomicLong n = new AtomicLong();
        backend.applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                VelocityEvaluator.stateDescriptor(), (key, state) -> {
                    VelocityKeyStates s = state.value();
                    if (s != null && s.get(ruleId) != null) {
                        n.incrementAndGet();
                    }
                });
        return n.get();
    }

    @SuppressWarnings("unchecked")
    private List<String> keys() {
        KeyedStateBackend<String> backend = (KeyedStateBackend<String>) (KeyedStateBackend<?>)
                ((AbstractStreamOperator<?>) harness.getOperator()).getKeyedStateBackend();
        try (Stream<String> keys = backend.getKeys(VelocityEvaluator.STATE_NAME, VoidNamespace.INSTANCE)) {
            return keys.collect(Collectors.toList());
        }
    }

    private void assertNothingLeft() {
        assertThat(keys()).isEmpty();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    private static VelocityRule version(VelocityRule r, int version) {
        VelocityRule c = r.copy();
        c.version = version;
        return c;
    }

    @Test
    void aLateRecordIsDroppedAndARecordOfACompatibleNewerVersionKeepsTheWindow() throws Exception {
        open(false);
        VelocityRule v1 = rule(VelocityRule.PAYMENT_FAILED_PER_CARD);
        send(v1, event("a", EventType.PAYMENT_FAILED, "u-1", T0));
        send(v1, event("b", EventType.PAYMENT_FAILED, "u-1", T0 + MIN));
        watermark(T0 + 2 * MIN);
        send(v1, event("late", EventType.PAYMENT_FAILED, "u-1", T0 + 2 * MIN)); // at the watermark: late
        VelocityRule v2 = version(v1, 2);
        v2.severity = VelocityRule.Severity.CRITICAL; // same windows
        // the fan-out saw v2 before this operator's broadcast input did: the record brings it
        send(v2, event("c", EventType.PAYMENT_FAILED, "u-1", T0 + 3 * MIN)); // 3 in the kept window
        send(v1, event("d", EventType.PAYMENT_FAILED, "u-1", T0 + 4 * MIN)); // in flight: counted under v2
        change(v2); // the broadcast catches up before the watermark passes c: c was held until now
        watermark(T0 + 5 * MIN);
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.ruleVersion).isEqualTo(2);
            assertThat(a.eventTime).isEqualTo(T0 + 3 * MIN);
            assertThat(a.evidenceEventIds).containsExactly("a", "b", "c");
            assertThat(a.evidenceJson).contains("\"severity\":\"critical\"");
        });
        watermark(T0 + 3 * HOUR);
        assertNothingLeft();
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void aCompatibleChangeKeepsWindowsAndCrossingStateAndAppliesFromTheNextEvaluation(boolean rocksDb)
            throws Exception {
        open(rocksDb);
        VelocityRule v1 = rule(VelocityRule.LOGIN_FAILED_PER_USER); // >= 5 in 10 min
        for (int i = 0; i < 5; i++) { // u-hot crosses under v1
            send(v1, event("h" + i, EventType.LOGIN_FAILED, "u-hot", T0 + i * MIN));
        }
        for (int i = 0; i < 4; i++) { // u-warm: 4 of 5, the 4th (t0 + 5 min) not evaluated before the change
            send(v1, event("w" + i, EventType.LOGIN_FAILED, "u-warm", T0 + (2 + i) * MIN));
        }
        watermark(T0 + 2 * MIN);
        assertThat(alerts()).isEmpty();
        watermark(T0 + 4 * MIN);
        assertThat(alerts()).extracting(a -> a.subjectKey + " v" + a.ruleVersion).containsExactly("u-hot v1");

        VelocityRule v2 = version(v1, 2);
        v2.threshold = 3;
        change(v2);
        assertThat(keysWithStateOf(VelocityRule.LOGIN_FAILED_PER_USER)).as("windows kept").isEqualTo(2);

        // u-warm's 4th event (t0 + 5 min) is evaluated with v2 (4 >= 3) and fires: its armed window was kept;
        // u-hot stays disarmed (it is above the new threshold too) and in its cool-down: no second alert
        send(v1, event("h5", EventType.LOGIN_FAILED, "u-hot", T0 + 5 * MIN)); // routed before the change
        watermark(T0 + 6 * MIN);
        assertThat(alerts()).extracting(a -> a.subjectKey + " v" + a.ruleVersion + " " + a.score + "/" + a.threshold)
                .containsExactly("u-hot v1 5.0/5.0", "u-warm v2 4.0/3.0");
        assertThat(alerts().get(1).evidenceEventIds).containsExactly("w0", "w1", "w2", "w3");

        watermark(T0 + 2 * HOUR);
        assertNothingLeft();
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void aChangeOfWindowsStartsFreshWindowsAndLeavesOtherRulesAlone(boolean rocksDb) throws Exception {
        open(rocksDb);
        VelocityRule v1 = rule(VelocityRule.LOGIN_FAILED_PER_USER);
        VelocityRule cards = rule(VelocityRule.PAYMENT_FAILED_PER_CARD); // >= 3 per card in 1 h
        for (int i = 0; i < 4; i++) {
            send(v1, event("a" + i, EventType.LOGIN_FAILED, "u-1", T0 + i * MIN));
        }
        send(cards, event("p0", EventType.PAYMENT_FAILED, "u-1", T0));
        send(cards, event("p1", EventType.PAYMENT_FAILED, "u-1", T0 + MIN));
        watermark(T0 + 3 * MIN);
        assertThat(keysWithStateOf(VelocityRule.LOGIN_FAILED_PER_USER)).isOne();

        VelocityRule v2 = version(v1, 2);
        v2.windowMs = 20 * MIN; // other windows
        change(v2);
        assertThat(keysWithStateOf(VelocityRule.LOGIN_FAILED_PER_USER)).as("v1 windows discarded at once").isZero();
        assertThat(keysWithStateOf(VelocityRule.PAYMENT_FAILED_PER_CARD)).as("other rules untouched").isOne();

        send(v1, event("a4", EventType.LOGIN_FAILED, "u-1", T0 + 4 * MIN)); // in flight under v1: dropped
        for (int i = 0; i < 4; i++) {
            send(v2, event("b" + i, EventType.LOGIN_FAILED, "u-1", T0 + (5 + i) * MIN));
        }
        send(cards, event("p2", EventType.PAYMENT_FAILED, "u-1", T0 + 5 * MIN));
        watermark(T0 + 9 * MIN);
        // v1 would have fired at a4 (5 in 10 min); under v2 only b0..b3 count: 4 of 5. The card rule fires.
        assertThat(alerts()).extracting(a -> a.ruleId + " v" + a.ruleVersion)
                .containsExactly(VelocityRule.PAYMENT_FAILED_PER_CARD + " v1");
        send(v2, event("b4", EventType.LOGIN_FAILED, "u-1", T0 + 20 * MIN));
        watermark(T0 + 20 * MIN);
        assertThat(alerts()).hasSize(2);
        assertThat(alerts().get(1)).satisfies(a -> {
            assertThat(a.ruleVersion).isEqualTo(2);
            assertThat(a.evidenceEventIds).containsExactly("b0", "b1", "b2", "b3", "b4");
            assertThat(a.windowStart).isEqualTo(T0);
        });
        watermark(T0 + 5 * HOUR);
        assertNothingLeft();
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void aRemovalDiscardsTheRulesStateAndNoAlertFiresForIt(boolean rocksDb) throws Exception {
        open(rocksDb);
        VelocityRule logins = rule(VelocityRule.LOGIN_FAILED_PER_USER);
        VelocityRule cards = rule(VelocityRule.PAYMENT_FAILED_PER_CARD);
        for (int i = 0; i < 5; i++) { // would fire at T0 + 4 min, once the watermark passes it
            send(logins, event("a" + i, EventType.LOGIN_FAILED, "u-1", T0 + i * MIN));
            send(logins, event("b" + i, EventType.LOGIN_FAILED, "u-2", T0 + i * MIN));
        }
        for (int i = 0; i < 3; i++) {
            send(cards, event("p" + i, EventType.PAYMENT_FAILED, "u-1", T0 + i * MIN));
        }
        watermark(T0 + MIN);
        remove(VelocityRule.LOGIN_FAILED_PER_USER, 1);
        assertThat(keysWithStateOf(VelocityRule.LOGIN_FAILED_PER_USER)).isZero();
        send(logins, event("a5", EventType.LOGIN_FAILED, "u-1", T0 + 5 * MIN)); // in flight: dropped
        assertThat(keysWithStateOf(VelocityRule.LOGIN_FAILED_PER_USER)).isZero();

        watermark(T0 + 10 * MIN);
        assertThat(alerts()).extracting(a -> a.ruleId).containsExactly(VelocityRule.PAYMENT_FAILED_PER_CARD);
        watermark(T0 + 3 * HOUR);
        assertNothingLeft();

        // re-added with a higher version: fresh windows from then on
        VelocityRule back = version(logins, 2);
        change(back);
        for (int i = 0; i < 5; i++) {
            send(back, event("c" + i, EventType.LOGIN_FAILED, "u-1", T0 + 4 * HOUR + i * MIN));
        }
        watermark(T0 + 5 * HOUR);
        assertThat(alerts()).extracting(a -> a.ruleId + " v" + a.ruleVersion)
                .containsExactly(VelocityRule.PAYMENT_FAILED_PER_CARD + " v1", VelocityRule.LOGIN_FAILED_PER_USER + " v2");
        watermark(T0 + 9 * HOUR);
        assertNothingLeft();
    }

    @Test
    void aRecordAheadOfTheBroadcastStartsTheNewVersionWhichTheBroadcastThenKeeps() throws Exception {
        open(false);
        VelocityRule v1 = rule(VelocityRule.LOGIN_FAILED_PER_USER);
        send(v1, event("a0", EventType.LOGIN_FAILED, "u-1", T0));
        send(v1, event("a1", EventType.LOGIN_FAILED, "u-1", T0 + MIN));
        VelocityRule v2 = version(v1, 2);
        v2.windowMs = 30 * MIN;
        v2.threshold = 3;
        // records of v2 arrive first: fresh v2 windows for the key
        send(v2, event("b0", EventType.LOGIN_FAILED, "u-1", T0 + 2 * MIN));
        send(v2, event("b1", EventType.LOGIN_FAILED, "u-1", T0 + 3 * MIN));
        change(v2); // the broadcast catches up: must not discard the v2 windows
        send(v2, event("b2", EventType.LOGIN_FAILED, "u-1", T0 + 4 * MIN));
        watermark(T0 + 5 * MIN);
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.ruleVersion).isEqualTo(2);
            assertThat(a.evidenceEventIds).containsExactly("b0", "b1", "b2");
        });
        watermark(T0 + 2 * HOUR);
        assertNothingLeft();
    }

    @Test
    void aRemovalSeenOnlyAtTheTimerStillSuppressesTheAlert() throws Exception {
        open(false);
        VelocityRule logins = rule(VelocityRule.LOGIN_FAILED_PER_USER);
        // restore a state that holds a live removal but keyed state of the removed version, as after a restore from
        // a checkpoint taken between the fan-out's routing and the evaluator's broadcast
        for (int i = 0; i < 5; i++) {
            send(logins, event("a" + i, EventType.LOGIN_FAILED, "u-1", T0 + i * MIN));
        }
        OperatorSubtaskState snapshot = snapshot();
        close();
        VelocityRuleBook removed = new VelocityRuleBook(VelocityRule.defaults());
        removed.remove(VelocityRule.LOGIN_FAILED_PER_USER, 1);
        open(false, VelocityRule.defaults(), snapshot);
        harness.getBroadcastState(RuleBookMirror.DESCRIPTOR)
                .put(VelocityRule.LOGIN_FAILED_PER_USER, removed.entries().get(VelocityRule.LOGIN_FAILED_PER_USER));
        assertThat(keysWithStateOf(VelocityRule.LOGIN_FAILED_PER_USER)).isOne();
        watermark(T0 + 10 * MIN);
        assertThat(alerts()).isEmpty();
        assertThat(keys()).isEmpty();
        watermark(T0 + HOUR);
        assertNothingLeft();
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void liveChangesSurviveARestoreAndTheConfigWinsOnlyWithAHigherVersion(boolean rocksDb) throws Exception {
        open(rocksDb);
        VelocityRule logins = rule(VelocityRule.LOGIN_FAILED_PER_USER);
        VelocityRule v2 = version(logins, 2);
        v2.threshold = 2;
        change(v2);
        remove(VelocityRule.PAYMENT_FAILED_PER_CARD, 1);
        send(v2, event("a0", EventType.LOGIN_FAILED, "u-1", T0));
        OperatorSubtaskState snapshot = snapshot();
        close();

        // the same config: v2 and the removal stay in force
        open(rocksDb, VelocityRule.defaults(), snapshot);
        send(logins, event("a1", EventType.LOGIN_FAILED, "u-1", T0 + MIN)); // an old record: counted under v2
        send(rule(VelocityRule.PAYMENT_FAILED_PER_CARD), event("p0", EventType.PAYMENT_FAILED, "u-1", T0));
        watermark(T0 + 2 * MIN);
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.ruleVersion).isEqualTo(2);
            assertThat(a.score).isEqualTo(2.0);
        });
        assertThat(keysWithStateOf(VelocityRule.PAYMENT_FAILED_PER_CARD)).isZero();
        close();

        // a config with login-failed-per-user v3 (other windows): the config wins, the v2 windows are discarded
        VelocityRule v3 = version(logins, 3);
        v3.windowMs = 5 * MIN;
        List<VelocityRule> config = new ArrayList<>(VelocityRule.defaults());
        config.set(0, v3);
        open(rocksDb, config, snapshot);
        watermark(T0 + 2 * MIN);
        assertThat(alerts()).as("the restored v2 window of a0 is not evaluated").isEmpty();
        assertThat(keys()).isEmpty();
        watermark(T0 + HOUR);
        assertNothingLeft();
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void rulesSharingAKeyShareOneStateValueAndTimersAndAlertInRuleIdOrder(boolean rocksDb) throws Exception {
        VelocityRule wide = rule(VelocityRule.LOGIN_FAILED_PER_USER).copy();
        wide.ruleId = "a-logins-wide"; // sorts before login-failed-per-user
        wide.windowMs = HOUR;
        wide.threshold = 3;
        List<VelocityRule> config = new ArrayList<>(VelocityRule.defaults());
        config.add(wide);
        open(rocksDb, config, null);
        VelocityRule logins = rule(VelocityRule.LOGIN_FAILED_PER_USER);
        for (int i = 0; i < 5; i++) { // the 5th at T0 + 4 min: both rules cross at the same key and time
            send(logins, event("e" + i, EventType.LOGIN_FAILED, "u-1", T0 + (i < 2 ? i : i) * MIN));
        }
        assertThat(keys()).as("records the watermark has not passed wait on the heap").isEmpty();
        beforeBarrier();
        assertThat(keys()).containsExactly("USER|u-1");
        watermark(T0 + 4 * MIN);
        // 'a-logins-wide' crossed at e2 (3 in 1 h), login-failed-per-user at e4 (5 in 10 min)
        assertThat(alerts()).extracting(a -> a.ruleId + "@" + (a.eventTime - T0) / MIN)
                .containsExactly("a-logins-wide@2", VelocityRule.LOGIN_FAILED_PER_USER + "@4");
        // one evaluation timer per timestamp still to come plus one housekeeping timer, whatever the rule count
        send(logins, event("f0", EventType.LOGIN_FAILED, "u-1", T0 + 30 * MIN));
        send(logins, event("f1", EventType.LOGIN_FAILED, "u-1", T0 + 30 * MIN));
        beforeBarrier();
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);
        watermark(T0 + 30 * MIN);
        assertThat(keysWithStateOf("a-logins-wide")).isOne();
        assertThat(keysWithStateOf(VelocityRule.LOGIN_FAILED_PER_USER)).isOne();
        watermark(T0 + 3 * HOUR);
        assertNothingLeft();
    }

    @Test
    void aRecordHeldForAChangeThatHasNotArrivedWhenTheWatermarkPassesCountsUnderTheVersionInForce()
            throws Exception {
        open(false);
        VelocityRule v1 = rule(VelocityRule.LOGIN_FAILED_PER_USER);
        VelocityRule v2 = version(v1, 2);
        v2.windowMs = 30 * MIN;
        for (int i = 0; i < 4; i++) {
            send(v1, event("a" + i, EventType.LOGIN_FAILED, "u-1", T0 + i * MIN));
        }
        send(v2, event("b0", EventType.LOGIN_FAILED, "u-1", T0 + 4 * MIN)); // ahead of the broadcast: held
        beforeBarrier();
        assertThat(harness.numEventTimeTimers()).as("4 evaluations, 1 housekeeping, b0's evaluation").isEqualTo(6);
        watermark(T0 + 5 * MIN); // the change has still not arrived: b0 counts under v1 (5 in 10 min)
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.ruleVersion).isEqualTo(1);
            assertThat(a.evidenceEventIds).containsExactly("a0", "a1", "a2", "a3", "b0");
        });
        change(v2); // other windows: the v1 state is discarded now
        assertThat(keys()).isEmpty();
        watermark(T0 + 2 * HOUR);
        assertNothingLeft();
    }

    @Test
    void recordsAndStateArePojosWithoutKryo() throws Exception {
        VelocityRule r = rule(VelocityRule.DISTINCT_USERS_PER_DEVICE);
        DimensionEvent rec = record(r, event("e1", EventType.LOGIN, "u-1", T0), 3);
        assertThat(rec.key).isEqualTo("DEVICE|d-1");
        assertThat(PojoRoundTrip.roundTrip(DimensionEvent.class, rec)).isEqualTo(rec);
        VelocityKeyStates s = new VelocityKeyStates();
        VelocityKeyState ks = VelocityKeyState.fresh(r, 2);
        ks.detector.add(r, rec.event);
        s.put(ks);
        s.pending = new ArrayList<>(List.of(rec));
        s.housekeepingAt = T0 + HOUR;
        VelocityKeyStates back = PojoRoundTrip.roundTrip(VelocityKeyStates.class, s);
        assertThat(back.rules).singleElement().satisfies(b -> {
            assertThat(b.ruleId).isEqualTo(r.ruleId);
            assertThat(b.since).isEqualTo(2);
            assertThat(b.detector.ruleVersion).isEqualTo(1);
            assertThat(b.detector.window).isEqualTo(ks.detector.window);
        });
        assertThat(back.pending).containsExactly(rec);
        assertThat(back.housekeepingAt).isEqualTo(T0 + HOUR);
    }
}
