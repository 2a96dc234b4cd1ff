package io.journeycep.pipeline.stages.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.pass.Lookback;
import io.journeycep.patterns.pass.UserPassOperator;
import io.journeycep.pipeline.stages.pass.PassHarness;
import io.journeycep.patterns.spec.BuiltInPatterns;
import io.journeycep.patterns.spec.PatternSpec;
import io.journeycep.patterns.spec.PatternSpecReader;
import io.journeycep.patterns.spec.SpecStep;
import io.journeycep.sinks.Alert;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Harness tests of the user pass running pattern specs ({@link UserPassOperator}, {@link io.journeycep.pipeline.stages.pass.UserPassStage}), on heap and
 * RocksDB: the same alerts as Flink's own CepOperator fed by a look-back ({@link StockCep}) on a generated
 * clickstream with out-of-order events, the look-back's bounds, one timer per user, and state and timers dropping to
 * zero.
 */
class UserPassPatternsTest {
    private static final long MIN = 60_000L;
    private static final long T0 = 1_760_000_000_000L;

    private static PatternSpec cart() {
        return BuiltInPatterns.cartAbandonment(Duration.ofMinutes(30), Duration.ofMinutes(30));
    }

    private static List<PatternSpec> specs() {
        List<PatternSpec> specs = new ArrayList<>();
        specs.add(cart());
        specs.add(BuiltInPatterns.highValueBrowsing(3, 100.0, Duration.ofMinutes(20)));
        specs.addAll(PatternSpecReader.read(Path.of("..", "rules", "examples", "checkout-payment-failed.yaml"))
                .patterns);
        return specs;
    }

    private static PassHarness pass(List<PatternSpec> specs, boolean rocksDb) throws Exception {
        return PassHarness.patterns(specs, rocksDb);
    }

    private static JourneyEvent event(String id, EventType type, String user, long ts, long position, double price) {
        JourneyEvent e = new JourneyEvent();
        e.eventId = id;
        e.type = type;
        e.userId = user;
        e.timestamp = ts;
        e.position = position;
        e.itemId = "item-" + (position % 7);
        e.price = price;
        e.source = "test";
        return e;
    }

    private static <T> List<T> records(AbstractStreamOperatorTestHarness<?> h, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r && type.isInstance(r.getValue())) {
                out.add(type.cast(r.getValue()));
            }
        }
        return out;
    }

    private static List<String> ids(List<Alert> alerts) {
        return alerts.stream().map(a -> a.alertId).sorted().toList();
    }

    /** 40 users, 4,000 events over ~13 h, every type the specs use, up to 2 min out of order behind a 2-min watermark. */
    private static List<JourneyEvent> clickstream() {
        Random random = new Random(42);
        EventType[] types = {EventType.VIEW, EventType.VIEW, EventType.VIEW, EventType.VIEW, EventType.CART_ADD,
            EventType.CART_ADD, EventType.PURCHASE, EventType.CHECKOUT, EventType.PAYMENT_FAILED, EventType.LOGIN};
        List<JourneyEvent> events = new ArrayList<>();
        for (int i = 0; i < 4_000; i++) {
            long ts = T0 + i * 12_000L - random.nextInt(120_000);
            String user = "u" + random.nextInt(40);
            EventType type = types[random.nextInt(types.length)];
            double price = random.nextBoolean() ? 150.0 : 20.0;
            events.add(event("e" + i, type, user, ts, i, price));
        }
        return events;
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void findsExactlyWhatFlinksCepOperatorFindsForEverySpec(boolean rocksDb) throws Exception {
        List<PatternSpec> specs = specs();
        List<JourneyEvent> events = clickstream();
        var pass = pass(specs, rocksDb);
        List<String> expected = new ArrayList<>();
        for (PatternSpec spec : specs) {
            expected.addAll(ids(stockCep(spec, events, rocksDb)));
        }
        int users = 40;
        int mostTimers = 0;
        for (int i = 0; i < events.size(); i++) {
            JourneyEvent e = events.get(i);
            pass.event(e);
            if (i % 50 == 49) {
                pass.watermark(watermarkAfter(i));
                mostTimers = Math.max(mostTimers, pass.eventTimeTimers());
            }
        }
        pass.watermark(Long.MAX_VALUE);
        List<Alert> found = pass.alerts();

        assertThat(expected).as("the generated stream must exercise every spec").hasSizeGreaterThan(50);
        for (PatternSpec spec : specs) {
            assertThat(found).as(spec.id).anyMatch(a -> a.ruleId.equals(spec.id));
        }
        assertThat(ids(found)).isEqualTo(expected.stream().sorted().toList());
        assertThat(mostTimers).as("at most a timer or two per user").isLessThanOrEqualTo(2 * users);
        assertThat(pass.usersWithState()).isZero();
        assertThat(pass.eventTimeTimers()).isZero();
        pass.close();
    }

    /** The watermark after the {@code i}-th event: 2 min behind the event-time clock. */
    private static long watermarkAfter(int i) {
        return T0 + i * 12_000L - 120_001L;
    }

    private static List<Alert> stockCep(PatternSpec spec, List<JourneyEvent> events, boolean rocksDb)
            throws Exception {
        var feeder = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new StockCep.LookbackFeeder(spec)), JourneyEvent::userKey, Types.STRING);
        var cep = new KeyedOneInputStreamOperatorTestHarness<>(
                StockCep.windowClosingOperator(spec, new SerializerConfigImpl()), (SpecStep s) -> s.userKey, Types.STRING);
        if (rocksDb) {
            feeder.setStateBackend(new EmbeddedRocksDBStateBackend());
            cep.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        feeder.open();
        cep.open();
        int handedOver = 0;
        for (int i = 0; i < events.size(); i++) {
            JourneyEvent e = events.get(i);
            feeder.processElement(new StreamRecord<>(e, e.timestamp));
            boolean last = i == events.size() - 1;
            if (i % 50 == 49 || last) {
                Watermark w = new Watermark(last ? Long.MAX_VALUE : watermarkAfter(i));
                feeder.processWatermark(w);
                List<SpecStep> steps = records(feeder, SpecStep.class);
                for (SpecStep step : steps.subList(handedOver, steps.size())) {
                    cep.processElement(new StreamRecord<>(step, step.timestamp));
                }
                handedOver = steps.size();
                cep.processWatermark(w);
            }
        }
        List<Alert> alerts = records(cep, Alert.class);
        feeder.close();
        cep.close();
        return alerts;
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void aViewExactlyAtTheLookBackCountsAndOneMillisecondOlderDoesNot(boolean rocksDb) throws Exception {
        try (var h = pass(List.of(cart()), rocksDb)) {
            h.event(event("v-old", EventType.VIEW, "u1", T0 + 10 * MIN - 1, 1, 20));
            h.event(event("v-edge", EventType.VIEW, "u1", T0 + 10 * MIN, 2, 20));
            h.event(event("c1", EventType.CART_ADD, "u1", T0 + 40 * MIN, 3, 20));
            h.watermark(T0 + 200 * MIN);
            assertThat(h.alerts()).singleElement()
                    .satisfies(a -> assertThat(a.evidenceEventIds).contains("v-edge", "c1").doesNotContain("v-old"));
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void aViewWithTheCartsTimestampCountsOnlyWhenItArrivedFirst(boolean rocksDb) throws Exception {
        try (var h = pass(List.of(cart()), rocksDb)) {
            h.event(event("v1", EventType.VIEW, "u1", T0 + 10 * MIN, 1, 20));
            h.event(event("c1", EventType.CART_ADD, "u1", T0 + 10 * MIN, 2, 20));
            h.event(event("v2", EventType.VIEW, "u1", T0 + 10 * MIN, 3, 20));
            h.watermark(T0 + 200 * MIN);
            assertThat(h.alerts()).singleElement()
                    .satisfies(a -> assertThat(a.evidenceEventIds).contains("v1").doesNotContain("v2"));
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void outOfOrderEventsBeforeTheWatermarkAreMatchedInEventTimeOrder(boolean rocksDb) throws Exception {
        try (var h = pass(List.of(cart()), rocksDb)) {
            // the purchase arrives first but comes after the cart add: no abandonment
            h.event(event("p1", EventType.PURCHASE, "u1", T0 + 20 * MIN, 3, 20));
            h.event(event("c1", EventType.CART_ADD, "u1", T0 + 15 * MIN, 2, 20));
            h.event(event("v1", EventType.VIEW, "u1", T0 + 12 * MIN, 4, 20));
            // the other user's cart add comes after a view that arrived late but before the watermark
            h.event(event("c2", EventType.CART_ADD, "u2", T0 + 15 * MIN, 5, 20));
            h.event(event("v2", EventType.VIEW, "u2", T0 + 12 * MIN, 6, 20));
            h.watermark(T0 + 30 * MIN);
            assertThat(h.alerts()).as("held until the windows close").isEmpty();
            h.watermark(T0 + 200 * MIN);
            assertThat(h.alerts()).extracting(a -> a.subjectKey).containsExactly("u2");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void aStepAtOrBeforeTheWatermarkIsNotMatched(boolean rocksDb) throws Exception {
        try (var h = pass(List.of(cart()), rocksDb)) {
            h.watermark(T0 + 20 * MIN);
            h.event(event("v1", EventType.VIEW, "u1", T0 + 10 * MIN, 1, 20));
            h.event(event("c1", EventType.CART_ADD, "u1", T0 + 20 * MIN, 2, 20));
            h.watermark(T0 + 200 * MIN);
            assertThat(h.alerts()).isEmpty();
            assertThat(h.usersWithState()).isZero();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void aBrowsingUserHasOneTimerAndStateAndTimersDropToZero(boolean rocksDb) throws Exception {
        try (var h = pass(List.of(cart()), rocksDb)) {
            for (int i = 0; i < 50; i++) {
                h.event(event("v" + i, EventType.VIEW, "u1", T0 + i * MIN, i, 20));
            }
            assertThat(h.eventTimeTimers()).as("events the watermark has not passed wait on the heap").isZero();
            h.beforeBarrier();
            assertThat(h.eventTimeTimers()).as("one timer for the look-back's cleanup").isEqualTo(1);
            h.event(event("c1", EventType.CART_ADD, "u1", T0 + 55 * MIN, 100, 20));
            h.watermark(T0 + 60 * MIN);
            assertThat(h.usersWithState()).isEqualTo(1);
            h.watermark(T0 + 300 * MIN);
            assertThat(h.alerts()).singleElement().satisfies(a -> assertThat(a.evidenceEventIds)
                    .as("bounded evidence: the newest views only")
                    .hasSize(Lookback.MAX_PRIORS_PER_STEP + 1)
                    .contains("v49", "c1")
                    .doesNotContain("v0"));
            assertThat(h.usersWithState()).isZero();
            assertThat(h.eventTimeTimers()).isZero();
            assertThat(h.processingTimeTimers()).isZero();
        }
    }
}
