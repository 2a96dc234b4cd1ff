package io.journeycep.pipeline.stages.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.spec.BuiltInPatterns;
import io.journeycep.patterns.spec.CompiledPattern;
import io.journeycep.patterns.spec.PatternSpec;
import io.journeycep.patterns.spec.SpecStep;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/** Harness tests of {@link PatternLookback} with the CART_ABANDONED spec (views before cart adds): look-back bounds, ordering, and that state and timers drop to zero. */
class PatternLookbackTest {
    private static final long MIN = 60_000L;

    /** The look-back the job puts in front of CART_ABANDONED: views, 30 min, attached to cart adds. */
    static PatternLookback cartLookback() {
        PatternSpec spec = BuiltInPatterns.cartAbandonment(Duration.ofMinutes(30), Duration.ofMinutes(30));
        CompiledPattern compiled = CompiledPattern.compile(spec);
        return new PatternLookback(spec.startsAfter, compiled.input(),
                List.of(spec.step("carts").match, spec.step("lastCart").match));
    }

    private KeyedOneInputStreamOperatorTestHarness<String, JourneyEvent, SpecStep> harness(boolean rocksDb)
            throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, JourneyEvent, SpecStep> h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(cartLookback()),
                        JourneyEvent::userKey,
                        Types.STRING);
        if (rocksDb) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        h.open();
        return h;
    }

    private static JourneyEvent event(String id, EventType type, long millis, long position) {
        JourneyEvent e = new JourneyEvent();
        e.eventId = id;
        e.type = type;
        e.userId = "u1";
        e.timestamp = millis;
        e.position = position;
        e.itemId = "item-" + id;
        e.source = "test";
        return e;
    }

    private static void feed(KeyedOneInputStreamOperatorTestHarness<String, JourneyEvent, SpecStep> h, JourneyEvent e)
            throws Exception {
        h.processElement(new StreamRecord<>(e, e.timestamp));
    }

    private static List<SpecStep> steps(KeyedOneInputStreamOperatorTestHarness<String, JourneyEvent, SpecStep> h) {
        List<SpecStep> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord) {
                out.add((SpecStep) ((StreamRecord<?>) o).getValue());
            }
        }
        return out;
    }

    /** Keys that still hold look-back state; works on heap and RocksDB alike. */
    private static long keysWithState(KeyedOneInputStreamOperatorTestHarness<String, JourneyEvent, SpecStep> h) {
        long n = 0;
        for (String state : List.of(PatternLookback.LOOKBACK_STATE, PatternLookback.HELD_STATE)) {
            try (Stream<String> keys =
                    h.getOperator().<String>getKeyedStateBackend().getKeys(state, VoidNamespace.INSTANCE)) {
                n += keys.count();
            }
        }
        return n;
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void viewExactlyAtTheLookBackCountsAndOneMillisecondOlderDoesNot(boolean rocksDb) throws Exception {
        try (var h = harness(rocksDb)) {
            feed(h, event("v-old", EventType.VIEW, 10 * MIN - 1, 1));
            feed(h, event("v-edge", EventType.VIEW, 10 * MIN, 2));
            feed(h, event("c1", EventType.CART_ADD, 40 * MIN, 3));
            h.processWatermark(new Watermark(40 * MIN));
            List<SpecStep> out = steps(h);
            assertThat(out).hasSize(1);
            assertThat(out.get(0).priorEventIds).containsExactly("v-edge");
            assertThat(out.get(0).priorItemIds).containsExactly("item-v-edge");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void viewWithTheSameTimestampCountsOnlyWhenItArrivedFirst(boolean rocksDb) throws Exception {
        try (var h = harness(rocksDb)) {
            feed(h, event("v1", EventType.VIEW, 10 * MIN, 1));
            feed(h, event("c1", EventType.CART_ADD, 10 * MIN, 2));
            feed(h, event("v2", EventType.VIEW, 10 * MIN, 3));
            h.processWatermark(new Watermark(11 * MIN));
            assertThat(steps(h).get(0).priorEventIds).containsExactly("v1");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void cartAndPurchaseLeaveInEventTimeOrderOnceTheWatermarkPasses(boolean rocksDb) throws Exception {
        try (var h = harness(rocksDb)) {
            feed(h, event("p1", EventType.PURCHASE, 20 * MIN, 3));
            feed(h, event("c1", EventType.CART_ADD, 15 * MIN, 2));
            feed(h, event("v1", EventType.VIEW, 12 * MIN, 4)); // out of order, before the watermark: counts
            assertThat(steps(h)).as("held until the watermark").isEmpty();
            h.processWatermark(new Watermark(30 * MIN));
            List<SpecStep> out = steps(h);
            assertThat(out).extracting(s -> s.eventId).containsExactly("c1", "p1");
            assertThat(out.get(0).priorEventIds).containsExactly("v1");
            assertThat(out.get(1).type).isEqualTo(EventType.PURCHASE);
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void otherEventTypesAreNotForwarded(boolean rocksDb) throws Exception {
        try (var h = harness(rocksDb)) {
            feed(h, event("l1", EventType.LOGIN, MIN, 1));
            feed(h, event("s1", EventType.SEARCH, MIN, 2));
            h.processWatermark(new Watermark(100 * MIN));
            assertThat(steps(h)).isEmpty();
            assertThat(keysWithState(h)).isZero();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void stateAndTimersDropToZeroOnceTheLookBackHasPassed(boolean rocksDb) throws Exception {
        try (var h = harness(rocksDb)) {
            for (int i = 0; i < 50; i++) {
                feed(h, event("v" + i, EventType.VIEW, i * MIN, i));
            }
            feed(h, event("c1", EventType.CART_ADD, 55 * MIN, 100));
            feed(h, event("p1", EventType.PURCHASE, 56 * MIN, 101));
            h.processWatermark(new Watermark(60 * MIN));
            assertThat(steps(h)).hasSize(2);
            assertThat(steps(h).get(0).priorEventIds)
                    .as("bounded evidence: the newest views only")
                    .hasSize(PatternLookback.MAX_PRIORS_PER_STEP)
                    .endsWith("v49");
            assertThat(keysWithState(h)).isPositive();

            h.processWatermark(new Watermark(200 * MIN));
            assertThat(keysWithState(h)).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void aWatermarkJumpDoesNotPruneViewsAHeldCartStillNeeds(boolean rocksDb) throws Exception {
        try (var h = harness(rocksDb)) {
            feed(h, event("v1", EventType.VIEW, 60 * MIN, 1));
            feed(h, event("c1", EventType.CART_ADD, 61 * MIN, 2));
            feed(h, event("c2", EventType.CART_ADD, 85 * MIN, 3));
            h.processWatermark(new Watermark(300 * MIN));
            List<SpecStep> out = steps(h);
            assertThat(out).extracting(s -> s.eventId).containsExactly("c1", "c2");
            assertThat(Arrays.asList(out.get(1).priorEventIds)).containsExactly("v1");
        }
    }
}
