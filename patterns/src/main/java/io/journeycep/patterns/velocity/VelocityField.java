package io.journeycep.patterns.velocity;

import io.journeycep.model.JourneyEvent;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * The {@link JourneyEvent} fields a velocity rule may aggregate. Text fields are for {@code DISTINCT_COUNT}, numeric
 * fields for {@code SUM}. The wire name ({@link #wireName()}) is the camelCase Java field name, as in rule files.
 */
public enum VelocityField {
    USER_ID("userId", false),
    IP("ip", false),
    DEVICE_ID("deviceId", false),
    CARD_ID("cardId", false),
    ITEM_ID("itemId", false),
    CATEGORY_ID("categoryId", false),
    SESSION_ID("sessionId", false),
    PRICE("price", true),
    QUANTITY("quantity", true);

    private final String wireName;
    private final boolean numeric;

    VelocityField(String wireName, boolean numeric) {
        this.wireName = wireName;
        this.numeric = numeric;
    }

    public String wireName() {
        return wireName;
    }

    /** {@code true} for fields that can be summed ({@code price}, {@code quantity}). */
    public boolean isNumeric() {
        return numeric;
    }

    /** The text value of a text field, or {@code null} when the event does not carry it. */
    public String textOf(JourneyEvent e) {
        switch (this) {
            case USER_ID:
                return e.userId;
            case IP:
                return e.ip;
            case DEVICE_ID:
                return e.deviceId;
            case CARD_ID:
                return e.cardId;
            case ITEM_ID:
                return e.itemId;
            case CATEGORY_ID:
                return e.categoryId;
            case SESSION_ID:
                return e.sessionId;
            default:
                throw new IllegalStateException(wireName + " is not a text field");
        }
    }

    /**
     * The numeric value of a numeric field as an exact decimal, or {@code null} when the event does not carry it or
     * it is negative, NaN or infinite (such values never contribute to a sum; see {@link SlidingWindowAggregate}).
     */
    public BigDecimal numberOf(JourneyEvent e) {
        switch (this) {
            case PRICE:
                if (e.price == null || e.price.isNaN() || e.price.isInfinite() || e.price < 0) {
                    return null;
                }
                return BigDecimal.valueOf(e.price); // the shortest decimal that round-trips: 0.1 is exactly 0.1
            case QUANTITY:
                return e.quantity == null || e.quantity < 0 ? null : BigDecimal.valueOf(e.quantity.longValue());
            default:
                throw new IllegalStateException(wireName + " is not a numeric field");
        }
    }

    /** Parses a wire name ({@code deviceId}); also accepts the enum name and snake case; {@code null} if unknown. */
    public static VelocityField fromWireName(String name) {
        if (name == null) {
            return null;
        }
        String flat = name.replace("_", "").toLowerCase(Locale.ROOT);
        for (VelocityField f : values()) {
            if (f.wireName.toLowerCase(Locale.ROOT).equals(flat)) {
                return f;
            }
        }
        return null;
    }
}
