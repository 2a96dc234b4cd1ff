package io.journeycep.pipeline.stages.consent;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.sinks.WithheldCount;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Harness tests of {@link WithheldCounter}: absolute counts per kind and UTC day, emitted on every trigger (a replayed
 * row sets the count, never adds); the count survives a restore; a day's state and timer are dropped once the
 * watermark passes the day's end and the grace, and a trigger of a dropped day writes no smaller count over it.
 */
class WithheldCounterTest {
    private static final long DAY = 86_400_000L;
    private static final long D = 20_000;
    private static final long T0 = D * DAY;
    private static final String CART = "CART_ABANDONED";
    private static final String ENTER = "SEGMENT_ENTER:CART_ABANDONER";

    private static KeyedOneInputStreamOperatorTestHarness<String, WithheldTrigger, WithheldCount> harness(
            boolean rocksDb, OperatorSubtaskState restore) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new WithheldCounter()),
                new WithheldCounter.ByKindAndDay(), Types.STRING);
        if (rocksDb) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        h.setup();
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    private static void trigger(KeyedOneInputStreamOperatorTestHarness<String, WithheldTrigger, WithheldCount> h,
            String kind, long eventTime) throws Exception {
        h.processElement(new StreamRecord<>(WithheldTrigger.of(kind, eventTime), eventTime));
    }

    private static List<WithheldCount> rows(
            KeyedOneInputStreamOperatorTestHarness<String, WithheldTrigger, WithheldCount> h) {
        List<WithheldCount> out = new ArrayList<>(h.extractOutputValues());
        h.getOutput().clear();
        return out;
    }

    private static long keys(KeyedOneInputStreamOperatorTestHarness<String, WithheldTrigger, WithheldCount> h) {
        try (Stream<String> keys = h.getOperator().<String>getKeyedStateBackend()
                .getKeys(WithheldCounter.STATE, VoidNamespace.INSTANCE)) {
            return keys.count();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void countsPerKindAndDayAreAbsoluteSurviveARestoreAndAreDroppedAfterTheDay(boolean rocksDb) throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(rocksDb, null)) {
            trigger(h, CART, T0 + 5_000);
            trigger(h, CART, T0 + 2_000); // out of order within the day: the count grows, updated_at stays the latest
            trigger(h, ENTER, T0 + 3_000);
            trigger(h, CART, T0 + DAY + 1); // the next UTC day
            trigger(h, CART, T0 - 1); // the day before
            assertThat(rows(h)).containsExactly(
                    WithheldCount.of(CART, D, 1, T0 + 5_000),
                    WithheldCount.of(CART, D, 2, T0 + 5_000),
                    WithheldCount.of(ENTER, D, 1, T0 + 3_000),
                    WithheldCount.of(CART, D + 1, 1, T0 + DAY + 1),
                    WithheldCount.of(CART, D - 1, 1, T0 - 1));
            assertThat(keys(h)).isEqualTo(4);
            assertThat(h.numEventTimeTimers()).as("one per kind and day").isEqualTo(4);
            snapshot = h.snapshot(1L, 1L);
        }
        try (var h = harness(rocksDb, snapshot)) {
            trigger(h, CART, T0 + 9_000);
            assertThat(rows(h)).as("counted on from the restored count").containsExactly(
                    WithheldCount.of(CART, D, 3, T0 + 9_000));

            h.processWatermark(new Watermark(WithheldCounter.dropTime(D) - 1));
            assertThat(keys(h)).as("day D is kept for the grace after its end").isEqualTo(3);
            trigger(h, ENTER, T0 + 4_000); // within the grace: still counted
            assertThat(rows(h)).containsExactly(WithheldCount.of(ENTER, D, 2, T0 + 4_000));

            h.processWatermark(new Watermark(WithheldCounter.dropTime(D)));
            assertThat(keys(h)).as("days D - 1 and D dropped, D + 1 kept").isEqualTo(1);
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            trigger(h, CART, T0 + 6_000); // its day's count is gone: a count from zero would overwrite the table's 3
            assertThat(rows(h)).as("a trigger of a dropped day writes no row").isEmpty();
            assertThat(keys(h)).as("and makes no state").isEqualTo(1);

            h.processWatermark(new Watermark(WithheldCounter.dropTime(D + 1)));
            assertThat(keys(h)).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @org.junit.jupiter.api.Test
    void theKeyIsTheUtcDayAndTheKind() {
        assertThat(WithheldCounter.key(WithheldTrigger.of(ENTER, T0 - 1))).isEqualTo((D - 1) + "|" + ENTER);
        assertThat(WithheldCounter.key(WithheldTrigger.of(CART, T0))).isEqualTo(D + "|" + CART);
        assertThat(WithheldCounter.dropTime(D)).isEqualTo(T0 + DAY - 1 + WithheldCounter.GRACE.toMillis());
    }
}
