package io.journeycep.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * User keys (README "User keys"): adversarial ids (prefixes, separators, pseudonym-shaped ids, composed and decomposed
 * look-alikes) each keep a key of their own, and every key reads back as the identity it was built from.
 */
class UserKeysTest {
    /** Ids chosen to look like each other's keys. */
    private static final List<String> IDS = List.of(
            "x", "anon:x", "user:anon:x", "user:user:anon:x", "user:x", "user:", "anon:", "user:anon:", "anon:anon:x",
            "u:x", "a:x", "USER|x", "anon|x", ":x", "", " anon:x", "ANON:x", "Anon:x",
            "p1:IGXtEJTKLmVbjA3aFApBbg", "anon:p1:IGXtEJTKLmVbjA3aFApBbg", "user:anon:p1:IGXtEJTKLmVbjA3aFApBbg",
            "caf\u00e9", "cafe\u0301", "anon:caf\u00e9", "anon:cafe\u0301", "anon:\nx", "user:\nanon:x");

    @Test
    void identifiedUsersKeepTheirIdAsKeyAndAnonymousVisitorsAreAnonPrefixed() {
        assertThat(UserKeys.user("u-42")).isEqualTo("u-42");
        assertThat(UserKeys.user("user:42")).as("only ids that read as an anonymous key are escaped")
                .isEqualTo("user:42");
        assertThat(UserKeys.user("p1:IGXtEJTKLmVbjA3aFApBbg")).isEqualTo("p1:IGXtEJTKLmVbjA3aFApBbg");
        assertThat(UserKeys.anonymous("a-9")).isEqualTo("anon:a-9");
        assertThat(UserKeys.user("anon:x")).isEqualTo("user:anon:x");
        assertThat(UserKeys.user("user:anon:x")).isEqualTo("user:user:anon:x");
        assertThat(UserKeys.of("u-42", "a-9")).as("the user id wins").isEqualTo("u-42");
        assertThat(UserKeys.of(null, "a-9")).isEqualTo("anon:a-9");
    }

    @Test
    void noTwoIdentitiesShareAKeyAndEveryKeyReadsBackAsItsIdentity() {
        Map<String, UserKeys.Identity> byKey = new HashMap<>();
        List<UserKeys.Identity> identities = new ArrayList<>();
        for (String id : IDS) {
            identities.add(new UserKeys.Identity(false, id));
            identities.add(new UserKeys.Identity(true, id));
        }
        for (UserKeys.Identity identity : identities) {
            String key = identity.anonymous() ? UserKeys.anonymous(identity.id()) : UserKeys.user(identity.id());
            assertThat(byKey.put(key, identity)).as("the key %s of %s is taken", key, identity).isNull();
            assertThat(UserKeys.parse(key)).isEqualTo(identity);
        }
        assertThat(byKey).hasSize(2 * IDS.size());
    }

    @Test
    void composedAndDecomposedLookAlikesAreTwoIdentities() {
        assertThat(UserKeys.user("caf\u00e9")).isNotEqualTo(UserKeys.user("cafe\u0301"));
        assertThat(UserKeys.anonymous("caf\u00e9")).isNotEqualTo(UserKeys.anonymous("cafe\u0301"));
    }

    @Test
    void anEventsKeyIsItsUsersOrElseItsAnonymousVisitors() {
        JourneyEvent known = new JourneyEvent();
        known.userId = "anon:x";
        known.anonymousId = "x";
        JourneyEvent visitor = new JourneyEvent();
        visitor.anonymousId = "x";
        assertThat(known.userKey()).isEqualTo("user:anon:x");
        assertThat(visitor.userKey()).isEqualTo("anon:x");
        JourneyEvent marker = JourneyEvent.erasureMarker(Erasure.of("c@1", "sha256:00", 1L,
                new String[] {"user:anon:x"}), "anon:x", null, 1L);
        assertThat(marker.userKey()).isEqualTo(known.userKey());
    }
}
