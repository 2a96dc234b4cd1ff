package io.journeycep.patterns.browsing;

import static io.journeycep.patterns.browsing.HighValueBrowsingHarness.MIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.journeycep.model.EventType;
import io.journeycep.patterns.spec.BuiltInPatterns;
import io.journeycep.patterns.spec.CompiledPattern;
import io.journeycep.patterns.spec.SpecStep;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.cep.nfa.aftermatch.SkipPastLastStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

/**
 * HIGH_VALUE_BROWSING semantics of DESIGN §3 (defaults: 3 views, price ≥ 500, 1 h), pinned for false positives as
 * well as matches, on heap and RocksDB, through the same input filter the stage uses.
 */
class HighValueBrowsingPatternTest {
    private static final Duration WINDOW = Duration.ofHours(1);

    private static HighValueBrowsingHarness harness(boolean rocksDb) throws Exception {
        return new HighValueBrowsingHarness(3, 500, WINDOW, rocksDb);
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void threeHighValueViewsFireOnceAtTheThirdView(boolean rocksDb) throws Exception {
        try (HighValueBrowsingHarness h = harness(rocksDb)) {
            h.view("v1", 0, 600.0).view("v2", 10, 500.0).view("v3", 20, 900.0);
            h.watermarkMillis(20 * MIN - 1);
            assertThat(h.matches()).as("not before the third view").isEmpty();
            h.watermark(20);
            assertThat(h.matches()).as("at the third view, not at the window's end").containsExactly("v1,v2,v3");
            h.watermark(500);
            assertThat(h.matches()).containsExactly("v1,v2,v3");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void twoViewsAreNotEnough(boolean rocksDb) throws Exception {
        try (HighValueBrowsingHarness h = harness(rocksDb)) {
            h.view("v1", 0, 600.0).view("v2", 10, 700.0).watermark(500);
            assertThat(h.matches()).isEmpty();
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.keysWithCepState()).isZero();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void cheapItemsNeitherCountNorBreakARun(boolean rocksDb) throws Exception {
        try (HighValueBrowsingHarness h = harness(rocksDb)) {
            h.view("c1", 0, 499.99).view("c2", 1, 100.0).view("c3", 2, null);
            h.view("v1", 10, 600.0).view("c4", 11, 499.99).view("v2", 12, 700.0).view("c5", 13, null)
                    .view("v3", 14, 500.0)
                    .watermark(500);
            assertThat(h.matches()).containsExactly("v1,v2,v3");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void onlyCheapViewsNeverMatch(boolean rocksDb) throws Exception {
        try (HighValueBrowsingHarness h = harness(rocksDb)) {
            for (int i = 0; i < 10; i++) {
                h.view("c" + i, i, 499.99);
            }
            h.view("n", 11, null).watermark(500);
            assertThat(h.matches()).isEmpty();
            assertThat(h.keysWithCepState()).isZero();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void aPurchaseInBetweenResetsTheCount(boolean rocksDb) throws Exception {
        try (HighValueBrowsingHarness h = harness(rocksDb)) {
            h.view("v1", 0, 600.0).view("v2", 10, 600.0).purchase("p1", 15).view("v3", 20, 600.0)
                    .view("v4", 30, 600.0)
                    .watermark(35);
            assertThat(h.matches()).as("v1, v2 | purchase | v3, v4: no three in a row").isEmpty();
            h.view("v5", 40, 600.0).watermark(500);
            assertThat(h.matches()).containsExactly("v3,v4,v5");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void otherEventsInBetweenDoNotBreakARun(boolean rocksDb) throws Exception {
        try (HighValueBrowsingHarness h = harness(rocksDb)) {
            h.view("v1", 0, 600.0).cartAdd("c1", 5, 600).view("v2", 10, 600.0).cartAdd("c2", 15, 900)
                    .view("v3", 20, 600.0)
                    .watermark(500);
            assertThat(h.matches()).containsExactly("v1,v2,v3");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void viewsSpreadOverMoreThanTheWindowDoNotMatch(boolean rocksDb) throws Exception {
        try (HighValueBrowsingHarness h = harness(rocksDb)) {
            h.view("v1", 0, 600.0).view("v2", 40, 600.0).view("v3", 61, 600.0).view("v4", 102, 600.0)
                    .watermark(500);
            assertThat(h.matches()).as("no three of them within 1 h of the first").isEmpty();
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.keysWithCepState()).isZero();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void theWindowSlidesToALaterFirstView(boolean rocksDb) throws Exception {
        try (HighValueBrowsingHarness h = harness(rocksDb)) {
            h.view("v1", 0, 600.0).view("v2", 30, 600.0).viewAtMillis("v3", 60 * MIN + 1, 600.0)
                    .view("v4", 80, 600.0)
                    .watermark(500);
            assertThat(h.matches()).as("v1 is too old for v3; v2..v4 lie within 1 h").containsExactly("v2,v3,v4");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void aViewExactlyOneHourAfterTheFirstStillCounts(boolean rocksDb) throws Exception {
        try (HighValueBrowsingHarness h = harness(rocksDb)) {
            h.view("v1", 0, 600.0).view("v2", 30, 600.0).view("v3", 60, 600.0).watermark(500);
            assertThat(h.matches()).containsExactly("v1,v2,v3");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void aViewOneMillisecondPastTheHourIsTooLate(boolean rocksDb) throws Exception {
        try (HighValueBrowsingHarness h = harness(rocksDb)) {
            h.view("v1", 0, 600.0).view("v2", 30, 600.0).viewAtMillis("v3", 60 * MIN + 1, 600.0).watermark(500);
            assertThat(h.matches()).isEmpty();
            assertThat(h.keysWithCepState()).isZero();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void theFourthAndFifthViewOfARunDoNotFireAgain(boolean rocksDb) throws Exception {
        try (HighValueBrowsingHarness h = harness(rocksDb)) {
            h.view("v1", 0, 600.0).view("v2", 5, 600.0).view("v3", 10, 600.0).view("v4", 15, 600.0)
                    .view("v5", 20, 600.0)
                    .watermark(500);
            assertThat(h.matches()).containsExactly("v1,v2,v3");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void sixViewsWithinTheWindowFireTwiceOncePerThreeNewViews(boolean rocksDb) throws Exception {
        try (HighValueBrowsingHarness h = harness(rocksDb)) {
            for (int i = 1; i <= 6; i++) {
                h.view("v" + i, 5L * i, 600.0);
            }
            h.watermark(500);
            assertThat(h.matches()).containsExactly("v1,v2,v3", "v4,v5,v6");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void afterAMatchTheNextThreeViewsNeedTheirOwnWindow(boolean rocksDb) throws Exception {
        try (HighValueBrowsingHarness h = harness(rocksDb)) {
            h.view("v1", 0, 600.0).view("v2", 5, 600.0).view("v3", 10, 600.0)
                    .view("v4", 15, 600.0).view("v5", 50, 600.0).view("v6", 76, 600.0)
                    .watermark(500);
            assertThat(h.matches()).as("v4..v6 span 61 min").containsExactly("v1,v2,v3");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void aPurchaseWithTheSameTimestampThatArrivedBeforeTheThirdViewBreaksTheRun(boolean rocksDb) throws Exception {
        try (HighValueBrowsingHarness h = harness(rocksDb)) {
            h.view("v1", 0, 600.0).view("v2", 10, 600.0);
            // fed view first, but the purchase arrived first (seq 10 < 11): the purchase is in between
            h.withSeq("v3", EventType.VIEW, 20, 600, 11).withSeq("p1", EventType.PURCHASE, 20, 10, 10).watermark(500);
            assertThat(h.matches()).isEmpty();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void aPurchaseWithTheSameTimestampThatArrivedAfterTheThirdViewDoesNot(boolean rocksDb) throws Exception {
        try (HighValueBrowsingHarness h = harness(rocksDb)) {
            h.view("v1", 0, 600.0).view("v2", 10, 600.0);
            h.withSeq("p1", EventType.PURCHASE, 20, 10, 11).withSeq("v3", EventType.VIEW, 20, 600, 10).watermark(500);
            assertThat(h.matches()).containsExactly("v1,v2,v3");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void viewsWithEqualTimestampsKeepTheirArrivalOrder(boolean rocksDb) throws Exception {
        try (HighValueBrowsingHarness h = harness(rocksDb)) {
            h.withSeq("v3", EventType.VIEW, 7, 600, 3).withSeq("v1", EventType.VIEW, 7, 600, 1)
                    .withSeq("v4", EventType.VIEW, 7, 600, 4).withSeq("v2", EventType.VIEW, 7, 600, 2)
                    .watermark(500);
            assertThat(h.matches()).containsExactly("v1,v2,v3");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void outOfOrderArrivalBeforeTheWatermarkGivesTheSameAlerts(boolean rocksDb) throws Exception {
        try (HighValueBrowsingHarness h = harness(rocksDb)) {
            h.view("v3", 20, 600.0).purchase("p1", 25).view("v1", 0, 600.0).view("v2", 10, 600.0)
                    .view("v5", 40, 600.0).view("v4", 30, 600.0)
                    .watermark(500);
            assertThat(h.matches()).as("v4, v5 come after the purchase").containsExactly("v1,v2,v3");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void stateAndTimersAreClearedAfterwards(boolean rocksDb) throws Exception {
        try (HighValueBrowsingHarness h = harness(rocksDb)) {
            h.view("v1", 0, 600.0).view("v2", 5, 600.0).view("v3", 10, 600.0).view("v4", 15, 600.0)
                    .purchase("p1", 20).view("v5", 25, 600.0).view("v6", 30, 600.0)
                    .view("c1", 31, 10.0).purchase("p2", 100)
                    .view("v7", 200, 600.0).view("v8", 210, 600.0).view("v9", 220, 600.0)
                    .watermark(1000);
            assertThat(h.matches()).containsExactly("v1,v2,v3", "v7,v8,v9");
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.keysWithCepState()).isZero();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void thresholdsAreConfigurable(boolean rocksDb) throws Exception {
        try (HighValueBrowsingHarness h = new HighValueBrowsingHarness(2, 100, Duration.ofMinutes(10), rocksDb)) {
            h.view("a1", 0, 100.0).view("a2", 11, 150.0).view("a3", 21, 99.0).view("a4", 21, 120.0)
                    .watermark(500);
            assertThat(h.matches()).as("a1→a2 is 11 min; a3 is too cheap").containsExactly("a2,a4");
        }
    }

    @Test
    void theSkipStrategyIsExplicit() {
        CompiledPattern p = CompiledPattern.compile(BuiltInPatterns.highValueBrowsing(3, 500, WINDOW));
        assertThat(p.skipStrategy()).isInstanceOf(SkipPastLastStrategy.class);
        assertThat(p.pattern().getAfterMatchSkipStrategy()).isEqualTo(p.skipStrategy());
        assertThat(p.windowMillis()).isEqualTo(WINDOW.toMillis() + 1);
    }

    @Test
    void theCepElementIsAFlinkPojo() {
        assertThat(TypeInformation.of(SpecStep.class)).as("no Kryo fallback").isInstanceOf(PojoTypeInfo.class);
    }

    @Test
    void badThresholdsAreRefused() {
        assertThatThrownBy(() -> BuiltInPatterns.highValueBrowsing(0, 500, WINDOW)).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> BuiltInPatterns.highValueBrowsing(3, -1, WINDOW)).hasMessageContaining("min price");
        assertThatThrownBy(() -> BuiltInPatterns.highValueBrowsing(3, Double.NaN, WINDOW))
                .hasMessageContaining("min price");
        assertThatThrownBy(() -> BuiltInPatterns.highValueBrowsing(3, 500, Duration.ZERO))
                .hasMessageContaining("window");
    }
}
