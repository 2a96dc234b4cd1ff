package io.journeycep.patterns.pass;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.cep.NfaRunner;
import io.journeycep.patterns.spec.CompiledPattern;
import io.journeycep.patterns.spec.PatternSpec;
import io.journeycep.patterns.spec.SpecInput;
import io.journeycep.patterns.spec.SpecStep;

import org.apache.flink.api.common.functions.DefaultOpenContext;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.functions.util.FunctionUtils;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.time.TimerService;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import javax.annotation.Nullable;

/**
 * One pattern spec for one user, as a guest of the user's pass: the spec's look-back ({@link Lookback}, when it has
 * {@code starts-after}), the steps it sees held until the watermark, and its Flink CEP NFA ({@link NfaRunner}).
 *
 * <p>Its slice of the user's value: remembered look-back events, held steps, the times at which a window of a
 * buffered element closes, and the NFA state and shared buffer. On each watermark step it does what the look-back
 * operator and {@code WindowClosingCepOperator} did one after the other: release the held steps up to the watermark
 * in event-time order (ties by source position), attach the look-back to those that can start a match, and for each
 * distinct timestamp advance the NFA to it and feed it that timestamp's steps; then advance the NFA to the watermark.
 * A window-closing time ({@code step + window}, and {@code step + FIRST_AND_LAST window} for a new partial match) is
 * when the NFA must advance even if the user stays quiet, so a cart whose user goes quiet is reported.
 *
 * <p>Steps that arrive at or before the watermark are not matched (as CepOperator drops late elements); the look-back
 * still remembers them.
 */
public final class PatternGuest<OUT, CTRL> implements UserGuest<OUT, CTRL> {
    private static final Comparator<SpecStep> EVENT_TIME_ORDER =
            Comparator.comparingLong((SpecStep s) -> s.timestamp).thenComparingLong(s -> s.seq);

    private final String id;
    private final SpecInput input;
    @Nullable private final Lookback lookback;
    private final long windowMillis;
    private final PatternProcessFunction<SpecStep, OUT> function;
    private final NfaRunner<SpecStep> nfa;
    private final ValueState<List<SpecStep>> held;
    private final ValueState<List<LookbackRef>> remembered;
    private final ValueState<List<Long>> windowEnds;
    private final TimerService processingTime;

    private transient Emitter<OUT> emitter;
    private final MatchContext context = new MatchContext();
    private final Collector<OUT> collector = new Collector<>() {
        @Override
        public void collect(OUT record) {
            emitter.emit(record, context.timestamp);
        }

        @Override
        public void close() {}
    };

    /** Turns a pattern's matches into the host's output records. */
    public interface MatchFunction<OUT> extends Serializable {
        PatternProcessFunction<SpecStep, OUT> forPattern(PatternSpec spec);
    }

    /** The guest of {@code spec}; its slice is named after the spec id. */
    public static <OUT, CTRL> UserGuest.Factory<OUT, CTRL> factory(PatternSpec spec, MatchFunction<OUT> functions) {
        CompiledPattern.compile(spec); // fails the job definition, not the job, on a bad spec
        return new Factory<>() {
            private static final long serialVersionUID = 1L;

            @Override
            public String sliceName() {
                return spec.id;
            }

            @Override
            public UserGuest<OUT, CTRL> create(KeyedStateStore slice, Setup setup) {
                return new PatternGuest<>(CompiledPattern.compile(spec), functions.forPattern(spec), slice,
                        TypeInformation.of(SpecStep.class).createSerializer(setup.serializers()),
                        TypeInformation.of(LookbackRef.class).createSerializer(setup.serializers()),
                        setup.processingTime());
            }
        };
    }

    /** Registers the guest's states in {@code slice}; call while the host initializes its state. */
    private PatternGuest(CompiledPattern pattern, PatternProcessFunction<SpecStep, OUT> function,
            KeyedStateStore slice, TypeSerializer<SpecStep> stepSerializer, TypeSerializer<LookbackRef> refSerializer,
            TimerService processingTime) {
        this.id = pattern.spec().id;
        this.input = pattern.input();
        this.lookback = pattern.lookback() != null ? Lookback.of(pattern.spec()) : null;
        this.windowMillis = pattern.windowMillis();
        this.function = function;
        this.processingTime = processingTime;
        this.nfa = new NfaRunner<>(NFACompiler.compileFactory(pattern.pattern(), false), stepSerializer,
                pattern.skipStrategy(), slice, processingTime);
        this.held = slice.getState(new ValueStateDescriptor<>("held-steps", new ListSerializer<>(stepSerializer)));
        this.remembered = slice.getState(
                new ValueStateDescriptor<>("lookback-events", new ListSerializer<>(refSerializer)));
        this.windowEnds = slice.getState(
                new ValueStateDescriptor<>("window-ends", new ListSerializer<>(LongSerializer.INSTANCE)));
    }

    @Override
    public String pendingAccumulator() {
        return UserPassOperator.ACC_OPEN_MATCHES_PREFIX + id;
    }

    @Override
    public void open(RuntimeContext runtime) throws Exception {
        nfa.open(runtime);
        FunctionUtils.setFunctionRuntimeContext(function, runtime);
        FunctionUtils.openFunction(function, DefaultOpenContext.INSTANCE);
    }

    @Override
    public void close() throws Exception {
        nfa.close();
        FunctionUtils.closeFunction(function);
    }

    @Override
    public void onEvent(JourneyEvent event, long watermark, Emitter<OUT> out) throws Exception {
        if (event.isGroupCall()) {
            return; // an account, no step of the journey: it must not break a sequence
        }
        if (lookback != null && lookback.remembers(event)) {
            remembered.update(append(remembered.value(), Lookback.refOf(event)));
        }
        if (event.timestamp > watermark && input.accepts(event)) {
            held.update(append(held.value(), SpecStep.of(event)));
        }
    }

    @Override
    public void onWatermark(long watermark, Emitter<OUT> out) throws Exception {
        emitter = out;
        NfaRunner.Matches<SpecStep> matches = this::emit;
        List<SpecStep> steps = held.value();
        if (steps != null) {
            List<SpecStep> due = new ArrayList<>();
            List<SpecStep> later = new ArrayList<>();
            for (SpecStep step : steps) {
                (step.timestamp <= watermark ? due : later).add(step);
            }
            if (!due.isEmpty()) {
                due.sort(EVENT_TIME_ORDER);
                List<LookbackRef> refs = remembered.value();
                long current = Long.MIN_VALUE;
                for (SpecStep step : due) {
                    if (step.timestamp != current) {
                        current = step.timestamp;
                        nfa.advanceTime(current, matches);
                    }
                    if (lookback != null && lookback.canStart(step)) {
                        lookback.attach(step, refs != null ? refs : List.of());
                    }
                    boolean newStart = nfa.process(step, step.timestamp, matches);
                    addWindowEnd(step.timestamp, windowMillis);
                    if (newStart) {
                        addWindowEnd(step.timestamp, nfa.windowTime());
                    }
                }
                if (later.isEmpty()) {
                    held.clear();
                } else {
                    held.update(later);
                }
            }
        }
        nfa.advanceTime(watermark, matches);
        nfa.dropIfIdle();
        List<Long> ends = windowEnds.value();
        if (ends != null) {
            List<Long> open = new ArrayList<>(ends.size());
            for (Long end : ends) {
                if (end > watermark) {
                    open.add(end);
                }
            }
            if (open.isEmpty()) {
                windowEnds.clear();
            } else if (open.size() != ends.size()) {
                windowEnds.update(open);
            }
        }
        List<LookbackRef> refs = remembered.value();
        if (refs != null && lookback != null) {
            List<LookbackRef> kept = lookback.prune(refs, watermark);
            if (kept.isEmpty()) {
                remembered.clear();
            } else if (kept != refs) {
                remembered.update(kept);
            }
        }
    }

    @Override
    public long nextDue() throws Exception {
        long due = Long.MAX_VALUE;
        List<SpecStep> steps = held.value();
        if (steps != null) {
            for (SpecStep step : steps) {
                due = Math.min(due, step.timestamp);
            }
        }
        List<Long> ends = windowEnds.value();
        if (ends != null) {
            for (Long end : ends) {
                due = Math.min(due, end);
            }
        }
        List<LookbackRef> refs = remembered.value();
        if (refs != null && lookback != null) {
            long newest = Long.MIN_VALUE;
            for (LookbackRef ref : refs) {
                newest = Math.max(newest, ref.timestamp);
            }
            due = Math.min(due, lookback.pruneTime(newest));
        }
        return due;
    }

    @Override
    public boolean hasPending() throws Exception {
        return nfa.hasStartedMatch();
    }

    private void emit(java.util.Map<String, List<SpecStep>> match, long timestamp) throws Exception {
        context.timestamp = timestamp;
        function.processMatch(match, context, collector);
    }

    /** A window of an element at {@code time} closes at {@code time + window} (when the window is set). */
    private void addWindowEnd(long time, long window) throws Exception {
        if (window <= 0 || time > Long.MAX_VALUE - window) {
            return;
        }
        long end = time + window;
        List<Long> ends = windowEnds.value();
        if (ends != null && ends.contains(end)) {
            return;
        }
        windowEnds.update(append(ends, end));
    }

    private static <T> List<T> append(@Nullable List<T> list, T item) {
        List<T> out = list != null ? list : new ArrayList<>();
        out.add(item);
        return out;
    }

    /** What a {@link PatternProcessFunction} sees of the pass (no side outputs: none of the project's uses them). */
    private final class MatchContext implements PatternProcessFunction.Context {
        private long timestamp;

        @Override
        public <X> void output(OutputTag<X> outputTag, X value) {
            throw new UnsupportedOperationException("pattern '" + id + "': side outputs are not supported in the pass");
        }

        @Override
        public long timestamp() {
            return timestamp;
        }

        @Override
        public long currentProcessingTime() {
            return processingTime.currentProcessingTime();
        }
    }
}
