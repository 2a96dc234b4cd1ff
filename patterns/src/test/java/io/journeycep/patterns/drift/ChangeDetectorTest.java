package io.journeycep.patterns.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.journeycep.patterns.PojoRoundTrip;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Both change detectors on generated series with a fixed seed: known level shifts up and down are found within a
 * stated delay, exactly once, and stationary noise gives no signal over a long run.
 */
class ChangeDetectorTest {
    private static final double MEAN = 100;
    private static final double SD = 10;
    private static final int SHIFT_AT = 500;

    static Stream<Arguments> detectors() {
        Supplier<ChangeDetector> cusum = () -> CusumDetector.withDefaults(1.0);
        Supplier<ChangeDetector> pageHinkley = () -> PageHinkleyDetector.withDefaults(1.0);
        return Stream.of(Arguments.of("CUSUM", cusum), Arguments.of("Page-Hinkley", pageHinkley));
    }

    /** Signals over a series: {@code MEAN + SD·N(0,1)} and, from {@link #SHIFT_AT} on, {@code + shift·SD}. */
    private static List<DriftSignal> run(ChangeDetector d, long seed, int length, double shiftInSd) {
        Random random = new Random(seed);
        List<DriftSignal> signals = new ArrayList<>();
        for (int i = 1; i <= length; i++) {
            double level = i >= SHIFT_AT ? MEAN + shiftInSd * SD : MEAN;
            DriftSignal s = d.add(level + SD * random.nextGaussian());
            if (s != null) {
                signals.add(s);
            }
        }
        return signals;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("detectors")
    void stationaryNoiseGivesNoSignalOverALongRun(String name, Supplier<ChangeDetector> detector) {
        for (long seed = 1; seed <= 5; seed++) {
            assertThat(run(detector.get(), seed, 20_000, 0)).as("%s seed %d", name, seed).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("detectors")
    void aThreeSigmaShiftUpIsFoundWithinTenValuesAndOnlyOnce(String name, Supplier<ChangeDetector> detector) {
        for (long seed = 1; seed <= 5; seed++) {
            List<DriftSignal> signals = run(detector.get(), seed, 5_000, 3);
            assertThat(signals).as("%s seed %d", name, seed).hasSize(1);
            DriftSignal s = signals.get(0);
            assertThat(s.direction()).isEqualTo(DriftSignal.Direction.UP);
            assertThat(s.observation()).isBetween((long) SHIFT_AT, (long) SHIFT_AT + 10);
            assertThat(s.statistic()).isGreaterThan(s.threshold());
            assertThat(s.baselineMean()).isCloseTo(MEAN, org.assertj.core.data.Offset.offset(SD / 2));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("detectors")
    void aThreeSigmaShiftDownIsFoundWithinTenValuesAndOnlyOnce(String name, Supplier<ChangeDetector> detector) {
        for (long seed = 1; seed <= 5; seed++) {
            List<DriftSignal> signals = run(detector.get(), seed, 5_000, -3);
            assertThat(signals).as("%s seed %d", name, seed).hasSize(1);
            assertThat(signals.get(0).direction()).isEqualTo(DriftSignal.Direction.DOWN);
            assertThat(signals.get(0).observation()).isBetween((long) SHIFT_AT, (long) SHIFT_AT + 10);
        }
    }

    @Test
    void cusumFindsAOneSigmaShiftWithinEightyValues() {
        for (long seed = 1; seed <= 5; seed++) {
            List<DriftSignal> signals = run(CusumDetector.withDefaults(1.0), seed, 5_000, 1);
            assertThat(signals).as("seed %d", seed).hasSize(1);
            assertThat(signals.get(0).observation()).isBetween((long) SHIFT_AT, (long) SHIFT_AT + 80);
        }
    }

    @Test
    void pageHinkleyFindsATwoSigmaShiftWithinThirtyValues() {
        for (long seed = 1; seed <= 5; seed++) {
            List<DriftSignal> signals = run(PageHinkleyDetector.withDefaults(1.0), seed, 5_000, 2);
            assertThat(signals).as("seed %d", seed).hasSize(1);
            assertThat(signals.get(0).observation()).isBetween((long) SHIFT_AT, (long) SHIFT_AT + 30);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("detectors")
    void noSignalDuringWarmUpEvenForAWildSeries(String name, Supplier<ChangeDetector> detector) {
        ChangeDetector d = detector.get();
        for (int i = 0; i < CusumDetector.DEFAULT_WARMUP; i++) {
            assertThat(d.add(i % 2 == 0 ? 0 : 1_000_000)).isNull();
        }
        assertThat(d.isReady()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("detectors")
    void aShiftAndItsReturnGiveOneSignalEachNoFlapping(String name, Supplier<ChangeDetector> detector) {
        ChangeDetector d = detector.get();
        Random random = new Random(7);
        List<DriftSignal> signals = new ArrayList<>();
        for (int i = 1; i <= 3_000; i++) {
            double level = i >= 500 && i < 1_500 ? MEAN + 4 * SD : MEAN;
            DriftSignal s = d.add(level + SD * random.nextGaussian());
            if (s != null) {
                signals.add(s);
            }
        }
        assertThat(signals).extracting(DriftSignal::direction)
                .containsExactly(DriftSignal.Direction.UP, DriftSignal.Direction.DOWN);
        assertThat(signals.get(0).observation()).isBetween(500L, 510L);
        assertThat(signals.get(1).observation()).isBetween(1_500L, 1_510L);
        assertThat(signals.get(1).baselineMean()).as("re-baselined on the new level")
                .isCloseTo(MEAN + 4 * SD, org.assertj.core.data.Offset.offset(SD / 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("detectors")
    void aFlatBaselineUsesTheFloorSoOnlyARealStepFires(String name, Supplier<ChangeDetector> detector) {
        ChangeDetector d = detector.get(); // floor: max(1.0, 1 % of the mean) = 1.0 here
        for (int i = 0; i < 1_000; i++) {
            assertThat(d.add(50)).isNull();
        }
        for (int i = 0; i < 10; i++) {
            assertThat(d.add(50.3)).as("a wobble well under the floor").isNull();
        }
        DriftSignal s = null;
        for (int i = 0; i < 20 && s == null; i++) {
            s = d.add(60);
        }
        assertThat(s).isNotNull();
        assertThat(s.direction()).isEqualTo(DriftSignal.Direction.UP);
        assertThat(s.baselineStddev()).isEqualTo(1.0);
    }

    @Test
    void badSettingsAndValuesAreRefused() {
        assertThatThrownBy(() -> new CusumDetector(1, 0.5, 10, 1)).hasMessageContaining("warm-up");
        assertThatThrownBy(() -> new CusumDetector(60, -1, 10, 1)).hasMessageContaining("slack");
        assertThatThrownBy(() -> new PageHinkleyDetector(60, 0.5, 0, 1)).hasMessageContaining("threshold");
        assertThatThrownBy(() -> new PageHinkleyDetector(60, 0.5, 10, 0)).hasMessageContaining("standard deviation");
        assertThatThrownBy(() -> CusumDetector.withDefaults(1).add(Double.NaN)).hasMessageContaining("finite");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("detectors")
    void isAFlinkPojoWithoutKryoAndResumesExactlyAfterARoundTrip(String name, Supplier<ChangeDetector> detector)
            throws Exception {
        ChangeDetector original = detector.get();
        Random random = new Random(11);
        for (int i = 0; i < 200; i++) {
            original.add(MEAN + SD * random.nextGaussian());
        }
        @SuppressWarnings("unchecked")
        Class<ChangeDetector> type = (Class<ChangeDetector>) original.getClass();
        ChangeDetector restored = PojoRoundTrip.roundTrip(type, original);
        for (int i = 0; i < 1_000; i++) {
            double x = (i < 100 ? MEAN : MEAN + 3 * SD) + SD * random.nextGaussian();
            assertThat(restored.add(x)).isEqualTo(original.add(x));
        }
        assertThat(PojoRoundTrip.roundTrip(Ewma.class, new Ewma(0.3)).alpha)
                .isEqualTo(0.3);
    }
}
