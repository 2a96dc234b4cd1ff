package io.journeycep.pipeline.stages.journeys;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.sinks.TransitionCount;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Harness tests of {@link TransitionCounter}: sessions are answered with the counts before them, in (close time,
 * session) order whatever the arrival order; absolute counts are flushed; the pending transitions leave no state.
 */
class TransitionCounterTest {
    private static final long FLUSH = 10_000L;

    private static KeyedOneInputStreamOperatorTestHarness<String, SessionTransition, TransitionAnswer> harness(
            boolean rocksDb) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                JourneyStage.counter(1.0, FLUSH), (SessionTransition t) -> t.from,
                Types.STRING);
        if (rocksDb) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        h.open();
        return h;
    }

    private static SessionTransition t(String session, long closeTime, String to, long n) {
        SessionTransition t = new SessionTransition();
        t.sessionKey = session;
        t.userKey = "u-" + session;
        t.closeTime = closeTime;
        t.from = "view";
        t.to = to;
        t.occurrences = n;
        t.scored = true;
        return t;
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void answersEachSessionWithTheCountsBeforeItInCloseTimeOrderAndLeavesNoPendingState(boolean rocksDb)
            throws Exception {
        try (var h = harness(rocksDb)) {
            // arrival order differs from close-time order
            h.processElement(new StreamRecord<>(t("s3", 3_000, "EXIT", 1), 3_000));
            h.processElement(new StreamRecord<>(t("s1", 1_000, "cart_add", 2), 1_000));
            h.processElement(new StreamRecord<>(t("s2", 1_000, "EXIT", 1), 1_000));
            h.processElement(new StreamRecord<>(t("s1", 1_000, "EXIT", 1), 1_000));
            assertThat(keys(h, TransitionCounter.PENDING_STATE)).as("waiting on the heap for the watermark").isZero();
            h.prepareSnapshotPreBarrier(0L); // into state, as a checkpoint holds them
            assertThat(h.getOperator().<String>getKeyedStateBackend().getKeys(TransitionCounter.PENDING_STATE, VoidNamespace.INSTANCE)
                    .count()).isEqualTo(1);
            h.processWatermark(new Watermark(Long.MAX_VALUE));

            List<String> answers = h.extractOutputValues().stream()
                    .map(a -> a.sessionKey + ":" + a.to + " " + a.count + "/" + a.fromTotal)
                    .collect(Collectors.toList());
            assertThat(answers).containsExactly(
                    "s1:EXIT 0/0", "s1:cart_add 0/0", // nothing counted before s1
                    "s2:EXIT 1/3", // s1 counted: cart_add 2, EXIT 1
                    "s3:EXIT 2/4");
            TransitionAnswer last = h.extractOutputValues().get(3);
            assertThat(last.probability).isEqualTo((2 + 1.0) / (4 + 13.0));

            List<TransitionCount> flushed = h.getSideOutput(TransitionCounter.COUNTS).stream()
                    .map(StreamRecord::getValue).collect(Collectors.toList());
            assertThat(flushed).extracting(c -> c.fromState + ">" + c.toState + "=" + c.count)
                    .containsExactly("view>EXIT=3", "view>cart_add=2");
            assertThat(keys(h, TransitionCounter.PENDING_STATE)).as("pending transitions are gone").isZero();
            assertThat(keys(h, TransitionCounter.FLUSH_STATE)).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(keys(h, TransitionCounter.TOTAL_STATE)).as("the model itself stays").isEqualTo(1);
        }
    }

    /**
     * Transitions answered and counted in batches (held on the heap until the watermark passes them) come out exactly
     * as through state and timers (handed over before a barrier after every record): the same answers at the same
     * times, the same flushed rows at the same times, across several flush intervals and from-states.
     */
    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void batchesGiveTheSameAnswersAndFlushesAsTimers(boolean rocksDb) throws Exception {
        java.util.Random random = new java.util.Random(7);
        List<SessionTransition> input = new java.util.ArrayList<>();
        long close = 0;
        for (int i = 0; i < 400; i++) {
            close += random.nextInt(3) * 700;
            SessionTransition t = t("s" + (i / 2), close + (i % 2 == 0 ? 0 : random.nextInt(2) * 300),
                    random.nextBoolean() ? "EXIT" : "cart_add", 1 + random.nextInt(3));
            t.from = random.nextInt(3) == 0 ? "cart_add" : "view";
            t.scored = random.nextInt(4) != 0;
            input.add(t);
        }
        assertThat(run(rocksDb, input, true)).isEqualTo(run(rocksDb, input, false)).hasSizeGreaterThan(400);
    }

    /** Every output with its timestamp (sorted), after feeding {@code input} with a watermark 1 s behind after each record. */
    private static List<String> run(boolean rocksDb, List<SessionTransition> input, boolean barrierAfterEach)
            throws Exception {
        try (var h = harness(rocksDb)) {
            long max = Long.MIN_VALUE;
            for (SessionTransition t : input) {
                h.processElement(new StreamRecord<>(t, t.closeTime));
                if (barrierAfterEach) {
                    h.prepareSnapshotPreBarrier(0L);
                }
                max = Math.max(max, t.closeTime);
                h.processWatermark(new Watermark(max - 1_000));
            }
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            List<String> out = new java.util.ArrayList<>();
            for (Object o : h.getOutput()) {
                if (o instanceof StreamRecord<?> r && r.getValue() instanceof TransitionAnswer a) {
                    out.add(r.getTimestamp() + " " + a.from + " " + a.sessionKey + ":" + a.to + " " + a.count + "/"
                            + a.fromTotal);
                }
            }
            for (StreamRecord<TransitionCount> r : h.getSideOutput(TransitionCounter.COUNTS)) {
                TransitionCount c = r.getValue();
                out.add(r.getTimestamp() + " row " + c.fromState + ">" + c.toState + "=" + c.count + "@" + c.updatedAt);
            }
            assertThat(keys(h, TransitionCounter.PENDING_STATE)).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            out.sort(null); // the order across from-states is not the same: a batch is one from-state's
            return out;
        }
    }

    private static long keys(KeyedOneInputStreamOperatorTestHarness<String, SessionTransition, TransitionAnswer> h,
            String state) {
        try (Stream<String> keys = h.getOperator().<String>getKeyedStateBackend().getKeys(state, VoidNamespace.INSTANCE)) {
            return keys.count();
        }
    }
}
