package io.journeycep.patterns.spec;

import static io.journeycep.model.EventType.CART_ADD;
import static io.journeycep.model.EventType.CHECKOUT;
import static io.journeycep.model.EventType.PAYMENT_FAILED;
import static io.journeycep.model.EventType.PURCHASE;
import static io.journeycep.model.EventType.VIEW;
import static io.journeycep.patterns.spec.SpecHarness.MIN;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

/**
 * The example user pattern of {@code rules/examples/checkout-payment-failed.yaml} (checkout → payment_failed → no
 * purchase within 15 min of the checkout), compiled from the file and run in Flink CEP on heap and RocksDB: matches,
 * inclusive boundaries, false positives, and state that drains.
 */
class CheckoutPaymentFailedPatternTest {
    static final Path EXAMPLE = Path.of("..", "rules", "examples", "checkout-payment-failed.yaml");

    static PatternSpec spec() {
        RulesDocument doc = PatternSpecReader.read(EXAMPLE);
        assertThat(doc.findings()).isEmpty();
        assertThat(doc.patterns).hasSize(1);
        return doc.patterns.get(0);
    }

    private static SpecHarness harness(boolean rocksDb) throws Exception {
        return new SpecHarness(spec(), rocksDb);
    }

    @Test
    void theExampleCompilesToTheIntendedCepPattern() {
        CompiledPattern p = CompiledPattern.compile(spec());
        assertThat(p.name()).isEqualTo("checkout-payment-failed");
        assertThat(p.spec().kind).isEqualTo(PatternKind.JOURNEY_PATTERN);
        assertThat(p.windowMillis()).as("15 min, inclusive").isEqualTo(15 * MIN + 1);
        assertThat(p.positiveSteps()).containsExactly("checkout", "failed");
        assertThat(p.pattern().getName()).isEqualTo("no-purchase");
        assertThat(p.pattern().getPrevious().getName()).isEqualTo("failed");
        assertThat(p.skipStrategy().getClass().getSimpleName()).isEqualTo("SkipPastLastStrategy");
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void failedPaymentWithoutPurchaseFiresOnceWhenTheWindowCloses(boolean rocksDb) throws Exception {
        try (SpecHarness h = harness(rocksDb)) {
            h.event("c1", CHECKOUT, 0).event("f1", PAYMENT_FAILED, 2).watermark(15);
            assertThat(h.matches()).as("the window is inclusive: not yet at exactly 15 min").isEmpty();
            h.watermarkMillis(15 * MIN + 1);
            assertThat(h.matches()).containsExactly("c1,f1");
            h.watermark(300);
            assertThat(h.matches()).containsExactly("c1,f1");
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.keysWithCepState()).isZero();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void purchaseWithinTheWindowMeansNoAlert(boolean rocksDb) throws Exception {
        try (SpecHarness h = harness(rocksDb)) {
            h.event("c1", CHECKOUT, 0).event("f1", PAYMENT_FAILED, 2).event("p1", PURCHASE, 9).watermark(300);
            assertThat(h.matches()).isEmpty();
            assertThat(h.keysWithCepState()).isZero();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void purchaseExactlyFifteenMinutesAfterTheCheckoutStillCounts(boolean rocksDb) throws Exception {
        try (SpecHarness h = harness(rocksDb)) {
            h.event("c1", CHECKOUT, 0).event("f1", PAYMENT_FAILED, 2).event("p1", PURCHASE, 15).watermark(300);
            assertThat(h.matches()).isEmpty();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void purchaseOneMillisecondTooLateDoesNotPreventTheAlert(boolean rocksDb) throws Exception {
        try (SpecHarness h = harness(rocksDb)) {
            h.event("c1", CHECKOUT, 0).event("f1", PAYMENT_FAILED, 2);
            h.eventAtMillis("u", "p1", PURCHASE, 15 * MIN + 1, null).watermark(300);
            assertThat(h.matches()).containsExactly("c1,f1");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void failureExactlyAtTheWindowCountsOneMillisecondLaterDoesNot(boolean rocksDb) throws Exception {
        try (SpecHarness h = harness(rocksDb)) {
            h.event("c1", CHECKOUT, 0).event("f1", PAYMENT_FAILED, 15);
            h.event("c2", CHECKOUT, 100).eventAtMillis("u", "f2", PAYMENT_FAILED, 115 * MIN + 1, null);
            h.watermark(300);
            assertThat(h.matches()).containsExactly("c1,f1");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void falsePositives(boolean rocksDb) throws Exception {
        try (SpecHarness h = harness(rocksDb)) {
            // a checkout alone; a failure without a checkout before it; a failure before the checkout
            h.event("c1", CHECKOUT, 0);
            h.event("f2", PAYMENT_FAILED, 100);
            h.event("f3", PAYMENT_FAILED, 200).event("c3", CHECKOUT, 201);
            // another user's purchase does not save this one, and this user's purchase does not save the other
            h.eventAtMillis("u", "c4", CHECKOUT, 400 * MIN, null).eventAtMillis("u", "f4", PAYMENT_FAILED, 401 * MIN,
                    null);
            h.eventAtMillis("other", "p5", PURCHASE, 402 * MIN, null);
            h.watermark(1000);
            assertThat(h.matches()).containsExactly("c4,f4");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void eventsThePatternDoesNotMentionAreNotSeen(boolean rocksDb) throws Exception {
        try (SpecHarness h = harness(rocksDb)) {
            h.event("c1", CHECKOUT, 0).event("v1", VIEW, 1).event("a1", CART_ADD, 1).event("f1", PAYMENT_FAILED, 2)
                    .watermark(300);
            assertThat(h.matches()).containsExactly("c1,f1");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void twoCheckoutsAndOneFailureFireOnce(boolean rocksDb) throws Exception {
        try (SpecHarness h = harness(rocksDb)) {
            h.event("c1", CHECKOUT, 0).event("c2", CHECKOUT, 5).event("f1", PAYMENT_FAILED, 6).watermark(300);
            assertThat(h.matches()).as("skip-past-last-event drops c2,f1").containsExactly("c1,f1");
        }
    }

    @Test
    void theInputFilterKeepsOnlyTheStepsEvents() {
        SpecInput input = CompiledPattern.compile(spec()).input();
        for (io.journeycep.model.EventType type : io.journeycep.model.EventType.values()) {
            io.journeycep.model.JourneyEvent e = new io.journeycep.model.JourneyEvent();
            e.type = type;
            assertThat(input.accepts(e)).as(type.wireName())
                    .isEqualTo(List.of(CHECKOUT, PAYMENT_FAILED, PURCHASE).contains(type));
        }
    }
}
