package io.journeycep.sinks.jdbc;

import static io.journeycep.sinks.ItSupport.connect;
import static io.journeycep.sinks.ItSupport.pg;
import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.sinks.ItSupport;
import io.journeycep.sinks.SegmentAction;
import io.journeycep.sinks.SegmentChange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link JdbcSinks#segmentChanges} against the embedded PostgreSQL: the history is written once, the membership
 * follows ENTER/EXIT, and replays of old changes (as after a restart from a checkpoint) change nothing. Each test uses
 * its own user ids.
 */
@Timeout(120)
class SegmentChangesJdbcIT {
    private static final long T0 = 1_795_342_530_120L; // 2026-11-22T10:15:30.120Z
    private static final long MIN = 60_000L;

    @BeforeAll
    static void schema() {
        SchemaMigrator.migrate(pg().jdbcUrl(), pg().user(), pg().password());
    }

    private static JdbcSettings settings() {
        return JdbcSettings.of(pg().jdbcUrl(), pg().user(), pg().password()).withBatchSize(3).withBatchIntervalMs(200);
    }

    private static SegmentChange enter(String user, String segment, long t) {
        return SegmentChange.of(user, segment, SegmentAction.ENTER, segment + " since " + t, 2, t, t, t + 1_000);
    }

    private static SegmentChange exit(String user, String segment, long t, long enteredAt) {
        return SegmentChange.of(user, segment, SegmentAction.EXIT, segment + " over at " + t, 2, t, enteredAt,
                t + 1_000);
    }

    private static void runJob(List<SegmentChange> changes) throws Exception {
        StreamExecutionEnvironment env = ItSupport.miniClusterEnv();
        env.fromData(changes).sinkTo(JdbcSinks.segmentChanges(settings())).name("segment-changes-jdbc");
        env.execute("jdbc-segment-changes");
    }

    @Test
    void writingTheSameChangesTwiceGivesTheSameTables() throws Exception {
        String run = ItSupport.unique();
        String u1 = "u1-" + run;
        String u2 = "u2-" + run;
        String anon = "anon:a9-" + run;
        List<SegmentChange> changes = List.of(
                enter(u1, "HIGH_VALUE", T0),
                enter(u1, "LAPSED", T0),
                enter(u2, "CHURN_RISK_30", T0 + MIN),
                exit(u1, "HIGH_VALUE", T0 + 5 * MIN, T0),
                enter(anon, "CART_ABANDONER", T0 + 2 * MIN),
                exit(u2, "CHURN_RISK_30", T0 + 6 * MIN, T0 + MIN),
                enter(u1, "HIGH_VALUE", T0 + 9 * MIN));
        List<String> users = List.of(u1, u2, anon);

        runJob(changes);
        List<String> membership = membership(users);
        List<String> history = history(users);
        assertThat(membership).containsExactly(
                anon + " CART_ABANDONER " + iso(T0 + 2 * MIN) + " v2 CART_ABANDONER since " + (T0 + 2 * MIN),
                u1 + " HIGH_VALUE " + iso(T0 + 9 * MIN) + " v2 HIGH_VALUE since " + (T0 + 9 * MIN),
                u1 + " LAPSED " + iso(T0) + " v2 LAPSED since " + T0);
        assertThat(history).hasSize(changes.size());
        for (SegmentChange c : changes) {
            assertThat(history).contains(row(c));
        }

        // Twice within one run (the second copy replays old changes over newer rows), then the whole run again.
        List<SegmentChange> twice = new ArrayList<>(changes);
        twice.addAll(changes);
        runJob(twice);
        runJob(changes);
        assertThat(membership(users)).isEqualTo(membership);
        assertThat(history(users)).isEqualTo(history);
    }

    @Test
    void enterExitEnterSequencesFollowTheLastChange() throws Exception {
        String run = ItSupport.unique();
        String u = "u-" + run;
        String v = "v-" + run;
        runJob(List.of(
                enter(u, "POWER_USER", T0),
                exit(u, "POWER_USER", T0 + MIN, T0),
                enter(u, "POWER_USER", T0 + 2 * MIN),
                enter(v, "POWER_USER", T0),
                exit(v, "POWER_USER", T0 + MIN, T0),
                enter(v, "POWER_USER", T0 + 2 * MIN),
                exit(v, "POWER_USER", T0 + 3 * MIN, T0 + 2 * MIN)));
        assertThat(membership(List.of(u, v))).containsExactly(
                u + " POWER_USER " + iso(T0 + 2 * MIN) + " v2 POWER_USER since " + (T0 + 2 * MIN));
        assertThat(history(List.of(u, v))).hasSize(7);
    }

    /**
     * Every replay a restart can cause (the changes from any position on, written again in order over the tables as
     * the first pass left them), one statement at a time: after each statement the membership is exactly what the
     * first pass left, never a deleted newer membership and never a resurrected old one.
     */
    @Test
    void replaysFromAnyPositionNeverRemoveANewerMembershipNorResurrectAnOldOne() throws Exception {
        String run = ItSupport.unique();
        String u = "u-" + run;
        String w = "w-" + run;
        List<SegmentChange> changes = List.of(
                enter(u, "HIGH_VALUE", T0),
                exit(u, "HIGH_VALUE", T0 + MIN, T0),
                enter(u, "HIGH_VALUE", T0 + 2 * MIN),
                enter(w, "LAPSED", T0),
                exit(w, "LAPSED", T0 + MIN, T0),
                enter(w, "LAPSED", T0 + 2 * MIN),
                exit(w, "LAPSED", T0 + 3 * MIN, T0 + 2 * MIN));
        List<String> users = List.of(u, w);
        try (Connection c = connect(pg().jdbcUrl());
                PreparedStatement ps = c.prepareStatement(JdbcSinks.WRITE_SEGMENT_CHANGE)) {
            for (SegmentChange change : changes) {
                write(ps, change);
            }
            List<String> membership = membership(users);
            List<String> history = history(users);
            assertThat(membership).containsExactly(
                    u + " HIGH_VALUE " + iso(T0 + 2 * MIN) + " v2 HIGH_VALUE since " + (T0 + 2 * MIN));
            for (int from = 0; from < changes.size(); from++) {
                for (SegmentChange change : changes.subList(from, changes.size())) {
                    write(ps, change);
                    assertThat(membership(users)).as("replay from %d, after %s", from, change).isEqualTo(membership);
                }
            }
            assertThat(history(users)).isEqualTo(history);

            // The stale EXIT on its own (the first membership's) leaves the newer membership alone.
            write(ps, changes.get(1));
            assertThat(membership(users)).isEqualTo(membership);
            // So does the stale ENTER: it neither overwrites the newer entered_at nor comes back after its EXIT.
            write(ps, changes.get(0));
            write(ps, changes.get(3));
            assertThat(membership(users)).isEqualTo(membership);
        }
    }

    /** An ENTER older than the current membership (say, from an earlier rule version) does not overwrite it. */
    @Test
    void anOlderEnterNeverOverwritesANewerMembership() throws Exception {
        String u = "u-" + ItSupport.unique();
        try (Connection c = connect(pg().jdbcUrl());
                PreparedStatement ps = c.prepareStatement(JdbcSinks.WRITE_SEGMENT_CHANGE)) {
            write(ps, enter(u, "NEW_BUYER", T0 + MIN));
            write(ps, enter(u, "NEW_BUYER", T0));
            assertThat(membership(List.of(u))).containsExactly(
                    u + " NEW_BUYER " + iso(T0 + MIN) + " v2 NEW_BUYER since " + (T0 + MIN));
        }
    }

    private static void write(PreparedStatement ps, SegmentChange change) throws SQLException {
        JdbcSinks.bindSegmentChange(ps, change);
        ps.executeUpdate();
    }

    private static String row(SegmentChange c) {
        return c.changeId + " " + c.userId + " " + c.segment + " " + c.action + " " + c.reason + " v" + c.ruleVersion
                + " " + iso(c.eventTime) + " " + iso(c.enteredAt) + " " + iso(c.detectedAt);
    }

    private static List<String> membership(List<String> users) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = connect(pg().jdbcUrl());
                PreparedStatement ps = c.prepareStatement("SELECT user_id, segment, entered_at, rule_version, reason "
                        + "FROM segment_membership WHERE user_id = ANY (?) ORDER BY user_id, segment")) {
            ps.setArray(1, c.createArrayOf("text", users.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1) + " " + rs.getString(2) + " " + time(rs, 3) + " v" + rs.getInt(4) + " "
                            + rs.getString(5));
                }
            }
        }
        return out;
    }

    private static List<String> history(List<String> users) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = connect(pg().jdbcUrl());
                PreparedStatement ps = c.prepareStatement("SELECT change_id, user_id, segment, action, reason, "
                        + "rule_version, event_time, entered_at, detected_at FROM segment_changes "
                        + "WHERE user_id = ANY (?) ORDER BY change_id")) {
            ps.setArray(1, c.createArrayOf("text", users.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4)
                            + " " + rs.getString(5) + " v" + rs.getInt(6) + " " + time(rs, 7) + " " + time(rs, 8)
                            + " " + time(rs, 9));
                }
            }
        }
        return out;
    }

    private static String time(ResultSet rs, int column) throws SQLException {
        return iso(rs.getObject(column, OffsetDateTime.class).toInstant().toEpochMilli());
    }

    private static String iso(long epochMs) {
        return java.time.Instant.ofEpochMilli(epochMs).toString();
    }
}
