package io.journeycep.patterns.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

import java.util.Random;

class RunningStatsTest {

    @Test
    void meanAndVarianceEqualTheTwoPassResultEvenFarFromZero() {
        Random random = new Random(3);
        double[] xs = new double[10_000];
        RunningStats s = new RunningStats();
        for (int i = 0; i < xs.length; i++) {
            xs[i] = 1e9 + random.nextGaussian(); // a large offset ruins the naive sum-of-squares formula
            s.add(xs[i]);
        }
        double mean = 0;
        for (double x : xs) {
            mean += x;
        }
        mean /= xs.length;
        double ss = 0;
        for (double x : xs) {
            ss += (x - mean) * (x - mean);
        }
        assertThat(s.count).isEqualTo(10_000);
        assertThat(s.mean).isCloseTo(mean, offset(1e-5));
        assertThat(s.variance()).isCloseTo(ss / (xs.length - 1), offset(1e-4));
    }

    @Test
    void fewerThanTwoValuesHaveNoVariance() {
        RunningStats s = new RunningStats();
        assertThat(s.variance()).isZero();
        s.add(5);
        assertThat(s.variance()).isZero();
        assertThat(s.mean).isEqualTo(5);
    }

    @Test
    void ewmaStartsAtTheFirstValueAndMovesByAlpha() {
        Ewma e = new Ewma(0.25);
        assertThat(e.add(100)).isEqualTo(100);
        assertThat(e.add(200)).isEqualTo(125);
        assertThat(e.add(125)).isEqualTo(125);
    }
}
