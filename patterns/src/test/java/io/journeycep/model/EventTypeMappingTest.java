package io.journeycep.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventTypeMappingTest {
    private final EventTypeMapping defaults = EventTypeMapping.defaults();

    @Test
    void canonicalWireNamesMapToThemselves() {
        for (EventType type : EventType.values()) {
            assertThat(defaults.map(type.wireName())).isEqualTo(type);
        }
    }

    @Test
    void segmentSpecNames() {
        assertThat(defaults.map("Product Viewed")).isEqualTo(EventType.VIEW);
        assertThat(defaults.map("Product Added")).isEqualTo(EventType.CART_ADD);
        assertThat(defaults.map("Product Removed")).isEqualTo(EventType.CART_REMOVE);
        assertThat(defaults.map("Checkout Started")).isEqualTo(EventType.CHECKOUT);
        assertThat(defaults.map("Order Completed")).isEqualTo(EventType.PURCHASE);
        assertThat(defaults.map("Signed In")).isEqualTo(EventType.LOGIN);
        assertThat(defaults.map("Signed Up")).isEqualTo(EventType.SIGNUP);
        assertThat(defaults.map("Products Searched")).isEqualTo(EventType.SEARCH);
        assertThat(defaults.map("Login Failed")).isEqualTo(EventType.LOGIN_FAILED);
        assertThat(defaults.map("Payment Failed")).isEqualTo(EventType.PAYMENT_FAILED);
        assertThat(defaults.map("page")).isEqualTo(EventType.PAGE);
        assertThat(defaults.map("screen")).isEqualTo(EventType.PAGE);
    }

    @Test
    void commonRawNames() {
        for (String n : new String[] {"addtocart", "add_to_cart", "cart"}) {
            assertThat(defaults.map(n)).as(n).isEqualTo(EventType.CART_ADD);
        }
        assertThat(defaults.map("remove_from_cart")).isEqualTo(EventType.CART_REMOVE);
        for (String n : new String[] {"transaction", "buy", "order"}) {
            assertThat(defaults.map(n)).as(n).isEqualTo(EventType.PURCHASE);
        }
        assertThat(defaults.map("pv")).isEqualTo(EventType.VIEW);
        assertThat(defaults.map("product_view")).isEqualTo(EventType.VIEW);
        assertThat(defaults.map("fav")).isEqualTo(EventType.OTHER);
        assertThat(defaults.map("identify")).isEqualTo(EventType.OTHER);
    }

    @Test
    void matchingIsCaseInsensitiveAndTrims() {
        assertThat(defaults.map("  product   ADDED ")).isEqualTo(EventType.CART_ADD);
        assertThat(defaults.map("ADDTOCART")).isEqualTo(EventType.CART_ADD);
        assertThat(defaults.map("\tView\n")).isEqualTo(EventType.VIEW);
    }

    @Test
    void unknownAndNullAreOther() {
        assertThat(defaults.map("Coupon Applied")).isEqualTo(EventType.OTHER);
        assertThat(defaults.map("")).isEqualTo(EventType.OTHER);
        assertThat(defaults.map(null)).isEqualTo(EventType.OTHER);
        assertThat(defaults.knows("Coupon Applied")).isFalse();
        assertThat(defaults.knows("cart")).isTrue();
    }

    @Test
    void overridesAddAndReplaceEntriesWithoutChangingTheOriginal() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("Coupon Applied", "checkout");
        o.put("fav", "CART_ADD");
        EventTypeMapping m = defaults.withOverrides(o);
        assertThat(m.map("coupon applied")).isEqualTo(EventType.CHECKOUT);
        assertThat(m.map("fav")).isEqualTo(EventType.CART_ADD);
        assertThat(m.map("Product Added")).isEqualTo(EventType.CART_ADD);
        assertThat(defaults.map("fav")).isEqualTo(EventType.OTHER);
        assertThat(defaults.map("Coupon Applied")).isEqualTo(EventType.OTHER);
    }

    @Test
    void unknownTargetIsRejectedNamingTheEntry() {
        assertThatThrownBy(() -> defaults.withOverrides(Map.of("Wishlist Added", "wishlist")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'Wishlist Added' -> 'wishlist'")
                .hasMessageContaining("not a canonical event type")
                .hasMessageContaining("cart_add");
    }

    @Test
    void nullTargetAndEmptySourceAreRejected() {
        Map<String, String> nullTarget = new LinkedHashMap<>();
        nullTarget.put("x", null);
        assertThatThrownBy(() -> defaults.withOverrides(nullTarget))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'x' -> 'null'");
        assertThatThrownBy(() -> defaults.withOverrides(Map.of(" ", "view")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty source name");
    }

    @Test
    void canonicalNamesCannotBeRemapped() {
        assertThatThrownBy(() -> defaults.withOverrides(Map.of("View", "page")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'View' -> 'page'")
                .hasMessageContaining("always maps to itself");
        assertThat(defaults.withOverrides(Map.of("view", "view")).map("view")).isEqualTo(EventType.VIEW);
    }

    @Test
    void isSerializable() throws Exception {
        EventTypeMapping m = defaults.withOverrides(Map.of("Coupon Applied", "checkout"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(m);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            EventTypeMapping back = (EventTypeMapping) in.readObject();
            assertThat(back).isEqualTo(m);
            assertThat(back.map("coupon applied")).isEqualTo(EventType.CHECKOUT);
        }
    }
}
