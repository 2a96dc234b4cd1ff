package io.journeycep.patterns.spec;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.cep.CepTestHarnesses;

import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a {@link CompiledPattern} as the job does: events through its {@link SpecInput} filter, then Flink CEP in
 * {@code WindowClosingCepOperator} under a keyed test harness (heap or RocksDB). Each match is reported as the event
 * ids of its positive steps, in step order, joined by commas.
 */
public final class SpecHarness implements AutoCloseable {
    public static final long MIN = 60_000L;

    private final KeyedOneInputStreamOperatorTestHarness<String, SpecStep, String> harness;
    private final SpecInput input;
    private long seq;

    public SpecHarness(PatternSpec spec, boolean rocksDb) throws Exception {
        CompiledPattern pattern = CompiledPattern.compile(spec);
        input = pattern.input();
        harness = CepTestHarnesses.open(SpecStep.class, pattern, pattern.windowMillis(),
                new MatchToIds(pattern.positiveSteps()), rocksDb);
    }

    /** An event of user {@code u} at {@code minute}. */
    public SpecHarness event(String id, EventType type, long minute) throws Exception {
        return eventAtMillis("u", id, type, minute * MIN, null);
    }

    /** An event with every detail given; returns this. */
    public SpecHarness eventAtMillis(String user, String id, EventType type, long millis, Double price)
            throws Exception {
        JourneyEvent e = new JourneyEvent();
        e.eventId = id;
        e.type = type;
        e.userId = user;
        e.timestamp = millis;
        e.itemId = "item-" + id;
        e.price = price;
        e.source = "test";
        e.position = seq++;
        return feed(e);
    }

    /** Feeds an event through the pattern's input filter (as the stage does). */
    public SpecHarness feed(JourneyEvent e) throws Exception {
        if (input.accepts(e)) {
            SpecStep step = SpecStep.of(e);
            harness.processElement(new StreamRecord<>(step, step.timestamp));
        }
        return this;
    }

    /** Feeds a step as it is (a look-back stage's output, with priors attached). */
    public SpecHarness step(SpecStep step) throws Exception {
        harness.processElement(new StreamRecord<>(step, step.timestamp));
        return this;
    }

    public SpecHarness watermarkMillis(long millis) throws Exception {
        harness.processWatermark(new Watermark(millis));
        return this;
    }

    public SpecHarness watermark(long minute) throws Exception {
        return watermarkMillis(minute * MIN);
    }

    public List<String> matches() {
        List<String> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof StreamRecord) {
                out.add((String) ((StreamRecord<?>) o).getValue());
            }
        }
        return out;
    }

    public long keysWithState(String stateName) throws Exception {
        return CepTestHarnesses.keysWithState(harness, stateName);
    }

    public long keysWithCepState() throws Exception {
        return CepTestHarnesses.keysWithCepState(harness);
    }

    public int numEventTimeTimers() {
        return harness.numEventTimeTimers();
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }

    private static final class MatchToIds extends PatternProcessFunction<SpecStep, String> {
        private final List<String> steps;

        MatchToIds(List<String> steps) {
            this.steps = steps;
        }

        @Override
        public void processMatch(Map<String, List<SpecStep>> match, Context ctx, Collector<String> out) {
            List<String> ids = new ArrayList<>();
            for (String name : steps) {
                for (SpecStep s : match.getOrDefault(name, List.of())) {
                    ids.add(s.eventId);
                }
            }
            out.collect(String.join(",", ids));
        }
    }
}
