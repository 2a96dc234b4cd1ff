package io.journeycep.pipeline.stages.patterns;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.ArrivalOrder;
import io.journeycep.patterns.cep.WindowClosingCepOperator;
import io.journeycep.patterns.pass.Lookback;
import io.journeycep.patterns.pass.LookbackRef;
import io.journeycep.patterns.spec.CompiledPattern;
import io.journeycep.patterns.spec.PatternSpec;
import io.journeycep.patterns.spec.SpecStep;
import io.journeycep.sinks.Alert;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.operator.CepOperator;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The reference the user pass is checked against: one pattern spec on Flink's own {@link CepOperator} (its state
 * layout, its timers), fed by a keyed look-back function that holds the spec's steps until the watermark and attaches
 * the {@code starts-after} events with the same {@link Lookback} rules. What the job ran per spec before issue 14's
 * pass, minus the single-value state store; the pass must find exactly the same matches.
 */
public final class StockCep {
    private StockCep() {}

    /** Flink's CepOperator for {@code spec}, with the pass's comparator, skip strategy and alert function. */
    public static CepOperator<SpecStep, String, Alert> operator(PatternSpec spec, SerializerConfig serializers) {
        CompiledPattern pattern = CompiledPattern.compile(spec);
        return new CepOperator<>(
                TypeInformation.of(SpecStep.class).createSerializer(serializers),
                false,
                NFACompiler.compileFactory(pattern.pattern(), false),
                new ArrivalOrder<>(),
                pattern.skipStrategy(),
                new PatternAlertFunction(spec),
                null);
    }

    /**
     * What the job ran per spec before the user pass: Flink's CepOperator with a timer when a buffered element's window
     * closes and the single-value state store ({@link WindowClosingCepOperator}). Stock CepOperator misses the
     * abandonment of a user who goes quiet ({@code PREVIOUS_AND_CURRENT} windows get no timer), so the pass is compared
     * with this one.
     */
    public static WindowClosingCepOperator<SpecStep, String, Alert> windowClosingOperator(
            PatternSpec spec, SerializerConfig serializers) {
        CompiledPattern pattern = CompiledPattern.compile(spec);
        return new WindowClosingCepOperator<>(
                TypeInformation.of(SpecStep.class).createSerializer(serializers),
                NFACompiler.compileFactory(pattern.pattern(), false),
                new ArrivalOrder<>(),
                pattern.skipStrategy(),
                new PatternAlertFunction(spec),
                null,
                pattern.windowMillis());
    }

    /** Keyed by user: remembers look-back events, holds the spec's steps until the watermark, releases them sorted. */
    public static final class LookbackFeeder extends KeyedProcessFunction<String, JourneyEvent, SpecStep> {
        private static final long serialVersionUID = 1L;
        private final PatternSpec spec;
        private transient CompiledPattern pattern;
        private transient Lookback lookback;
        private transient ListState<LookbackRef> refs;
        private transient ListState<SpecStep> held;

        public LookbackFeeder(PatternSpec spec) {
            this.spec = spec;
        }

        @Override
        public void open(OpenContext openContext) {
            pattern = CompiledPattern.compile(spec);
            lookback = pattern.lookback() != null ? Lookback.of(spec) : null;
            refs = getRuntimeContext().getListState(new ListStateDescriptor<>("refs", LookbackRef.class));
            held = getRuntimeContext().getListState(new ListStateDescriptor<>("held", SpecStep.class));
        }

        @Override
        public void processElement(JourneyEvent event, Context ctx, Collector<SpecStep> out) throws Exception {
            if (lookback != null && lookback.remembers(event)) {
                refs.add(Lookback.refOf(event));
                ctx.timerService().registerEventTimeTimer(lookback.pruneTime(event.timestamp));
            }
            if (pattern.input().accepts(event)) {
                held.add(SpecStep.of(event));
                ctx.timerService().registerEventTimeTimer(event.timestamp);
            }
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext ctx, Collector<SpecStep> out) throws Exception {
            List<LookbackRef> remembered = new ArrayList<>();
            refs.get().forEach(remembered::add);
            List<SpecStep> due = new ArrayList<>();
            List<SpecStep> later = new ArrayList<>();
            for (SpecStep step : held.get()) {
                (step.timestamp <= timestamp ? due : later).add(step);
            }
            due.sort(Comparator.comparingLong((SpecStep s) -> s.timestamp).thenComparingLong(s -> s.seq));
            for (SpecStep step : due) {
                if (lookback != null && lookback.canStart(step)) {
                    lookback.attach(step, remembered);
                }
                out.collect(step);
            }
            held.update(later);
            if (lookback != null) {
                refs.update(lookback.prune(remembered, timestamp));
            }
        }
    }
}
