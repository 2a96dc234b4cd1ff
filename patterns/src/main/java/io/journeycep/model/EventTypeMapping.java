package io.journeycep.model;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The configurable table that maps source event names to canonical {@link EventType}s (DESIGN §2).
 *
 * <p>Matching is case-insensitive, ignores leading and trailing white space and treats runs of inner white space as
 * one space ({@code "  product   ADDED "} matches {@code Product Added}). A name the table does not know maps to
 * {@link EventType#OTHER}. The canonical wire names ({@code view}, {@code cart_add}, …) always map to themselves and
 * cannot be overridden.
 *
 * <p>Immutable and serializable: {@link #withOverrides(Map)} returns a new table.
 */
public final class EventTypeMapping implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    /** Normalized source name → canonical type. Never modified after construction. */
    private final LinkedHashMap<String, EventType> table;

    private EventTypeMapping(LinkedHashMap<String, EventType> table) {
        this.table = table;
    }

    /**
     * The default table: the canonical wire names, the Segment e-commerce and B2B spec names, Segment/RudderStack
     * call types {@code page} and {@code screen}, GA4-style names and common raw tracker names.
     */
    public static EventTypeMapping defaults() {
        LinkedHashMap<String, EventType> t = new LinkedHashMap<>();
        for (EventType type : EventType.values()) {
            t.put(type.wireName(), type);
        }
        // Segment e-commerce / B2B SaaS spec.
        put(t, EventType.VIEW, "Product Viewed");
        put(t, EventType.CART_ADD, "Product Added");
        put(t, EventType.CART_REMOVE, "Product Removed");
        put(t, EventType.CHECKOUT, "Checkout Started");
        put(t, EventType.PURCHASE, "Order Completed");
        put(t, EventType.LOGIN, "Signed In");
        put(t, EventType.LOGIN_FAILED, "Login Failed", "Sign In Failed");
        put(t, EventType.PAYMENT_FAILED, "Payment Failed");
        put(t, EventType.SIGNUP, "Signed Up");
        put(t, EventType.SEARCH, "Products Searched");
        // Segment / RudderStack call types that are views of pages.
        put(t, EventType.PAGE, "screen", "page_view", "pageview", "Page Viewed", "screen_view");
        // Common raw names (Retailrocket, Taobao, REES46, GA4-style, hand-rolled trackers).
        put(t, EventType.VIEW, "pv", "product_view", "view_item");
        put(t, EventType.CART_ADD, "addtocart", "add_to_cart", "add-to-cart", "cart");
        put(t, EventType.CART_REMOVE, "remove_from_cart", "removefromcart", "remove-from-cart");
        put(t, EventType.CHECKOUT, "begin_checkout", "checkout_started");
        put(t, EventType.PURCHASE, "transaction", "buy", "order", "order_completed");
        put(t, EventType.LOGIN, "sign_in", "signin");
        put(t, EventType.SIGNUP, "sign_up", "register", "registration");
        put(t, EventType.OTHER, "fav", "identify");
        return new EventTypeMapping(t);
    }

    /** A table that knows only the canonical wire names. */
    public static EventTypeMapping canonicalOnly() {
        LinkedHashMap<String, EventType> t = new LinkedHashMap<>();
        for (EventType type : EventType.values()) {
            t.put(type.wireName(), type);
        }
        return new EventTypeMapping(t);
    }

    private static void put(Map<String, EventType> t, EventType type, String... names) {
        for (String name : names) {
            t.put(normalize(name), type);
        }
    }

    /**
     * A copy of this table with extra or replaced entries: source name → canonical wire name (case-insensitive).
     *
     * @throws IllegalArgumentException naming the offending entry when a source name is empty, a target is not a
     *     canonical wire name, or an entry would remap a canonical wire name to another type
     */
    public EventTypeMapping withOverrides(Map<String, String> overrides) {
        Objects.requireNonNull(overrides, "overrides");
        LinkedHashMap<String, EventType> t = new LinkedHashMap<>(table);
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            String source = e.getKey();
            String target = e.getValue();
            String entry = "'" + source + "' -> '" + target + "'";
            if (source == null || source.isBlank()) {
                throw new IllegalArgumentException("event type mapping entry " + entry + ": empty source name");
            }
            EventType type = target == null ? null : EventType.fromWireName(normalize(target));
            if (type == null) {
                throw new IllegalArgumentException("event type mapping entry " + entry + ": '" + target
                        + "' is not a canonical event type (one of " + canonicalNames() + ")");
            }
            String key = normalize(source);
            EventType canonical = EventType.fromWireName(key);
            if (canonical != null && canonical != type) {
                throw new IllegalArgumentException("event type mapping entry " + entry + ": '" + source
                        + "' is a canonical event type and always maps to itself");
            }
            t.put(key, type);
        }
        return new EventTypeMapping(t);
    }

    /** The canonical type of a source event name; {@link EventType#OTHER} when the name is unknown or null. */
    public EventType map(String sourceName) {
        if (sourceName == null) {
            return EventType.OTHER;
        }
        EventType type = table.get(normalize(sourceName));
        return type != null ? type : EventType.OTHER;
    }

    /** Whether the table has an entry for this name (an unknown name still maps, to {@code other}). */
    public boolean knows(String sourceName) {
        return sourceName != null && table.containsKey(normalize(sourceName));
    }

    /** The entries, normalized source name → type, in insertion order (read-only). */
    public Map<String, EventType> entries() {
        return Collections.unmodifiableMap(table);
    }

    static String normalize(String name) {
        return WHITESPACE.matcher(name.trim()).replaceAll(" ").toLowerCase(Locale.ROOT);
    }

    private static String canonicalNames() {
        return Arrays.stream(EventType.values()).map(EventType::wireName).collect(Collectors.joining(", "));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventTypeMapping && table.equals(((EventTypeMapping) o).table);
    }

    @Override
    public int hashCode() {
        return table.hashCode();
    }

    @Override
    public String toString() {
        return "EventTypeMapping" + table;
    }
}
