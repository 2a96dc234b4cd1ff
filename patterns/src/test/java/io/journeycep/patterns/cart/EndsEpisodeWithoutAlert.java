package io.journeycep.patterns.cart;

import io.journeycep.model.EventType;

import org.apache.flink.cep.pattern.conditions.SimpleCondition;

/**
 * What must not follow an episode's last cart add within the timeout for the episode to be abandoned: a purchase
 * (closes the episode, no alert) or another cart add (extends the episode; the alert then comes, at most once,
 * for the longer episode).
 */
public final class EndsEpisodeWithoutAlert extends SimpleCondition<CartStep> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean filter(CartStep step) {
        return step.type == EventType.PURCHASE || step.type == EventType.CART_ADD;
    }
}
