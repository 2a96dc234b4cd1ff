package io.journeycep.pipeline.stages.segments;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.Erasure;
import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.segments.RfmScoring;
import io.journeycep.patterns.segments.SegmentBook;
import io.journeycep.pipeline.stages.pass.PassHarness;
import io.journeycep.sinks.SegmentChange;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

/**
 * An erasure marker (README "Privacy") deletes the user's segment history, memberships and timer in the user pass,
 * with no EXIT (the rows are deleted instead), and the other user's changes go on as before.
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

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void theSegmentSliceGoesWithTheUsersValueAndTimerWithoutExits(boolean rocksDb) throws Exception {
        SegmentBook book = new SegmentBook(SegmentBook.shipped(new SegmentBook.Shipped()), (RfmScoring) null, 365);
        try (PassHarness h = PassHarness.segments(book, 30 * MIN, rocksDb)) {
            for (String user : List.of("u1", "u2")) {
                JourneyEvent p = event(user + "-p", EventType.PURCHASE, user, T0);
                p.price = 1500.0;
                h.event(p);
            }
            h.watermark(T0);
            int entered = h.segmentChanges().size();
            assertThat(entered).isPositive().isEven();
            assertThat(h.eventTimeTimers()).isEqualTo(2);
            h.event(marker("u1", T0 + MIN));
            assertThat(h.eventTimeTimers()).isEqualTo(1);
            assertThat(h.usersWithState()).isEqualTo(1);
            assertThat(h.segmentChanges()).hasSize(entered);
            h.watermark(Long.MAX_VALUE);
            List<SegmentChange> all = h.segmentChanges();
            assertThat(all.subList(entered, all.size())).isNotEmpty().allSatisfy(c -> assertThat(c.userId)
                    .isEqualTo("u2"));
            assertThat(h.usersWithState()).isZero();
        }
    }
}
