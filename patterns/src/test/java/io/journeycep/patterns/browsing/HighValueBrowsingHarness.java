package io.journeycep.patterns.browsing;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;

import io.journeycep.patterns.cep.CepTestHarnesses;
import io.journeycep.patterns.spec.BuiltInPatterns;
import io.journeycep.patterns.spec.CompiledPattern;
import io.journeycep.patterns.spec.SpecInput;
import io.journeycep.patterns.spec.SpecStep;


import org.apache.flink.api.common.typeinfo.TypeInformation;

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
 * Runs events through the built-in HIGH_VALUE_BROWSING spec's input filter and then the spec, compiled as the job
 * compiles it ({@link BuiltInPatterns#highValueBrowsing}), in {@code WindowClosingCepOperator} (Flink's CEP operator)
 * under a keyed operator test harness.
 */
final class HighValueBrowsingHarness implements AutoCloseable {
    static final long MIN = 60_000L;

    private final KeyedOneInputStreamOperatorTestHarness<String, SpecStep, String> harness;
    private final SpecInput input;
    private long seq;

    HighValueBrowsingHarness(int minViews, double minPrice, Duration window, boolean rocksDb) throws Exception {
        CompiledPattern pattern = CompiledPattern.compile(BuiltInPatterns.highValueBrowsing(minViews, minPrice, window));
        input = pattern.input();
        harness = CepTestHarnesses.open(SpecStep.class, pattern, pattern.windowMillis(), new MatchToIds(), rocksDb);
    }

    HighValueBrowsingHarness view(String id, long minute, Double price) throws Exception {
        return viewAtMillis(id, minute * MIN, price);
    }

    HighValueBrowsingHarness viewAtMillis(String id, long millis, Double price) throws Exception {
        return feed(event(id, EventType.VIEW, millis, price, seq++));
    }

    HighValueBrowsingHarness purchase(String id, long minute) throws Exception {
        return feed(event(id, EventType.PURCHASE, minute * MIN, 10.0, seq++));
    }

    HighValueBrowsingHarness cartAdd(String id, long minute, double price) throws Exception {
        return feed(event(id, EventType.CART_ADD, minute * MIN, price, seq++));
    }

    /** Feeds an event whose arrival order is given explicitly (to test ties fed out of arrival order). */
    HighValueBrowsingHarness withSeq(String id, EventType type, long minute, double price, long explicitSeq)
            throws Exception {
        return feed(event(id, type, minute * MIN, price, explicitSeq));
    }

    HighValueBrowsingHarness watermarkMillis(long millis) throws Exception {
        harness.processWatermark(new Watermark(millis));
        return this;
    }

    HighValueBrowsingHarness watermark(long minute) throws Exception {
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

    /**
     * Keys holding any of Flink CEP's keyed state (NFA, element queue, shared buffer); heap and RocksDB alike.
     * {@code WindowClosingCepOperator} keeps all of it as one value per key.
     */
    long keysWithCepState() throws Exception {
        return CepTestHarnesses.keysWithCepState(harness);
    }

    int numEventTimeTimers() {
        return harness.numEventTimeTimers();
    }

    private HighValueBrowsingHarness feed(JourneyEvent event) throws Exception {
        List<SpecStep> steps = new ArrayList<>();
        input.flatMap(event, new Collector<>() {
            @Override
            public void collect(SpecStep step) {
                steps.add(step);
            }

            @Override
            public void close() {}
        });
        for (SpecStep step : steps) {
            harness.processElement(new StreamRecord<>(step, step.timestamp));
        }
        return this;
    }

    private static JourneyEvent event(String id, EventType type, long millis, Double price, long position) {
        JourneyEvent e = new JourneyEvent();
        e.eventId = id;
        e.type = type;
        e.userId = "u";
        e.timestamp = millis;
        e.itemId = "item-" + id;
        e.price = price;
        e.source = "test";
        e.position = position;
        return e;
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }

    private static final class MatchToIds extends PatternProcessFunction<SpecStep, String> {
        @Override
        public void processMatch(Map<String, List<SpecStep>> match, Context ctx, Collector<String> out) {
            List<String> ids = new ArrayList<>();
            for (SpecStep s : match.get(BuiltInPatterns.VIEWS)) {
                ids.add(s.eventId);
            }
            out.collect(String.join(",", ids));
        }
    }
}
