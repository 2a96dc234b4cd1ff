package io.journeycep.sinks.jdbc;

import static io.journeycep.sinks.ItSupport.connect;
import static io.journeycep.sinks.ItSupport.pg;
import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertIds;
import io.journeycep.sinks.AlertKind;
import io.journeycep.sinks.ErasureRequest;
import io.journeycep.sinks.ItSupport;
import io.journeycep.sinks.SegmentAction;
import io.journeycep.sinks.SegmentChange;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link JdbcSinks#erasures} against the embedded PostgreSQL: the erased user's (and their anonymous key's) rows go
 * from segment_membership, segment_changes and alerts, nobody else's; erasure_log holds the request's id and hash,
 * never the id; running the same request again changes nothing but executed_at.
 */
@Timeout(120)
class ErasureJdbcIT {
    private static final long T0 = 1_795_342_530_120L;
    private static final long MIN = 60_000L;

    @BeforeAll
    static void schema() {
        SchemaMigrator.migrate(pg().jdbcUrl(), pg().user(), pg().password());
    }

    private static JdbcSettings settings() {
        return JdbcSettings.of(pg().jdbcUrl(), pg().user(), pg().password()).withBatchSize(3).withBatchIntervalMs(200);
    }

    private static Alert alert(String key, String evidence) {
        Alert a = new Alert();
        a.kind = AlertKind.CART_ABANDONED;
        a.ruleId = "cart-abandonment";
        a.ruleVersion = 1;
        a.subjectKey = key;
        a.score = 1;
        a.threshold = 1;
        a.windowStart = T0;
        a.windowEnd = T0 + 30 * MIN;
        a.evidenceEventIds = new ArrayList<>(List.of(evidence));
        a.evidenceJson = "{}";
        a.eventTime = T0 + 30 * MIN;
        a.detectedAt = T0 + 31 * MIN;
        a.alertId = AlertIds.of(a);
        return a;
    }

    private static long count(String sql, String... params) throws Exception {
        try (Connection c = connect(pg().jdbcUrl());
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static long rowsOf(String key) throws Exception {
        return count("SELECT count(*) FROM segment_membership WHERE user_id = ?", key)
                + count("SELECT count(*) FROM segment_changes WHERE user_id = ?", key)
                + count("SELECT count(*) FROM alerts WHERE subject_key = ?", key);
    }

    private static void erase(List<ErasureRequest> requests) throws Exception {
        StreamExecutionEnvironment env = ItSupport.miniClusterEnv();
        env.fromData(requests).sinkTo(JdbcSinks.erasures(settings())).name("erasures-jdbc");
        env.execute("jdbc-erasures");
    }

    @Test
    void theUsersRowsAreDeletedAndTheLogHoldsTheHashOnly() throws Exception {
        String run = ItSupport.unique();
        String user = "u-42-" + run;
        String anon = "anon:a-9-" + run;
        String other = "u-7-" + run;
        StreamExecutionEnvironment env = ItSupport.miniClusterEnv();
        List<SegmentChange> changes = new ArrayList<>();
        List<Alert> alerts = new ArrayList<>();
        for (String key : List.of(user, anon, other)) {
            changes.add(SegmentChange.of(key, "HIGH_VALUE", SegmentAction.ENTER, "r", 1, T0, T0, T0 + 1));
            changes.add(SegmentChange.of(key, "NEW_BUYER", SegmentAction.ENTER, "r", 1, T0, T0, T0 + 1));
            changes.add(SegmentChange.of(key, "NEW_BUYER", SegmentAction.EXIT, "r", 1, T0 + MIN, T0, T0 + MIN));
            alerts.add(alert(key, "e1-" + key));
            alerts.add(alert(key, "e2-" + key));
        }
        env.fromData(changes).sinkTo(JdbcSinks.segmentChanges(settings())).name("segment-changes-jdbc");
        env.fromData(alerts).sinkTo(JdbcSinks.alerts(settings())).name("alerts-jdbc");
        env.execute("rows to erase");
        assertThat(rowsOf(user)).isEqualTo(1 + 3 + 2);
        assertThat(rowsOf(anon)).isEqualTo(6);
        assertThat(rowsOf(other)).isEqualTo(6);

        String id = "kafka:control/0@" + run;
        String hash = "sha256:0f5b3c" + run; // a stand-in: the sink logs what the request carries
        List<ErasureRequest> requests = List.of(ErasureRequest.of(id, hash, T0 + 2 * MIN, user),
                ErasureRequest.of(id, hash, T0 + 2 * MIN, anon));
        erase(requests);

        assertThat(rowsOf(user)).isZero();
        assertThat(rowsOf(anon)).isZero();
        assertThat(rowsOf(other)).as("another user's rows stay").isEqualTo(6);
        OffsetDateTime executed;
        try (Connection c = connect(pg().jdbcUrl());
                PreparedStatement ps = c.prepareStatement(
                        "SELECT erasure_id, user_hash, requested_at, executed_at, row_to_json(l)::text FROM erasure_log l"
                                + " WHERE erasure_id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(2)).isEqualTo(hash);
                assertThat(rs.getObject(3, OffsetDateTime.class).toInstant().toEpochMilli()).isEqualTo(T0 + 2 * MIN);
                executed = rs.getObject(4, OffsetDateTime.class);
                assertThat(executed).isNotNull();
                assertThat(rs.getString(5)).doesNotContain("u-42").doesNotContain("a-9");
                assertThat(rs.next()).as("one row per request").isFalse();
            }
        }

        // again (a restart that commits again, or the request read again): nothing to delete, one log row
        erase(requests);
        assertThat(rowsOf(user)).isZero();
        assertThat(rowsOf(other)).isEqualTo(6);
        assertThat(count("SELECT count(*) FROM erasure_log WHERE erasure_id = ?", id)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM erasure_log WHERE erasure_id = ? AND executed_at >= ?::timestamptz", id,
                executed.toString())).isEqualTo(1);
    }

    /** An alert about something else than a user (a velocity dimension, a drift metric) on the given subject. */
    private static Alert notAboutAUser(String subject, AlertKind kind, String dimension) {
        Alert a = alert(subject, "e-" + kind + "-" + dimension + "-" + subject);
        a.kind = kind;
        a.ruleId = kind == AlertKind.DRIFT ? "drift" : "velocity-rule";
        a.evidenceJson = dimension == null ? "{}" : "{\"dimension\":\"" + dimension + "\"}";
        a.alertId = AlertIds.of(a);
        return a;
    }

    @Test
    void anErasureReachesOnlyTheRowsOfItsOwnIdentity() throws Exception {
        String run = ItSupport.unique();
        String visitor = "anon:x-" + run; // anonymous visitor x
        String lookAlike = "user:anon:x-" + run; // user "anon:x" (README "User keys")
        String device = "d-7-" + run; // a user whose id is a device's id, and a metric's name
        List<Alert> alerts = new ArrayList<>();
        for (String key : List.of(visitor, lookAlike, device)) {
            alerts.add(alert(key, "e1-" + key));
        }
        alerts.add(notAboutAUser(device, AlertKind.VELOCITY, "user"));
        alerts.add(notAboutAUser(device, AlertKind.VELOCITY, "device"));
        alerts.add(notAboutAUser(device, AlertKind.VELOCITY, "ip"));
        alerts.add(notAboutAUser(device, AlertKind.DRIFT, null));
        StreamExecutionEnvironment env = ItSupport.miniClusterEnv();
        env.fromData(alerts).sinkTo(JdbcSinks.alerts(settings())).name("alerts-jdbc");
        env.execute("rows of look-alike identities");
        assertThat(rowsOf(visitor)).isEqualTo(1);
        assertThat(rowsOf(device)).isEqualTo(5);

        String id = "kafka:control/0@ids-" + run;
        erase(List.of(ErasureRequest.of(id, "sha256:00", T0, lookAlike),
                ErasureRequest.of(id, "sha256:00", T0, device)));

        assertThat(rowsOf(lookAlike)).isZero();
        assertThat(rowsOf(visitor)).as("user anon:x's erasure leaves visitor x's rows").isEqualTo(1);
        assertThat(count("SELECT count(*) FROM alerts WHERE subject_key = ? AND kind = 'VELOCITY'"
                + " AND evidence->>'dimension' = 'user'", device)).as("the user's own velocity alert goes").isZero();
        assertThat(count("SELECT count(*) FROM alerts WHERE subject_key = ? AND kind = 'CART_ABANDONED'", device))
                .isZero();
        assertThat(rowsOf(device)).as("the device's, the IP's and the metric's alerts stay").isEqualTo(3);
    }
}
