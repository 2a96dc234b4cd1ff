package io.journeycep.patterns.cart;

import io.journeycep.model.EventType;

import org.apache.flink.cep.pattern.conditions.IterativeCondition;

/**
 * A cart add that belongs to a cart episode: the episode's first cart add must have a view by the same user at
 * most the look-back before it (the {@code view → cart_add} step); later cart adds join without one.
 *
 * <p>The views are attached upstream by the look-back stage, which applies the bounds of DESIGN §3 (inclusive;
 * equal timestamps count only when the view arrived first).
 */
public final class EpisodeCartAdd extends IterativeCondition<CartStep> {
    private static final long serialVersionUID = 1L;

    private final String stepName;

    /** @param stepName the name of the looping pattern step this condition guards */
    public EpisodeCartAdd(String stepName) {
        this.stepName = stepName;
    }

    @Override
    public boolean filter(CartStep step, Context<CartStep> ctx) throws Exception {
        if (step.type != EventType.CART_ADD) {
            return false;
        }
        if (step.hasView()) {
            return true;
        }
        return ctx.getEventsForPattern(stepName).iterator().hasNext();
    }
}
