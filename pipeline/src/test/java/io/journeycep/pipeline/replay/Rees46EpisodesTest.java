package io.journeycep.pipeline.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.journeycep.pipeline.replay.Rees46Episodes.Episode;
import io.journeycep.pipeline.replay.Rees46Episodes.Parsed;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;

/** The test's own expectation (Rees46Episodes) checked on hand-made rows, so the replay test's oracle is trusted. */
class Rees46EpisodesTest {
    private static final long SEC = 1000L;
    private static final long MIN = 60 * SEC;
    private static final long W = 30 * MIN;
    /** 2019-10-01 00:00:00 UTC. */
    private static final long T0 = Instant.parse("2019-10-01T00:00:00Z").toEpochMilli();

    private final StringBuilder csv = new StringBuilder(Rees46Episodes.HEADER).append('\n');

    /** Appends a row at T0 + offset. */
    private Rees46EpisodesTest row(long offsetMs, String type, String user) {
        String time = Instant.ofEpochMilli(T0 + offsetMs).toString().replace('T', ' ').replace("Z", " UTC");
        csv.append(time).append(',').append(type).append(",1004833,2053013555631882655,electronics.smartphone,")
                .append("samsung,174.76,").append(user).append(",s-").append(user).append('\n');
        return this;
    }

    private Set<Episode> alerts() {
        Parsed p = Rees46Episodes.parse(csv.toString().getBytes(StandardCharsets.UTF_8));
        assertThat(p.cutOffLine()).isNull();
        return Rees46Episodes.expectedAlerts(p.rows());
    }

    private static Episode ep(String user, long firstCart, long lastCart, int n) {
        return new Episode(user, T0 + firstCart, T0 + lastCart + W, n);
    }

    @Test
    void timeColumnIsParsedAsUtc() {
        row(0, "view", "1");
        Parsed p = Rees46Episodes.parse(csv.toString().getBytes(StandardCharsets.UTF_8));
        assertThat(p.rows()).singleElement().satisfies(r -> {
            assertThat(r.timeMs()).isEqualTo(1_569_888_000_000L); // 2019-10-01T00:00:00Z
            assertThat(r.line()).isEqualTo(2);
            assertThat(r.userId()).isEqualTo("1");
        });
    }

    @Test
    void viewThenCartThenNothingIsOneAlert() {
        row(0, "view", "1").row(5 * MIN, "cart", "1");
        assertThat(alerts()).containsExactly(ep("1", 5 * MIN, 5 * MIN, 1));
    }

    @Test
    void viewThenCartThenPurchaseIsNoAlert() {
        row(0, "view", "1").row(5 * MIN, "cart", "1").row(20 * MIN, "purchase", "1");
        assertThat(alerts()).isEmpty();
    }

    @Test
    void cartWithoutViewIsNoAlert() {
        row(0, "cart", "1");
        assertThat(alerts()).isEmpty();
    }

    @Test
    void viewOfAnotherUserDoesNotCount() {
        row(0, "view", "2").row(MIN, "cart", "1");
        assertThat(alerts()).isEmpty();
    }

    @Test
    void viewExactlyThirtyMinutesBeforeCounts() {
        row(0, "view", "1").row(W, "cart", "1");
        assertThat(alerts()).containsExactly(ep("1", W, W, 1));
    }

    @Test
    void viewThirtyMinutesAndOneSecondBeforeDoesNotCount() {
        row(0, "view", "1").row(W + SEC, "cart", "1");
        assertThat(alerts()).isEmpty();
    }

    @Test
    void viewWithTheSameTimestampCountsOnlyIfEarlierInTheFile() {
        row(MIN, "view", "1").row(MIN, "cart", "1");
        row(MIN, "cart", "2").row(MIN, "view", "2");
        assertThat(alerts()).containsExactly(ep("1", MIN, MIN, 1));
    }

    @Test
    void purchaseExactlyThirtyMinutesAfterTheLastCartCloses() {
        row(0, "view", "1").row(MIN, "cart", "1").row(MIN + W, "purchase", "1");
        assertThat(alerts()).isEmpty();
    }

    @Test
    void purchaseThirtyMinutesAndOneSecondAfterIsTooLate() {
        row(0, "view", "1").row(MIN, "cart", "1").row(MIN + W + SEC, "purchase", "1");
        assertThat(alerts()).containsExactly(ep("1", MIN, MIN, 1));
    }

    @Test
    void purchaseWithTheSameTimestampAsTheCartClosesOnlyIfLaterInTheFile() {
        row(0, "view", "1").row(MIN, "cart", "1").row(MIN, "purchase", "1");
        row(0, "view", "2").row(MIN, "purchase", "2").row(MIN, "cart", "2");
        assertThat(alerts()).containsExactly(ep("2", MIN, MIN, 1));
    }

    @Test
    void purchaseOfAnotherUserDoesNotClose() {
        row(0, "view", "1").row(MIN, "cart", "1").row(2 * MIN, "purchase", "2");
        assertThat(alerts()).containsExactly(ep("1", MIN, MIN, 1));
    }

    @Test
    void cartExactlyThirtyMinutesAfterThePreviousJoins() {
        row(0, "view", "1").row(MIN, "cart", "1").row(MIN + W, "cart", "1");
        assertThat(alerts()).containsExactly(ep("1", MIN, MIN + W, 2));
    }

    @Test
    void cartThirtyMinutesAndOneSecondAfterDoesNotJoinAndWithoutItsOwnViewStartsNothing() {
        row(0, "view", "1").row(MIN, "cart", "1").row(MIN + W + SEC, "cart", "1");
        assertThat(alerts()).containsExactly(ep("1", MIN, MIN, 1));
    }

    @Test
    void cartThirtyMinutesAndOneSecondAfterWithItsOwnViewStartsASecondEpisode() {
        row(0, "view", "1").row(MIN, "cart", "1").row(MIN + W, "view", "1").row(MIN + W + SEC, "cart", "1");
        assertThat(alerts()).containsExactly(ep("1", MIN, MIN, 1), ep("1", MIN + W + SEC, MIN + W + SEC, 1));
    }

    @Test
    void aChainOfCartsEachWithinThirtyMinutesIsOneEpisodeEvenPastTheFirstWindow() {
        row(0, "view", "1").row(MIN, "cart", "1").row(20 * MIN, "cart", "1").row(45 * MIN, "cart", "1")
                .row(70 * MIN, "cart", "1");
        assertThat(alerts()).containsExactly(ep("1", MIN, 70 * MIN, 4));
    }

    @Test
    void purchaseEndsTheEpisodeAndALaterCartNeedsAViewWithinThirtyMinutes() {
        // view at 0 → cart at 1 → purchase at 2 closes; cart at 40 has no view within 30 min: nothing.
        row(0, "view", "1").row(MIN, "cart", "1").row(2 * MIN, "purchase", "1").row(40 * MIN, "cart", "1");
        // view at 0 → cart at 1 → purchase at 2; cart at 10 still has the view at 0 within 30 min: a new episode.
        row(0, "view", "2").row(MIN, "cart", "2").row(2 * MIN, "purchase", "2").row(10 * MIN, "cart", "2");
        assertThat(alerts()).containsExactly(ep("2", 10 * MIN, 10 * MIN, 1));
    }

    @Test
    void purchaseWithNoOpenEpisodeDoesNothing() {
        row(0, "purchase", "1").row(MIN, "view", "1").row(2 * MIN, "cart", "1");
        assertThat(alerts()).containsExactly(ep("1", 2 * MIN, 2 * MIN, 1));
    }

    @Test
    void rowsOutOfFileOrderAreProcessedInTimeOrder() {
        row(10 * MIN, "cart", "1").row(0, "view", "1");
        assertThat(alerts()).containsExactly(ep("1", 10 * MIN, 10 * MIN, 1));
    }

    @Test
    void aCutOffLastLineIsNotARow() {
        row(0, "view", "1").row(MIN, "cart", "1");
        csv.append("2019-10-01 00:05:00 UTC,purchase,1004833,2053013555631882655,electronics.smartphone,samsung,174.7");
        Parsed p = Rees46Episodes.parse(csv.toString().getBytes(StandardCharsets.UTF_8));
        assertThat(p.rows()).hasSize(2);
        assertThat(p.cutOffLine()).endsWith("samsung,174.7");
        assertThat(p.cutOffLineNumber()).isEqualTo(4);
        assertThat(Rees46Episodes.expectedAlerts(p.rows())).containsExactly(ep("1", MIN, MIN, 1));
    }

    @Test
    void crlfLineEndingsAreLineEndings() {
        row(0, "view", "1").row(MIN, "cart", "1");
        String crlf = csv.toString().replace("\n", "\r\n");
        Parsed p = Rees46Episodes.parse(crlf.getBytes(StandardCharsets.UTF_8));
        assertThat(p.rows()).hasSize(2);
        assertThat(p.rows().get(1).raw()).doesNotContain("\r").endsWith(",s-1");
        assertThat(Rees46Episodes.expectedAlerts(p.rows())).containsExactly(ep("1", MIN, MIN, 1));
    }

    @Test
    void withTimeRewritesOnlyTheTimeColumn() {
        row(0, "view", "1");
        Parsed p = Rees46Episodes.parse(csv.toString().getBytes(StandardCharsets.UTF_8));
        String line = Rees46Episodes.withTime(p.rows().get(0), T0 + 90 * MIN + 7 * SEC);
        assertThat(line).isEqualTo("2019-10-01 01:30:07 UTC,view,1004833,2053013555631882655,electronics.smartphone,"
                + "samsung,174.76,1,s-1");
    }

    @Test
    void quotedFieldsAreRefusedRatherThanMisread() {
        csv.append("2019-10-01 00:00:00 UTC,view,1,2,\"a,b\",x,1.0,7,s\n");
        assertThatThrownBy(() -> Rees46Episodes.parse(csv.toString().getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
