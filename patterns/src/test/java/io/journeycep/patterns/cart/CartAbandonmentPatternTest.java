package io.journeycep.patterns.cart;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;

/** CART_ABANDONED semantics of DESIGN §3, pinned for false positives as well as matches, on heap and RocksDB. */
class CartAbandonmentPatternTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(30);

    private static CartAbandonmentHarness harness(boolean rocksDb) throws Exception {
        return new CartAbandonmentHarness(TIMEOUT, rocksDb);
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void viewedCartWithoutPurchaseIsAbandonedOnceAfterTheTimeout(boolean rocksDb) throws Exception {
        try (CartAbandonmentHarness h = harness(rocksDb)) {
            h.cart("c1", 10, true).watermark(40);
            assertThat(h.matches()).as("deadline 40 min is inclusive: not yet").isEmpty();
            h.watermarkMillis(40 * CartAbandonmentHarness.MIN + 1);
            assertThat(h.matches()).containsExactly("c1");
            h.watermark(200);
            assertThat(h.matches()).containsExactly("c1");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void purchaseClosesTheEpisode(boolean rocksDb) throws Exception {
        try (CartAbandonmentHarness h = harness(rocksDb)) {
            h.cart("c1", 10, true).purchase("p1", 25).watermark(200);
            assertThat(h.matches()).isEmpty();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void purchaseExactlyAtTheTimeoutStillCounts(boolean rocksDb) throws Exception {
        try (CartAbandonmentHarness h = harness(rocksDb)) {
            h.cart("c1", 10, true).purchase("p1", 40).watermark(200);
            assertThat(h.matches()).isEmpty();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void purchaseOneMillisecondAfterTheTimeoutIsTooLate(boolean rocksDb) throws Exception {
        try (CartAbandonmentHarness h = harness(rocksDb)) {
            h.cart("c1", 10, true);
            h.watermark(39);
            // purchase at 40 min + 1 ms
            h.purchaseAtMillis("p1", 40 * CartAbandonmentHarness.MIN + 1).watermark(200);
            assertThat(h.matches()).containsExactly("c1");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void severalCartAddsMakeOneAlert(boolean rocksDb) throws Exception {
        try (CartAbandonmentHarness h = harness(rocksDb)) {
            h.cart("c1", 10, true).cart("c2", 20, true).cart("c3", 50, false).watermark(79);
            assertThat(h.matches()).isEmpty();
            h.watermark(200);
            assertThat(h.matches()).containsExactly("c1,c2,c3");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void cartAddExactlyAtTheGapJoinsTheEpisode(boolean rocksDb) throws Exception {
        try (CartAbandonmentHarness h = harness(rocksDb)) {
            h.cart("c1", 10, true).cart("c2", 40, false).watermark(200);
            assertThat(h.matches()).containsExactly("c1,c2");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void cartAddAfterTheGapDoesNotJoinAndStartsNothingWithoutAView(boolean rocksDb) throws Exception {
        try (CartAbandonmentHarness h = harness(rocksDb)) {
            h.cart("c1", 10, true).cart("c2", 41, false).watermark(200);
            assertThat(h.matches()).containsExactly("c1");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void cartAddAfterTheGapWithAViewStartsASecondEpisode(boolean rocksDb) throws Exception {
        try (CartAbandonmentHarness h = harness(rocksDb)) {
            h.cart("c1", 10, true).cart("c2", 41, true).watermark(200);
            assertThat(h.matches()).containsExactly("c1", "c2");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void cartAddWithoutAViewStartsNothing(boolean rocksDb) throws Exception {
        try (CartAbandonmentHarness h = harness(rocksDb)) {
            h.cart("c1", 10, false).cart("c2", 20, false).watermark(200);
            assertThat(h.matches()).isEmpty();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void unviewedCartBeforeAViewedOneIsNotPartOfTheEpisode(boolean rocksDb) throws Exception {
        try (CartAbandonmentHarness h = harness(rocksDb)) {
            h.cart("c0", 5, false).cart("c1", 10, true).watermark(200);
            assertThat(h.matches()).containsExactly("c1");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void purchaseBetweenCartsSplitsEpisodes(boolean rocksDb) throws Exception {
        try (CartAbandonmentHarness h = harness(rocksDb)) {
            h.cart("c1", 10, true).purchase("p1", 15).cart("c2", 20, false).cart("c3", 25, true).watermark(200);
            assertThat(h.matches()).as("c2 has no view: starts nothing; c3 does").containsExactly("c3");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void stateAndTimersAreClearedAfterTheEpisode(boolean rocksDb) throws Exception {
        try (CartAbandonmentHarness h = harness(rocksDb)) {
            h.cart("c1", 10, true).cart("c2", 20, false).purchase("p1", 30).cart("c3", 100, true).watermark(500);
            assertThat(h.matches()).containsExactly("c3");
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.keysWithCepState()).isZero();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void purchaseWithTheSameTimestampThatArrivedBeforeTheCartDoesNotCloseIt(boolean rocksDb) throws Exception {
        try (CartAbandonmentHarness h = harness(rocksDb)) {
            // fed cart first, but the purchase arrived first (seq 1 < 2): the purchase precedes the cart
            h.stepWithSeq("c1", false, 10, 2).stepWithSeq("p1", true, 10, 1).watermark(200);
            assertThat(h.matches()).containsExactly("c1");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void purchaseWithTheSameTimestampThatArrivedAfterTheCartClosesIt(boolean rocksDb) throws Exception {
        try (CartAbandonmentHarness h = harness(rocksDb)) {
            h.stepWithSeq("p1", true, 10, 2).stepWithSeq("c1", false, 10, 1).watermark(200);
            assertThat(h.matches()).isEmpty();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void outOfOrderArrivalBeforeTheWatermarkGivesTheSameAlerts(boolean rocksDb) throws Exception {
        try (CartAbandonmentHarness h = harness(rocksDb)) {
            h.cart("c2", 20, false).cart("c1", 10, true).purchase("p1", 60).cart("c3", 70, true).watermark(300);
            assertThat(h.matches()).containsExactly("c1,c2", "c3");
        }
    }

    /**
     * Guards the RocksDB speed-up against a Flink upgrade: while a cart waits for its deadline, every state Flink CEP
     * keeps for the key (NFA state, shared buffer, element queue, whose names it matches by flink-cep 2.2.1's
     * constants) must be one value of the single-value CEP state store, and none of CEP's own states may be used.
     */
    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void cepStateIsKeptAsOneValuePerKey(boolean rocksDb) throws Exception {
        List<String> cepOwnStates = List.of("nfaStateName", "eventQueuesStateName", "sharedBuffer-entries",
                "sharedBuffer-events", "sharedBuffer-events-count");
        try (CartAbandonmentHarness h = harness(rocksDb)) {
            h.cart("c1", 10, true);
            assertThat(h.keysWithState("cep-key-state")).as("the element queue's key value").isEqualTo(1);
            h.watermark(10); // the cart is now in the NFA and the shared buffer
            assertThat(h.keysWithState("cep-key-state")).as("the NFA's key value").isEqualTo(1);
            for (String own : cepOwnStates) {
                assertThat(h.keysWithState(own)).as("CEP's own state %s unused", own).isZero();
            }
            h.watermark(1_000_000); // the deadline passes: the alert, then nothing is left of the key
            assertThat(h.keysWithState("cep-key-state")).as("after the deadline").isZero();
        }
    }
}
