package io.journeycep.patterns.cart;

import io.journeycep.patterns.JourneyPattern;

import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.WithinType;

import java.time.Duration;

/**
 * <b>Test oracle.</b> The hand-written pattern the job ran before the built-ins became pattern specs (cart-abandonment.yaml);
 * kept in test scope so {@code io.journeycep.patterns.spec.BuiltInEquivalenceTest} can show that the compiled spec
 * matches exactly what it matched, on randomized input.
 *
 * <p>CART_ABANDONED (DESIGN §3): {@code view → cart_add (→ cart_add)* → no purchase within the timeout}.
 *
 * <pre>
 * begin("carts")        zero or more cart adds, strictly consecutive            (EpisodeCartAdd)
 * next("lastCart")      the episode's last cart add                              (EpisodeCartAdd)
 * notFollowedBy("end")  no purchase and no further cart add within the timeout   (EndsEpisodeWithoutAlert)
 * </pre>
 * The episode's first cart add (in {@code carts}, or {@code lastCart} when it is alone) must have a view at most the
 * look-back before it.
 *
 * <p>The stage's input holds only cart adds and purchases, so strict contiguity means "no purchase in between". A
 * cart add within the timeout of the previous one kills the pending match that ended at the previous one, while the
 * loop carries the episode on with it as the new {@code lastCart}; so the only match that completes is the whole
 * episode, when the watermark passes {@code last cart_add + timeout}. {@code SKIP_PAST_LAST_EVENT} then discards
 * the partial matches that started inside it (for example at its second cart add, which may have a view before it
 * too): one alert per episode. The singleton {@code lastCart} step exists because Flink CEP enters the pending
 * {@code notFollowedBy} state right after a take only from a non-looping step, and rejects an optional step
 * directly before a negation.
 *
 * <p>Boundaries are inclusive as DESIGN §3 asks: CEP times a state out when {@code t - previous >= window}, so the
 * window is {@code timeout + 1 ms}; an event exactly {@code timeout} after the last cart add still counts. The gap
 * allowed between an episode's cart adds is the same timeout. Run it in {@link
 * io.journeycep.patterns.cep.WindowClosingCepOperator}, which fires the window on a quiet user.
 */
public final class CartAbandonmentPattern implements JourneyPattern<CartStep> {
    public static final String NAME = "cart-abandonment";
    public static final String CARTS = "carts";
    public static final String LAST_CART = "lastCart";
    public static final String END = "end";

    private final Duration timeout;

    /** @param timeout how long after an episode's last cart add a purchase (or another cart add) still counts */
    public CartAbandonmentPattern(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("cart abandonment timeout must be positive, was " + timeout);
        }
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public AfterMatchSkipStrategy skipStrategy() {
        return AfterMatchSkipStrategy.skipPastLastEvent();
    }

    public Duration timeout() {
        return timeout;
    }

    /** The PREVIOUS_AND_CURRENT window given to CEP: the timeout plus 1 ms, for inclusive boundaries. */
    public long windowMillis() {
        return timeout.toMillis() + 1;
    }

    @Override
    public Pattern<CartStep, ?> pattern() {
        return Pattern.<CartStep>begin(CARTS, skipStrategy())
                .where(new EpisodeCartAdd(CARTS))
                .oneOrMore()
                .optional()
                .consecutive()
                .next(LAST_CART)
                .where(new EpisodeCartAdd(CARTS))
                .notFollowedBy(END)
                .where(new EndsEpisodeWithoutAlert())
                .within(Duration.ofMillis(windowMillis()), WithinType.PREVIOUS_AND_CURRENT);
    }
}
