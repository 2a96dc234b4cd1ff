package io.journeycep.pipeline.stages.patterns;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.ArrivalOrder;
import io.journeycep.patterns.cep.WindowClosingCepOperator;
import io.journeycep.patterns.spec.CompiledPattern;
import io.journeycep.patterns.spec.EventMatcher;
import io.journeycep.patterns.spec.PatternSpec;
import io.journeycep.patterns.spec.SpecStep;
import io.journeycep.pipeline.stages.erasure.ErasingKeyedProcessOperator;
import io.journeycep.sinks.Alert;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

import java.util.ArrayList;
import java.util.List;

/**
 * The CEP stage of one pattern spec, the built-ins included:
 *
 * <pre>
 * starts-after set:  PatternLookback (keyed by user, uid &lt;id&gt;-lookback) ─┐
 * otherwise:         SpecInput filter (forward, uid &lt;id&gt;-input) ────────────┴► Flink CEP in WindowClosingCepOperator
 *                                                                             (uid &lt;id&gt;-cep) → PatternAlertFunction
 * </pre>
 *
 * Erasure markers (README "Privacy") pass both and make the look-back and CEP delete the user's state and timers.
 * Either way CEP sees only the events the pattern mentions, and every operator keeps the upstream partitioning by
 * user key (no extra shuffle). The uids derive from the spec id, so an id must not change while the job runs from a
 * savepoint.
 */
public final class PatternStage {
    private PatternStage() {}

    public static String lookbackUid(PatternSpec spec) {
        return spec.id + "-lookback";
    }

    public static String inputUid(PatternSpec spec) {
        return spec.id + "-input";
    }

    public static String cepUid(PatternSpec spec) {
        return spec.id + "-cep";
    }

    /**
     * @param events deduplicated, on-time events, already partitioned by {@link JourneyEvent#userKey()} (the output of
     *     a keyed operator on that key)
     */
    public static SingleOutputStreamOperator<Alert> apply(DataStream<JourneyEvent> events, PatternSpec spec) {
        return apply(events, spec, false);
    }

    /**
     * As {@link #apply(DataStream, PatternSpec)}; with {@code countOpenAtTheEnd}, the CEP operator counts the users with
     * a started match when the input ends (accumulator {@code openMatches.<spec id>}; a replay's "open carts").
     */
    public static SingleOutputStreamOperator<Alert> apply(
            DataStream<JourneyEvent> events, PatternSpec spec, boolean countOpenAtTheEnd) {
        CompiledPattern pattern = CompiledPattern.compile(spec);
        SingleOutputStreamOperator<SpecStep> steps;
        if (pattern.lookback() != null) {
            List<EventMatcher> starters = new ArrayList<>();
            for (int i : spec.stepsThatCanStart()) {
                starters.add(spec.steps.get(i).match);
            }
            steps = DataStreamUtils.reinterpretAsKeyedStream(events, new UserKey())
                    .transform(spec.id + " look-back", TypeInformation.of(SpecStep.class),
                            new ErasingKeyedProcessOperator<>(
                                    new PatternLookback(pattern.lookback(), pattern.input(), starters),
                                    JourneyEvent::isErasure))
                    .uid(lookbackUid(spec));
        } else {
            steps = events
                    .forward() // explicit: a parallelism change here would fail the build instead of breaking keying
                    .flatMap(pattern.input(), TypeInformation.of(SpecStep.class))
                    .name(spec.id + " input")
                    .uid(inputUid(spec));
        }
        KeyedStream<SpecStep, String> byUser = DataStreamUtils.reinterpretAsKeyedStream(steps, new StepUserKey());
        WindowClosingCepOperator<SpecStep, String, Alert> cep = new WindowClosingCepOperator<>(
                TypeInformation.of(SpecStep.class).createSerializer(
                        events.getExecutionEnvironment().getConfig().getSerializerConfig()),
                NFACompiler.compileFactory(pattern.pattern(), false),
                new ArrivalOrder<>(),
                pattern.skipStrategy(),
                new PatternAlertFunction(spec),
                null,
                pattern.windowMillis(),
                SpecStep::isErasure);
        if (countOpenAtTheEnd) {
            cep.countingOpenMatchesAtTheEnd(spec.id);
        }
        return byUser
                .transform(spec.id + " (CEP)", TypeInformation.of(Alert.class), cep)
                .uid(cepUid(spec));
    }

    /** Key of the stage: the user key. */
    public static final class UserKey implements KeySelector<JourneyEvent, String> {
        @Override
        public String getKey(JourneyEvent event) {
            return event.userKey();
        }
    }

    private static final class StepUserKey implements KeySelector<SpecStep, String> {
        @Override
        public String getKey(SpecStep step) {
            return step.userKey;
        }
    }
}
