package io.journeycep.model;

import java.util.Locale;

/** Canonical event types of DESIGN §2. The wire name ({@link #wireName()}) is the public contract. */
public enum EventType {
    VIEW,
    CART_ADD,
    CART_REMOVE,
    CHECKOUT,
    PURCHASE,
    LOGIN,
    LOGIN_FAILED,
    PAYMENT_FAILED,
    SIGNUP,
    SEARCH,
    PAGE,
    OTHER;

    /** The lower-case name used in JSON, config files and tables ({@code cart_add}). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a canonical wire name; {@code null} when the name is not canonical. */
    public static EventType fromWireName(String name) {
        if (name == null) {
            return null;
        }
        for (EventType type : values()) {
            if (type.wireName().equals(name)) {
                return type;
            }
        }
        return null;
    }
}
