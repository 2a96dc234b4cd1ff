package io.journeycep.patterns.cart;

import org.apache.flink.cep.EventComparator;

/** Orders cart steps with equal timestamps by arrival ({@link CartStep#seq}), as DESIGN §3 asks. */
public final class CartStepOrder implements EventComparator<CartStep> {
    private static final long serialVersionUID = 1L;

    @Override
    public int compare(CartStep a, CartStep b) {
        return Long.compare(a.seq, b.seq);
    }
}
