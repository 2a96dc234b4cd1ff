package io.journeycep.patterns.cart;

import io.journeycep.model.EventType;
import io.journeycep.patterns.cep.CepTestHarnesses;
import io.journeycep.patterns.spec.BuiltInPatterns;
import io.journeycep.patterns.spec.CompiledPattern;
import io.journeycep.patterns.spec.SpecStep;

import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs the built-in CART_ABANDONED spec, compiled as the job compiles it ({@link BuiltInPatterns#cartAbandonment}),
 * in {@code WindowClosingCepOperator} under a keyed operator test harness. Steps are fed as the look-back stage emits
 * them: cart adds (with or without a view attached) and purchases.
 */
final class CartAbandonmentHarness implements AutoCloseable {
    static final long MIN = 60_000L;

    private final KeyedOneInputStreamOperatorTestHarness<String, SpecStep, String> harness;
    private long seq;

    CartAbandonmentHarness(Duration timeout, boolean rocksDb) throws Exception {
        CompiledPattern pattern = CompiledPattern.compile(BuiltInPatterns.cartAbandonment(timeout, timeout));
        harness = CepTestHarnesses.open(SpecStep.class, pattern, pattern.windowMillis(), new MatchToIds(), rocksDb);
    }

    CartAbandonmentHarness cart(String id, long minute, boolean viewed) throws Exception {
        SpecStep s = step(id, EventType.CART_ADD, minute);
        if (viewed) {
            s.priorEventIds = new String[] {"v-" + id};
            s.priorItemIds = new String[] {"item-v-" + id};
            s.lastPriorTime = s.timestamp - 1;
        }
        harness.processElement(new StreamRecord<>(s, s.timestamp));
        return this;
    }

    CartAbandonmentHarness purchase(String id, long minute) throws Exception {
        SpecStep s = step(id, EventType.PURCHASE, minute);
        harness.processElement(new StreamRecord<>(s, s.timestamp));
        return this;
    }

    /** Feeds a step whose arrival order is given explicitly (to test ties fed out of arrival order). */
    CartAbandonmentHarness stepWithSeq(String id, boolean purchase, long minute, long explicitSeq) throws Exception {
        SpecStep s = step(id, purchase ? EventType.PURCHASE : EventType.CART_ADD, minute);
        s.seq = explicitSeq;
        if (!purchase) {
            s.priorEventIds = new String[] {"v-" + id};
            s.priorItemIds = new String[] {"item-v-" + id};
        }
        harness.processElement(new StreamRecord<>(s, s.timestamp));
        return this;
    }

    CartAbandonmentHarness purchaseAtMillis(String id, long millis) throws Exception {
        SpecStep s = step(id, EventType.PURCHASE, 0);
        s.timestamp = millis;
        harness.processElement(new StreamRecord<>(s, s.timestamp));
        return this;
    }

    CartAbandonmentHarness watermarkMillis(long millis) throws Exception {
        harness.processWatermark(new Watermark(millis));
        return this;
    }

    CartAbandonmentHarness watermark(long minute) throws Exception {
        return watermarkMillis(minute * MIN);
    }

    /** Matches so far, each as its event ids joined by commas. */
    List<String> matches() {
        List<String> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof StreamRecord) {
                out.add((String) ((StreamRecord<?>) o).getValue());
            }
        }
        return out;
    }

    /** Keys that hold state under the given state name (heap and RocksDB alike). */
    long keysWithState(String stateName) throws Exception {
        return CepTestHarnesses.keysWithState(harness, stateName);
    }

    /** Keys holding any of Flink CEP's keyed state (NFA, element queue, shared buffer); heap and RocksDB alike. */
    long keysWithCepState() throws Exception {
        return CepTestHarnesses.keysWithCepState(harness);
    }

    int numEventTimeTimers() {
        return harness.numEventTimeTimers();
    }

    private SpecStep step(String id, EventType type, long minute) {
        SpecStep s = new SpecStep();
        s.eventId = id;
        s.type = type;
        s.userKey = "u";
        s.timestamp = minute * MIN;
        s.seq = seq++;
        s.itemId = "item-" + id;
        return s;
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }

    private static final class MatchToIds extends PatternProcessFunction<SpecStep, String> {
        @Override
        public void processMatch(Map<String, List<SpecStep>> match, Context ctx, Collector<String> out) {
            List<String> ids = new ArrayList<>();
            for (String name : List.of("carts", "lastCart")) {
                for (SpecStep s : match.getOrDefault(name, List.of())) {
                    ids.add(s.eventId);
                }
            }
            out.collect(String.join(",", ids));
        }
    }
}
