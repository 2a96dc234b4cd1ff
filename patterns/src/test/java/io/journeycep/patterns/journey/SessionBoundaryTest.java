package io.journeycep.patterns.journey;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SessionBoundaryTest {
    private static final long GAP = 30 * 60_000L;
    private final SessionBoundary boundary = new SessionBoundary(GAP);

    @Test
    void withoutSessionIdsAGapOfMoreThanThirtyMinutesStartsANewSessionAndExactlyThirtyDoesNot() {
        assertThat(boundary.startsNewSession(null, null, 1_000, null)).as("first event").isTrue();
        assertThat(boundary.startsNewSession(0L, null, GAP, null)).as("exactly 30 min").isFalse();
        assertThat(boundary.startsNewSession(0L, null, GAP + 1, null)).isTrue();
        assertThat(boundary.startsNewSession(0L, null, 0, null)).as("equal timestamps").isFalse();
    }

    @Test
    void explicitSessionIdsDecideRegardlessOfTime() {
        assertThat(boundary.startsNewSession(0L, "s-1", 3 * GAP, "s-1")).isFalse();
        assertThat(boundary.startsNewSession(0L, "s-1", 1, "s-2")).isTrue();
        assertThat(boundary.startsNewSession(0L, "s-1", 1, null)).as("an id appears or disappears").isTrue();
    }
}
