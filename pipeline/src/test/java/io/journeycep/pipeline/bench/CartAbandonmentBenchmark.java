package io.journeycep.pipeline.bench;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.ArrivalOrder;
import io.journeycep.patterns.spec.BuiltInPatterns;
import io.journeycep.patterns.spec.CompiledPattern;
import io.journeycep.patterns.spec.EventMatcher;
import io.journeycep.patterns.spec.PatternSpec;
import io.journeycep.patterns.spec.SpecStep;
import io.journeycep.pipeline.stages.patterns.PatternAlertFunction;
import io.journeycep.pipeline.control.ControlStage;
import io.journeycep.pipeline.ingest.WallClock;
import io.journeycep.pipeline.stages.Keys;
import io.journeycep.pipeline.stages.pass.UserPassStage;
import io.journeycep.pipeline.stages.patterns.StockCep;
import io.journeycep.sinks.Alert;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.cep.CEP;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.operator.CepOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Events/s of the cart-abandonment stage on heap and RocksDB, same input, same match count; with a pass-through job
 * as the ceiling and vanilla Flink CEP (a {@code view} step inside the pattern) as the reference. Not a test: run
 * it with the command in docs/BENCHMARKS.md. Arguments: {@code variant backend events [users]}, where variant is
 * {@code passthrough | stage | vanilla-cep | vanilla-operator} and backend {@code hashmap | rocksdb};
 * {@code vanilla-operator} is the stage's own look-back and compiled pattern on Flink's stock {@link CepOperator}.
 */
public final class CartAbandonmentBenchmark {
    private static final Duration TIMEOUT = Duration.ofMinutes(30);

    private CartAbandonmentBenchmark() {}

    public static void main(String[] args) throws Exception {
        System.out.println(run(args));
    }

    /** Runs one variant and returns its RESULT line. */
    static String run(String... args) throws Exception {
        String variant = args[0];
        String backend = args[1];
        long events = Long.parseLong(args[2]);
        int users = args.length > 3 ? Integer.parseInt(args[3]) : 100_000;

        Configuration conf = BenchEnvironment.configuration(backend);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);

        DataStream<JourneyEvent> input = env.fromSource(
                new DataGeneratorSource<>(new SyntheticClickstream(users, 3), events,
                        TypeInformation.of(JourneyEvent.class)),
                WatermarkStrategy.<JourneyEvent>forMonotonousTimestamps()
                        .withTimestampAssigner((e, t) -> e.timestamp),
                "synthetic clickstream");
        KeyedStream<JourneyEvent, String> byUser = input.keyBy(new Keys.UserKey());

        DataStream<?> out;
        switch (variant) {
            case "passthrough":
                out = byUser.process(new PassThrough(), TypeInformation.of(JourneyEvent.class)).name("pass-through");
                break;
            case "stage":
                DataStream<JourneyEvent> passed =
                        byUser.process(new PassThrough(), TypeInformation.of(JourneyEvent.class));
                out = UserPassStage.apply(passed, ControlStage.apply(passed, null, WallClock.system()).messages,
                        new UserPassStage.Settings(List.of(BuiltInPatterns.cartAbandonment(TIMEOUT, TIMEOUT)), null, 0, null,
                                false)).alerts;
                break;
            case "vanilla-cep":
                // the same pass-through in front (chained), so progress is counted the same way
                out = CEP.pattern(DataStreamUtils.reinterpretAsKeyedStream(
                                byUser.process(new PassThrough(), TypeInformation.of(JourneyEvent.class)),
                                new Keys.UserKey()), vanillaPattern())
                        .inEventTime()
                        .process(new CountMatch(), TypeInformation.of(String.class));
                break;
            case "vanilla-operator":
                out = onStockCepOperator(
                        byUser.process(new PassThrough(), TypeInformation.of(JourneyEvent.class)),
                        BuiltInPatterns.cartAbandonment(TIMEOUT, TIMEOUT));
                break;
            default:
                throw new IllegalArgumentException("variant: passthrough | stage | vanilla-cep | vanilla-operator");
        }
        out.map(new CountOutput<>()).sinkTo(new DiscardingSink<>());

        PassThrough.PASSED.set(0);
        BenchCluster.Run run = BenchCluster.execute(env, conf, "bench " + variant + " " + backend,
                PassThrough.PASSED::get);
        return String.format("RESULT variant=%s backend=%s events=%d users=%d seconds=%.1f active_seconds=%.1f"
                        + " events_per_s=%.0f second_half_events_per_s=%.0f outputs=%s", variant, backend, events,
                users, run.seconds, run.activeSeconds, events / run.activeSeconds, run.rateAfter(events / 2, events),
                run.accumulator("outputs")) + run.checkpointFields();
    }

    /**
     * The same look-back rules, compiled pattern, comparator, skip strategy and alert function as the user pass, but on
     * Flink's own {@link CepOperator} and its state layout ({@link StockCep}): vanilla Flink CEP for the very same
     * pattern and input, so the match counts must be equal.
     */
    static DataStream<Alert> onStockCepOperator(DataStream<JourneyEvent> events, PatternSpec spec) {
        DataStream<SpecStep> steps = DataStreamUtils.reinterpretAsKeyedStream(events, new Keys.UserKey())
                .process(new StockCep.LookbackFeeder(spec), TypeInformation.of(SpecStep.class))
                .name(spec.id + " look-back");
        KeyedStream<SpecStep, String> byUser = DataStreamUtils.reinterpretAsKeyedStream(steps, s -> s.userKey,
                TypeInformation.of(String.class));
        return byUser.transform(spec.id + " (stock CepOperator)", TypeInformation.of(Alert.class),
                StockCep.operator(spec, events.getExecutionEnvironment().getConfig().getSerializerConfig()));
    }

    /**
     * The pattern most CEP users would write for DESIGN §3's abandonment: view → cart → no purchase within 30 min
     * (the one measured in shared/notes). It keeps a partial match per view, which is what costs on RocksDB.
     */
    static Pattern<JourneyEvent, ?> vanillaPattern() {
        return Pattern.<JourneyEvent>begin("view", AfterMatchSkipStrategy.skipPastLastEvent())
                .where(new OfType(EventType.VIEW))
                .followedBy("cart")
                .where(new OfType(EventType.CART_ADD))
                .notFollowedBy("purchase")
                .where(new OfType(EventType.PURCHASE))
                .within(TIMEOUT);
    }

    static final class OfType extends SimpleCondition<JourneyEvent> {
        private final EventType type;

        OfType(EventType type) {
            this.type = type;
        }

        @Override
        public boolean filter(JourneyEvent e) {
            return e.type == type;
        }
    }

    static final class CountMatch extends PatternProcessFunction<JourneyEvent, String> {
        @Override
        public void processMatch(Map<String, List<JourneyEvent>> match, Context ctx, Collector<String> out) {
            out.collect(match.get("cart").get(0).eventId);
        }
    }

    /** Keeps the keyed partitioning for the stage, as the dedupe operator does in the job. */
    static final class PassThrough extends KeyedProcessFunction<String, JourneyEvent, JourneyEvent> {
        /** Events passed so far in this JVM: with the stage chained behind it, the events the stage has taken. */
        static final java.util.concurrent.atomic.AtomicLong PASSED = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public void processElement(JourneyEvent e, Context ctx, Collector<JourneyEvent> out) {
            out.collect(e);
            PASSED.lazySet(PASSED.get() + 1); // one subtask (parallelism 1) writes it
        }
    }

    static final class CountOutput<T> extends RichMapFunction<T, T> {
        private transient LongCounter outputs;

        @Override
        public void open(OpenContext ctx) {
            outputs = getRuntimeContext().getLongCounter("outputs");
        }

        @Override
        public T map(T value) {
            outputs.add(1);
            return value;
        }
    }
}
