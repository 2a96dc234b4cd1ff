package io.journeycep.patterns.spec;

import io.journeycep.model.JourneyEvent;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The event fields a spec's {@code where} conditions may test, by their wire names (the camelCase names of rule
 * files, as for velocity rules). Numeric fields compare as numbers ({@code >=}, {@code <}, …); text fields only with
 * {@code ==}, {@code !=}, {@code in} and {@code not-in}.
 */
public enum SpecField {
    PRICE("price", true),
    QUANTITY("quantity", true),
    ITEM_ID("itemId", false),
    CATEGORY_ID("categoryId", false),
    CURRENCY("currency", false),
    SESSION_ID("sessionId", false),
    IP("ip", false),
    DEVICE_ID("deviceId", false),
    CARD_ID("cardId", false);

    private final String wireName;
    private final boolean numeric;

    SpecField(String wireName, boolean numeric) {
        this.wireName = wireName;
        this.numeric = numeric;
    }

    public String wireName() {
        return wireName;
    }

    public boolean isNumeric() {
        return numeric;
    }

    /** The field of {@code e}: a {@link Double} for numeric fields, a {@link String} otherwise, null when absent. */
    public Object valueOf(JourneyEvent e) {
        switch (this) {
            case PRICE:
                return e.price;
            case QUANTITY:
                return e.quantity == null ? null : e.quantity.doubleValue();
            case ITEM_ID:
                return e.itemId;
            case CATEGORY_ID:
                return e.categoryId;
            case CURRENCY:
                return e.currency;
            case SESSION_ID:
                return e.sessionId;
            case IP:
                return e.ip;
            case DEVICE_ID:
                return e.deviceId;
            default:
                return e.cardId;
        }
    }

    /** The same field of a step ({@link SpecStep#of} copies every one of them). */
    public Object valueOf(SpecStep s) {
        switch (this) {
            case PRICE:
                return s.price;
            case QUANTITY:
                return s.quantity == null ? null : s.quantity.doubleValue();
            case ITEM_ID:
                return s.itemId;
            case CATEGORY_ID:
                return s.categoryId;
            case CURRENCY:
                return s.currency;
            case SESSION_ID:
                return s.sessionId;
            case IP:
                return s.ip;
            case DEVICE_ID:
                return s.deviceId;
            default:
                return s.cardId;
        }
    }

    /** The field with this wire name (exact, case-sensitive), or {@code null}. */
    public static SpecField fromWireName(String name) {
        for (SpecField f : values()) {
            if (f.wireName.equals(name)) {
                return f;
            }
        }
        return null;
    }

    /** The wire names, for messages. */
    public static String wireNames() {
        return Arrays.stream(values()).map(SpecField::wireName).collect(Collectors.joining(", "));
    }
}
