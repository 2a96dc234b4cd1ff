package io.journeycep.patterns.spec;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.JourneyPattern;
import io.journeycep.patterns.PatternStep;
import io.journeycep.patterns.browsing.BrowsingStep;
import io.journeycep.patterns.browsing.HighValueBrowsingInput;
import io.journeycep.patterns.browsing.HighValueBrowsingPattern;
import io.journeycep.patterns.cart.CartAbandonmentPattern;
import io.journeycep.patterns.cart.CartStep;
import io.journeycep.patterns.cep.CepTestHarnesses;

import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * The built-in specs, compiled, match exactly what the hand-written patterns they replaced matched (kept in test scope
 * as oracles: {@link CartAbandonmentPattern}, {@link HighValueBrowsingPattern}), on the same randomized input: many
 * users, gaps at and around the windows' bounds, equal timestamps, out-of-order arrival within the watermark.
 */
class BuiltInEquivalenceTest {
    private static final long MIN = 60_000L;
    private static final int USERS = 300;

    /** One input event of the randomized stream. */
    private record In(String user, String id, EventType type, long ts, long seq, boolean viewed, Double price) {}

    @Test
    void cartAbandonmentSpecMatchesTheHandWrittenPattern() throws Exception {
        Duration timeout = Duration.ofMinutes(30);
        Random random = new Random(20261123);
        long[] gaps = {0, MIN, 5 * MIN, 29 * MIN, 30 * MIN, 30 * MIN + 1, 31 * MIN, 45 * MIN};
        List<In> input = new ArrayList<>();
        long seq = 0;
        for (int u = 0; u < USERS; u++) {
            long t = random.nextInt(60) * MIN;
            int n = 2 + random.nextInt(9);
            for (int i = 0; i < n; i++) {
                t += gaps[random.nextInt(gaps.length)];
                boolean purchase = random.nextInt(5) == 0;
                input.add(new In("u" + u, "u" + u + "-" + i, purchase ? EventType.PURCHASE : EventType.CART_ADD, t,
                        seq++, !purchase && random.nextInt(3) > 0, null));
            }
        }
        shuffleWithinLateness(input, random);

        CartAbandonmentPattern oracle = new CartAbandonmentPattern(timeout);
        List<String> expected = run(CartStep.class, oracle, oracle.windowMillis(),
                List.of(CartAbandonmentPattern.CARTS, CartAbandonmentPattern.LAST_CART), input, in -> {
                    CartStep s = new CartStep();
                    fill(s, in);
                    if (in.viewed) {
                        s.viewEventIds = new String[] {"v-" + in.id};
                        s.viewItemIds = new String[] {"item-v"};
                        s.lastViewTime = in.ts - 1;
                    }
                    return List.of(s);
                });
        CompiledPattern spec = CompiledPattern.compile(BuiltInPatterns.cartAbandonment(timeout, timeout));
        List<String> actual = run(SpecStep.class, spec, spec.windowMillis(), spec.positiveSteps(), input, in -> {
            SpecStep s = new SpecStep();
            fill(s, in);
            if (in.viewed) {
                s.priorEventIds = new String[] {"v-" + in.id};
                s.priorItemIds = new String[] {"item-v"};
                s.lastPriorTime = in.ts - 1;
            }
            return List.of(s);
        });
        assertThat(expected).as("a non-trivial comparison").hasSizeGreaterThan(USERS / 3);
        assertThat(actual).containsExactlyElementsOf(expected);
    }

    @Test
    void highValueBrowsingSpecMatchesTheHandWrittenPattern() throws Exception {
        Duration window = Duration.ofHours(1);
        Random random = new Random(7);
        long[] gaps = {0, MIN, 10 * MIN, 30 * MIN, 59 * MIN, 60 * MIN, 60 * MIN + 1, 61 * MIN};
        Double[] prices = {null, 100.0, 499.99, 500.0, 800.0, 800.0, 1200.0};
        List<In> input = new ArrayList<>();
        long seq = 0;
        for (int u = 0; u < USERS; u++) {
            long t = random.nextInt(60) * MIN;
            int n = 3 + random.nextInt(12);
            for (int i = 0; i < n; i++) {
                t += gaps[random.nextInt(gaps.length)] / (1 + random.nextInt(3));
                int kind = random.nextInt(10);
                EventType type = kind == 0 ? EventType.PURCHASE : kind == 1 ? EventType.CART_ADD : EventType.VIEW;
                input.add(new In("u" + u, "u" + u + "-" + i, type, t, seq++, false,
                        prices[random.nextInt(prices.length)]));
            }
        }
        shuffleWithinLateness(input, random);

        HighValueBrowsingPattern oracle = new HighValueBrowsingPattern(3, 500, window);
        HighValueBrowsingInput oracleInput = new HighValueBrowsingInput(500);
        List<String> expected = run(BrowsingStep.class, oracle, oracle.windowMillis(),
                List.of(HighValueBrowsingPattern.VIEWS), input, in -> {
                    List<BrowsingStep> out = new ArrayList<>();
                    oracleInput.flatMap(event(in), collector(out));
                    return out;
                });
        CompiledPattern spec = CompiledPattern.compile(BuiltInPatterns.highValueBrowsing(3, 500, window));
        SpecInput specInput = spec.input();
        List<String> actual = run(SpecStep.class, spec, spec.windowMillis(), spec.positiveSteps(), input, in -> {
            List<SpecStep> out = new ArrayList<>();
            specInput.flatMap(event(in), collector(out));
            return out;
        });
        assertThat(expected).as("a non-trivial comparison").hasSizeGreaterThan(USERS / 3);
        assertThat(actual).containsExactlyElementsOf(expected);
    }

    /** Moves some events a few minutes later in arrival, within the 10 min the watermark lags behind. */
    private static void shuffleWithinLateness(List<In> input, Random random) {
        input.sort((a, b) -> Long.compare(a.ts, b.ts));
        for (int i = 0; i + 1 < input.size(); i++) {
            if (random.nextInt(4) == 0 && input.get(i + 1).ts - input.get(i).ts < 5 * MIN) {
                In a = input.get(i);
                input.set(i, input.get(i + 1));
                input.set(i + 1, a);
            }
        }
    }

    private static <T extends PatternStep> List<String> run(Class<T> type, JourneyPattern<T> pattern, long window,
            List<String> steps, List<In> input, Function<In, List<T>> toSteps) throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, T, String> h =
                CepTestHarnesses.open(type, pattern, window, new Ids<>(steps), false)) {
            long maxTs = Long.MIN_VALUE;
            for (In in : input) {
                for (T s : toSteps.apply(in)) {
                    h.processElement(new StreamRecord<>(s, s.timestamp));
                }
                maxTs = Math.max(maxTs, in.ts);
                h.processWatermark(new Watermark(maxTs - 10 * MIN));
            }
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            List<String> out = new ArrayList<>();
            for (Object o : h.getOutput()) {
                if (o instanceof StreamRecord) {
                    out.add((String) ((StreamRecord<?>) o).getValue());
                }
            }
            return out;
        }
    }

    private static void fill(PatternStep s, In in) {
        s.eventId = in.id;
        s.type = in.type;
        s.userKey = in.user;
        s.timestamp = in.ts;
        s.seq = in.seq;
        s.itemId = "item-" + in.id;
        s.price = in.price;
    }

    private static JourneyEvent event(In in) {
        JourneyEvent e = new JourneyEvent();
        e.eventId = in.id;
        e.type = in.type;
        e.userId = in.user;
        e.timestamp = in.ts;
        e.position = in.seq;
        e.itemId = "item-" + in.id;
        e.price = in.price;
        return e;
    }

    private static <T> Collector<T> collector(List<T> out) {
        return new Collector<>() {
            @Override
            public void collect(T record) {
                out.add(record);
            }

            @Override
            public void close() {}
        };
    }

    /** A match as {@code user: ids} of the given steps, in order. */
    private static final class Ids<T extends PatternStep> extends PatternProcessFunction<T, String> {
        private final List<String> steps;

        Ids(List<String> steps) {
            this.steps = steps;
        }

        @Override
        public void processMatch(Map<String, List<T>> match, Context ctx, Collector<String> out) {
            List<String> ids = new ArrayList<>();
            String user = null;
            for (String name : steps) {
                for (T s : match.getOrDefault(name, List.of())) {
                    ids.add(s.eventId);
                    user = s.userKey;
                }
            }
            out.collect(user + ": " + String.join(",", ids));
        }
    }
}
