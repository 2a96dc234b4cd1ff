package io.journeycep.patterns.journey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

import java.util.List;

class TransitionModelTest {
    private static final String S = JourneyStates.START;
    private static final String X = JourneyStates.EXIT;

    private static TransitionModel shop() {
        TransitionModel m = new TransitionModel(1.0);
        for (int i = 0; i < 90; i++) {
            m.addPath(List.of(S, "view", "view", "cart_add", "purchase", X));
        }
        for (int i = 0; i < 10; i++) {
            m.addPath(List.of(S, "view", X));
        }
        return m;
    }

    @Test
    void countsAndSmoothedProbabilitiesOfEachRowSumToOne() {
        TransitionModel m = shop();
        assertThat(m.count("view", "view")).isEqualTo(90);
        assertThat(m.total("view")).isEqualTo(190);
        // (90 + 1) / (190 + 13): 12 event types and EXIT are the possible targets
        assertThat(m.probability("view", "view")).isCloseTo(91.0 / 203, offset(1e-12));
        for (String from : List.of(S, "view", "cart_add", "purchase", "login_failed")) {
            double sum = 0;
            for (String to : JourneyStates.TARGETS) {
                sum += m.probability(from, to);
            }
            assertThat(sum).as(from).isCloseTo(1.0, offset(1e-12));
        }
        assertThat(m.probability("view", "login_failed")).as("unseen, but not impossible").isGreaterThan(0);
        assertThat(m.probability("never-seen-state", "view")).isCloseTo(1.0 / 13, offset(1e-12));
    }

    @Test
    void anUnusualPathScoresHigherThanACommonOneAndShowsTheCountsItUsed() {
        TransitionModel m = shop();
        PathScore common = m.score(List.of(S, "view", "view", "cart_add", "purchase", X));
        PathScore odd = m.score(List.of(S, "login_failed", "login_failed", "payment_failed", "purchase", X));
        assertThat(common.transitions()).isEqualTo(5);
        assertThat(odd.meanNegativeLogLikelihood()).isGreaterThan(common.meanNegativeLogLikelihood() + 2);
        PathScore.Step first = odd.steps().get(0);
        assertThat(first.from()).isEqualTo(S);
        assertThat(first.to()).isEqualTo("login_failed");
        assertThat(first.count()).isZero();
        assertThat(first.fromTotal()).isEqualTo(100);
        assertThat(first.probability()).isCloseTo(1.0 / 113, offset(1e-12));
        double nll = 0;
        for (PathScore.Step s : odd.steps()) {
            nll -= Math.log(s.probability());
        }
        assertThat(odd.meanNegativeLogLikelihood()).isCloseTo(nll / 5, offset(1e-12));
    }

    @Test
    void anomalyNeedsTheMinimumLengthAndAScoreAboveTheThreshold() {
        TransitionModel m = shop();
        PathScore odd = m.score(List.of(S, "login_failed", "login_failed", "payment_failed", "purchase", X));
        assertThat(odd.isAnomalous(4, 2.0)).isTrue();
        assertThat(odd.isAnomalous(6, 2.0)).as("5 transitions < 6").isFalse();
        assertThat(odd.isAnomalous(4, odd.meanNegativeLogLikelihood())).as("strictly above").isFalse();
        assertThat(m.score(List.of(S)).meanNegativeLogLikelihood()).isZero();
    }

    @Test
    void badArgumentsAreRefused() {
        assertThatThrownBy(() -> new TransitionModel(0)).hasMessageContaining("alpha");
        assertThatThrownBy(() -> shop().add("view", "view", -1)).hasMessageContaining("negative");
    }

    @Test
    void scoringByDistinctPairsEqualsScoringStepByStep() {
        TransitionModel m = shop();
        List<String> path = List.of(S, "view", "view", "login_failed", "view", "view", "cart_add", X);
        PathScore stepwise = m.score(path);
        java.util.Map<String, Long> occurrences = new java.util.LinkedHashMap<>();
        for (int i = 1; i < path.size(); i++) {
            occurrences.merge(path.get(i - 1) + ">" + path.get(i), 1L, Long::sum);
        }
        List<PathScore.PairScore> pairs = new java.util.ArrayList<>();
        occurrences.forEach((pair, n) -> {
            String from = pair.substring(0, pair.indexOf('>'));
            String to = pair.substring(pair.indexOf('>') + 1);
            pairs.add(new PathScore.PairScore(from, to, n, m.probability(from, to), m.count(from, to), m.total(from)));
        });
        assertThat(pairs).as("view>view occurs twice").hasSize(6);
        PathScore byPairs = PathScore.fromPairs(path, pairs);
        assertThat(byPairs.meanNegativeLogLikelihood())
                .isCloseTo(stepwise.meanNegativeLogLikelihood(), offset(1e-12));
        assertThat(byPairs.steps()).isEqualTo(stepwise.steps());
        PathScore shownOnlyFirst = PathScore.fromPairs(path.subList(0, 3), pairs);
        assertThat(shownOnlyFirst.steps()).hasSize(2);
        assertThat(shownOnlyFirst.meanNegativeLogLikelihood()).as("the mean still covers every transition")
                .isCloseTo(stepwise.meanNegativeLogLikelihood(), offset(1e-12));
        assertThat(PathScore.meanNegativeLogLikelihood(List.of())).isZero();
    }
}
