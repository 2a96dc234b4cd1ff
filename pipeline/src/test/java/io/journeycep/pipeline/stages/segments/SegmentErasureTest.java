package io.journeycep.pipeline.stages.segments;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.Erasure;
import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.segments.RfmScoring;
import io.journeycep.patterns.segments.SegmentBook;
import io.journeycep.sinks.SegmentChange;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/**
 * An erasure marker (README "Privacy") deletes the user's segment history, memberships and timer, with no EXIT (the
 * rows are deleted instead), and the other user's changes go on as before.
 */
class SegmentErasureTest {
    private static final long MIN = 60_000L;
    private static final long T0 = 1_760_000_000_000L;

    private static JourneyEvent event(String id, EventType type, String user, long ts) {
        JourneyEvent e = new JourneyEvent();
        e.eventId = id;
        e.type = type;
        e.userId = user;
        e.timestamp = ts;
        e.source = "test";
        return e;
    }

    private static JourneyEvent marker(String user, long requestedAt) {
        return JourneyEvent.erasureMarker(Erasure.of("test@0", "sha256:x", requestedAt, new String[] {user}), user,
                null, requestedAt);
    }

    private static <T> List<T> records(AbstractStreamOperatorTestHarness<?> h, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r && type.isInstance(r.getValue())) {
                out.add(type.cast(r.getValue()));
            }
        }
        return out;
    }

    @Test
    void segmentEvaluatorDeletesTheUsersHistoryAndTimerWithoutExits() throws Exception {
        SegmentBook book = new SegmentBook(SegmentBook.shipped(new SegmentBook.Shipped()), (RfmScoring) null, 365);
        var h = new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(new SegmentEvaluator(book, 30 * MIN),
                        List.of(SegmentRules.DESCRIPTOR)),
                (SegmentInput in) -> in.userKey, Types.STRING, 1, 1, 0);
        h.open();
        h.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.IDLE);
        for (String user : List.of("u1", "u2")) {
            JourneyEvent p = event(user + "-p", EventType.PURCHASE, user, T0);
            p.price = 1500.0;
            h.processElement(new StreamRecord<>(SegmentInput.of(p), p.timestamp));
        }
        h.processWatermark(new Watermark(T0));
        int entered = records(h, SegmentChange.class).size();
        assertThat(entered).isPositive().isEven();
        assertThat(h.numEventTimeTimers()).isEqualTo(2);
        h.processElement(new StreamRecord<>(SegmentInput.of(marker("u1", T0 + MIN)), T0 + MIN));
        assertThat(h.numEventTimeTimers()).isEqualTo(1);
        try (var keys = ((org.apache.flink.streaming.api.operators.AbstractStreamOperator<?>) h.getTwoInputOperator())
                .<String>getKeyedStateBackend()
                .getKeys(SegmentEvaluator.STATE, org.apache.flink.runtime.state.VoidNamespace.INSTANCE)) {
            assertThat(keys).containsExactly("u2");
        }
        assertThat(records(h, SegmentChange.class)).hasSize(entered);
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        List<SegmentChange> all = records(h, SegmentChange.class);
        assertThat(all.subList(entered, all.size())).isNotEmpty().allSatisfy(c -> assertThat(c.userId)
                .isEqualTo("u2"));
        h.close();
    }

}
