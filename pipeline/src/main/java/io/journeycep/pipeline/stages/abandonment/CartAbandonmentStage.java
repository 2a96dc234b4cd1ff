package io.journeycep.pipeline.stages.abandonment;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.cart.CartAbandonmentPattern;
import io.journeycep.patterns.cart.CartStep;
import io.journeycep.patterns.ArrivalOrder;
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
 * The CART_ABANDONED stage: {@link CartLookback} → Flink CEP ({@link CartAbandonmentPattern} in {@link
 * WindowClosingCepOperator}) → {@link AbandonmentAlertFunction}. Both operators keep the upstream partitioning by
 * user key (no extra shuffle).
 */
public final class CartAbandonmentStage {
    public static final String LOOKBACK_UID = "cart-lookback";
    public static final String CEP_UID = "cart-abandonment-cep";

    private CartAbandonmentStage() {}

    /**
     * @param events deduplicated, on-time events, already partitioned by {@link JourneyEvent#userKey()} (the output of
     *     a keyed operator on that key)
     */
    public static SingleOutputStreamOperator<Alert> apply(
            DataStream<JourneyEvent> events, Duration viewLookback, Duration timeout) {
        KeyedStream<JourneyEvent, String> byUser =
                DataStreamUtils.reinterpretAsKeyedStream(events, new UserKey());
        SingleOutputStreamOperator<CartStep> steps = byUser
                .process(new CartLookback(viewLookback), TypeInformation.of(CartStep.class))
                .name("cart look-back")
                .uid(LOOKBACK_UID);

        CartAbandonmentPattern pattern = new CartAbandonmentPattern(timeout);
        KeyedStream<CartStep, String> stepsByUser = DataStreamUtils.reinterpretAsKeyedStream(steps, new StepUserKey());
        WindowClosingCepOperator<CartStep, String, Alert> cep = new WindowClosingCepOperator<>(
                TypeInformation.of(CartStep.class).createSerializer(
                        events.getExecutionEnvironment().getConfig().getSerializerConfig()),
                NFACompiler.compileFactory(pattern.pattern(), false),
                new ArrivalOrder<>(),
                pattern.skipStrategy(),
                new AbandonmentAlertFunction(timeout),
                null,
                pattern.windowMillis());
        return stepsByUser
                .transform("cart abandonment (CEP)", TypeInformation.of(Alert.class), cep)
                .uid(CEP_UID);
    }

    /** Key of the stage: the user key. */
    public static final class UserKey implements KeySelector<JourneyEvent, String> {
        @Override
        public String getKey(JourneyEvent event) {
            return event.userKey();
        }
    }

    private static final class StepUserKey implements KeySelector<CartStep, String> {
        @Override
        public String getKey(CartStep step) {
            return step.userKey;
        }
    }
}
