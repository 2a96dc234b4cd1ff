package io.journeycep.patterns.journey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import io.journeycep.model.EventType;
import io.journeycep.patterns.PojoRoundTrip;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

class UserTransitionModelTest {
    private static final long DAY = 86_400_000L;
    private static final long HALF_LIFE = 30 * DAY;
    private static final String S = JourneyStates.START;
    private static final String X = JourneyStates.EXIT;

    @Test
    void aCountHalvesAfterOneHalfLifeAndQuartersAfterTwo() {
        UserTransitionModel m = new UserTransitionModel();
        m.add("view", "cart_add", 4, 0, HALF_LIFE);
        assertThat(m.count("view", "cart_add", 0, HALF_LIFE)).isEqualTo(4.0);
        assertThat(m.count("view", "cart_add", HALF_LIFE, HALF_LIFE)).isCloseTo(2.0, offset(1e-12));
        assertThat(m.count("view", "cart_add", 2 * HALF_LIFE, HALF_LIFE)).isCloseTo(1.0, offset(1e-12));
        assertThat(m.updatedAt).as("reads do not change the state").isZero();
        m.decayTo(HALF_LIFE, HALF_LIFE);
        assertThat(m.counts).containsExactly(2.0);
        assertThat(m.updatedAt).isEqualTo(HALF_LIFE);
        m.add("view", "cart_add", 1, HALF_LIFE, HALF_LIFE);
        assertThat(m.count("view", "cart_add", HALF_LIFE, HALF_LIFE)).isCloseTo(3.0, offset(1e-12));
        assertThat(UserTransitionModel.decay(HALF_LIFE / 2, HALF_LIFE)).isCloseTo(Math.sqrt(0.5), offset(1e-15));
        assertThat(UserTransitionModel.decay(-5, HALF_LIFE)).isEqualTo(1.0);
    }

    @Test
    void smoothedProbabilityIsCountPlusAlphaOverTotalPlusAlphaTimesK() {
        UserTransitionModel m = new UserTransitionModel();
        m.add("view", "view", 3, 0, HALF_LIFE);
        m.add("view", "cart_add", 1, 0, HALF_LIFE);
        m.add(S, "view", 1, 0, HALF_LIFE);
        int k = JourneyStates.TARGETS.size();
        assertThat(k).as("12 event types and EXIT").isEqualTo(13);
        assertThat(m.fromTotal("view", 0, HALF_LIFE)).isEqualTo(4.0);
        assertThat(m.probability("view", "view", 0, HALF_LIFE, 1.0)).isCloseTo(4.0 / (4 + 13), offset(1e-12));
        assertThat(m.probability("view", "EXIT", 0, HALF_LIFE, 0.5)).isCloseTo(0.5 / (4 + 6.5), offset(1e-12));
        // one half-life later: counts 1.5 and 0.5, total 2
        assertThat(m.probability("view", "view", HALF_LIFE, HALF_LIFE, 1.0)).isCloseTo(2.5 / 15, offset(1e-12));
        assertThat(m.probability("login", "view", 0, HALF_LIFE, 1.0)).as("no history: uniform")
                .isCloseTo(1.0 / 13, offset(1e-12));
        double sum = 0;
        for (String to : JourneyStates.TARGETS) {
            sum += m.probability("view", to, 7 * DAY, HALF_LIFE, 1.0);
        }
        assertThat(sum).as("a row sums to 1").isCloseTo(1.0, offset(1e-12));
    }

    @Test
    void countsThatDecayBelowEpsilonArePrunedSoOnlyLivePairsAreKept() {
        UserTransitionModel m = new UserTransitionModel();
        m.add("view", "purchase", 1, 0, HALF_LIFE);
        m.add("view", "view", 1000, 0, HALF_LIFE);
        // 1 → below 0.01 after log2(100) ≈ 6.64 half-lives; 1000 is still 1000/2^7 ≈ 7.8 after 7
        assertThat(m.count("view", "purchase", 7 * HALF_LIFE, HALF_LIFE)).as("a read leaves it out").isZero();
        assertThat(m.fromTotal("view", 7 * HALF_LIFE, HALF_LIFE)).isCloseTo(1000 / 128.0, offset(1e-9));
        assertThat(m.size()).as("until the state is decayed").isEqualTo(2);
        m.add(S, "view", 1, 7 * HALF_LIFE, HALF_LIFE);
        assertThat(m.size()).isEqualTo(2);
        assertThat(m.count("view", "purchase", 7 * HALF_LIFE, HALF_LIFE)).isZero();
        assertThat(m.count("view", "view", 7 * HALF_LIFE, HALF_LIFE)).isCloseTo(1000 / 128.0, offset(1e-9));
        m.decayTo(20 * HALF_LIFE, HALF_LIFE);
        assertThat(m.isEmpty()).as("everything decayed away").isTrue();
        assertThat(m.counts).isEmpty();
        m.add("view", "view", 0.001, 20 * HALF_LIFE, HALF_LIFE);
        assertThat(m.isEmpty()).as("a weight below epsilon is not kept").isTrue();
    }

    @Test
    void theModelDoesNotDependOnTheOrderObservationsAreAddedIn() {
        Random random = new Random(42);
        List<long[]> observations = new ArrayList<>(); // from code, to code, time
        for (int i = 0; i < 300; i++) {
            observations.add(new long[] {random.nextInt(13), 1 + random.nextInt(13), random.nextInt(400) * DAY / 2});
        }
        UserTransitionModel inOrder = build(observations.stream()
                .sorted((a, b) -> Long.compare(a[2], b[2])).toList());
        List<long[]> shuffled = new ArrayList<>(observations);
        Collections.shuffle(shuffled, random);
        UserTransitionModel anyOrder = build(shuffled);
        assertThat(anyOrder.updatedAt).isEqualTo(inOrder.updatedAt);
        assertThat(anyOrder.pairs).containsExactly(inOrder.pairs);
        assertThat(anyOrder.counts).containsExactly(inOrder.counts, offset(1e-9));
        assertThat(inOrder.size()).as("some pruned, some kept").isBetween(1, 168);
    }

    private static UserTransitionModel build(List<long[]> observations) {
        UserTransitionModel m = new UserTransitionModel();
        for (long[] o : observations) {
            m.add(JourneyStates.CODED.get((int) o[0]), JourneyStates.CODED.get((int) o[1]), 1, o[2], HALF_LIFE);
        }
        return m;
    }

    @Test
    void isAFlinkPojoAndSmallWhenSerialized() throws Exception {
        UserTransitionModel m = new UserTransitionModel();
        String[] types = {"view", "cart_add", "purchase", "search", "login"};
        for (String from : List.of(S, "view", "cart_add", "purchase", "search", "login")) {
            for (String to : types) {
                if (!from.equals(S) || !to.equals("login")) {
                    m.add(from, to, 2, DAY, HALF_LIFE);
                }
            }
            if (!from.equals(S)) {
                m.add(from, X, 1, DAY, HALF_LIFE);
            }
        }
        assertThat(m.size()).isEqualTo(34);
        UserTransitionModel back = PojoRoundTrip.roundTrip(UserTransitionModel.class, m);
        assertThat(back.updatedAt).isEqualTo(m.updatedAt);
        assertThat(back.pairs).containsExactly(m.pairs);
        assertThat(back.counts).containsExactly(m.counts);
        DataOutputSerializer out = new DataOutputSerializer(64);
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        TypeInformation.of(UserTransitionModel.class).createSerializer(config).serialize(m, out);
        System.out.printf("UserTransitionModel with %d pairs: %d bytes serialized%n", m.size(), out.length());
        assertThat(out.length()).as("34 pairs, far more than most users have, stay under 1 KiB").isLessThan(1024);
    }

    @Test
    void everyEventTypeHasAStableCode() {
        assertThat(JourneyStates.code(S)).isZero();
        assertThat(JourneyStates.code("view")).isEqualTo(1);
        assertThat(JourneyStates.code(X)).isEqualTo(13);
        for (EventType t : EventType.values()) {
            assertThat(JourneyStates.code(JourneyStates.of(t))).as(t.name()).isPositive();
        }
        assertThat(JourneyStates.CODED).hasSize(JourneyStates.TARGETS.size() + 1);
        assertThatThrownBy(() -> new UserTransitionModel().add("view", "nope", 1, 0, HALF_LIFE))
                .hasMessageContaining("not a journey transition");
        assertThatThrownBy(() -> new UserTransitionModel().add("view", "view", -1, 0, HALF_LIFE))
                .hasMessageContaining(">= 0");
        assertThatThrownBy(() -> UserTransitionModel.decay(1, 0)).hasMessageContaining("half-life");
    }
}
