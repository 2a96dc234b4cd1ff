package io.journeycep.pipeline.stages.browsing;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.browsing.BrowsingStep;
import io.journeycep.patterns.ArrivalOrder;
import io.journeycep.patterns.browsing.HighValueBrowsingInput;
import io.journeycep.patterns.browsing.HighValueBrowsingPattern;
import io.journeycep.patterns.cep.WindowClosingCepOperator;
import io.journeycep.sinks.Alert;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

import java.time.Duration;

/**
 * The HIGH_VALUE_BROWSING stage: {@link HighValueBrowsingInput} (only views priced at least {@code min-price}, and
 * purchases, go on) → Flink CEP ({@link HighValueBrowsingPattern} in {@link WindowClosingCepOperator}) → {@link
 * HighValueBrowsingAlertFunction}. The filter is a forward, one-to-one step on the upstream operator's output, so the
 * partitioning by user key is kept and CEP runs on it without another shuffle.
 */
public final class HighValueBrowsingStage {
    public static final String INPUT_UID = "high-value-browsing-input";
    public static final String CEP_UID = "high-value-browsing-cep";

    private HighValueBrowsingStage() {}

    /**
     * @param events deduplicated, on-time events, already partitioned by {@link JourneyEvent#userKey()} (the output of
     *     a keyed operator on that key)
     */
    public static SingleOutputStreamOperator<Alert> apply(
            DataStream<JourneyEvent> events, int minViews, double minPrice, Duration window) {
        HighValueBrowsingPattern pattern = new HighValueBrowsingPattern(minViews, minPrice, window);
        SingleOutputStreamOperator<BrowsingStep> steps = events
                .forward() // explicit: a parallelism change here would fail the build instead of breaking the keying
                .flatMap(new HighValueBrowsingInput(minPrice), TypeInformation.of(BrowsingStep.class))
                .name("high-value views and purchases")
                .uid(INPUT_UID);

        KeyedStream<BrowsingStep, String> byUser = DataStreamUtils.reinterpretAsKeyedStream(steps, new StepUserKey());
        WindowClosingCepOperator<BrowsingStep, String, Alert> cep = new WindowClosingCepOperator<>(
                TypeInformation.of(BrowsingStep.class).createSerializer(
                        events.getExecutionEnvironment().getConfig().getSerializerConfig()),
                NFACompiler.compileFactory(pattern.pattern(), false),
                new ArrivalOrder<>(),
                pattern.skipStrategy(),
                new HighValueBrowsingAlertFunction(pattern),
                null,
                pattern.windowMillis());
        return byUser
                .transform("high-value browsing (CEP)", TypeInformation.of(Alert.class), cep)
                .uid(CEP_UID);
    }

    private static final class StepUserKey implements KeySelector<BrowsingStep, String> {
        @Override
        public String getKey(BrowsingStep step) {
            return step.userKey;
        }
    }
}
