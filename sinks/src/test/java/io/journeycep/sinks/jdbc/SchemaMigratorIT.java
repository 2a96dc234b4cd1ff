package io.journeycep.sinks.jdbc;

import static io.journeycep.sinks.ItSupport.connect;
import static io.journeycep.sinks.ItSupport.freshDatabase;
import static io.journeycep.sinks.ItSupport.pg;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link SchemaMigrator} against the embedded PostgreSQL, each test on a database of its own. */
@Timeout(60)
class SchemaMigratorIT {

    @Test
    void appliesTheMigrationsOnceEvenWhenStartedConcurrently() throws Exception {
        String url = freshDatabase();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<List<Integer>>> runs = new ArrayList<>();
            Callable<List<Integer>> run = () -> SchemaMigrator.migrate(url, pg().user(), pg().password());
            for (int i = 0; i < 3; i++) {
                runs.add(pool.submit(run));
            }
            List<List<Integer>> results = new ArrayList<>();
            for (Future<List<Integer>> f : runs) {
                results.add(f.get());
            }
            assertThat(results).containsExactlyInAnyOrder(List.of(1, 2, 3, 4), List.of(), List.of());
        } finally {
            pool.shutdownNow();
        }
        assertThat(SchemaMigrator.migrate(url, pg().user(), pg().password())).isEmpty();

        try (Connection c = connect(url);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT version, description, checksum, applied_at FROM schema_version ORDER BY version")) {
            List<SchemaMigrator.Migration> known = SchemaMigrator.load("db/migration", getClass().getClassLoader());
            for (SchemaMigrator.Migration m : known) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(m.version());
                assertThat(rs.getString(2)).isEqualTo(m.description());
                assertThat(rs.getString(3)).isEqualTo(m.checksum());
                assertThat(rs.getObject(4)).isNotNull();
            }
            assertThat(known).extracting(SchemaMigrator.Migration::description)
                    .containsExactly("initial schema", "segment outputs", "erasure log", "triggers withheld");
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    void createsTheTablesOfTheContract() throws Exception {
        String url = freshDatabase();
        SchemaMigrator.migrate(url, pg().user(), pg().password());
        Map<String, String> cols = columns(url);
        assertThat(cols).containsAllEntriesOf(Map.ofEntries(
                Map.entry("alerts.alert_id", "text"),
                Map.entry("alerts.kind", "text"),
                Map.entry("alerts.rule_id", "text"),
                Map.entry("alerts.rule_version", "integer"),
                Map.entry("alerts.subject_key", "text"),
                Map.entry("alerts.score", "double precision"),
                Map.entry("alerts.threshold", "double precision"),
                Map.entry("alerts.window_start", "timestamp with time zone"),
                Map.entry("alerts.window_end", "timestamp with time zone"),
                Map.entry("alerts.evidence", "jsonb"),
                Map.entry("alerts.event_time", "timestamp with time zone"),
                Map.entry("alerts.detected_at", "timestamp with time zone"),
                Map.entry("segment_membership.user_id", "text"),
                Map.entry("segment_membership.segment", "text"),
                Map.entry("segment_membership.entered_at", "timestamp with time zone"),
                Map.entry("segment_membership.reason", "text"),
                Map.entry("segment_membership.rule_version", "integer"),
                Map.entry("segment_changes.change_id", "text"),
                Map.entry("segment_changes.user_id", "text"),
                Map.entry("segment_changes.segment", "text"),
                Map.entry("segment_changes.action", "text"),
                Map.entry("segment_changes.reason", "text"),
                Map.entry("segment_changes.rule_version", "integer"),
                Map.entry("segment_changes.entered_at", "timestamp with time zone"),
                Map.entry("segment_changes.event_time", "timestamp with time zone"),
                Map.entry("segment_changes.detected_at", "timestamp with time zone"),
                Map.entry("journey_transitions.from_state", "text"),
                Map.entry("journey_transitions.to_state", "text"),
                Map.entry("journey_transitions.count", "bigint"),
                Map.entry("journey_transitions.updated_at", "timestamp with time zone"),
                Map.entry("drift_stats.metric", "text"),
                Map.entry("drift_stats.bucket_start", "timestamp with time zone"),
                Map.entry("drift_stats.value", "double precision"),
                Map.entry("drift_stats.mean", "double precision"),
                Map.entry("drift_stats.stddev", "double precision"),
                Map.entry("drift_stats.statistic", "double precision"),
                Map.entry("rejected_events.source", "text"),
                Map.entry("rejected_events.position", "bigint"),
                Map.entry("rejected_events.reason", "text"),
                Map.entry("rejected_events.detail", "text"),
                Map.entry("rejected_events.raw", "bytea"),
                Map.entry("rejected_events.received_at", "timestamp with time zone"),
                Map.entry("erasure_log.erasure_id", "text"),
                Map.entry("erasure_log.user_hash", "text"),
                Map.entry("erasure_log.requested_at", "timestamp with time zone"),
                Map.entry("erasure_log.executed_at", "timestamp with time zone"),
                Map.entry("triggers_withheld.kind", "text"),
                Map.entry("triggers_withheld.day", "date"),
                Map.entry("triggers_withheld.withheld", "bigint"),
                Map.entry("triggers_withheld.updated_at", "timestamp with time zone")));
        assertThat(primaryKeys(url)).containsAllEntriesOf(Map.of(
                "alerts", "alert_id",
                "segment_membership", "user_id,segment",
                "segment_changes", "change_id",
                "journey_transitions", "from_state,to_state",
                "drift_stats", "metric,bucket_start",
                "rejected_events", "source,position",
                "erasure_log", "erasure_id",
                "triggers_withheld", "kind,day",
                "schema_version", "version"));
        try (Connection c = connect(url);
                Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.execute("INSERT INTO segment_changes (change_id, user_id, segment, action, "
                    + "reason, rule_version, event_time, entered_at, detected_at) VALUES "
                    + "('c1','u','s','MAYBE',NULL,1,now(),now(),now())"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("check");
        }
    }

    /**
     * A database at V1 (applied as the migrator does: the file and its schema_version row) with segment rows written
     * by hand is upgraded by V2: the rows stay, with rule_version 0 and entered_at backfilled.
     */
    @Test
    void v2UpgradesAV1DatabaseKeepingItsSegmentRows() throws Exception {
        String url = freshDatabase();
        SchemaMigrator.Migration v1 = SchemaMigrator.load("db/migration", getClass().getClassLoader()).get(0);
        try (Connection c = connect(url);
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE schema_version (version integer PRIMARY KEY, description text NOT NULL, "
                    + "checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
            s.execute(v1.sql());
            s.execute("INSERT INTO schema_version (version, description, checksum) VALUES (1, 'initial schema', '"
                    + v1.checksum() + "')");
            s.execute("INSERT INTO segment_membership VALUES ('u1', 'LAPSED', '2026-01-05T00:00:00Z', 'r')");
            s.execute("INSERT INTO segment_changes VALUES "
                    + "('c1', 'u1', 'HIGH_VALUE', 'ENTER', 'r', '2026-01-01T00:00:00Z', now()),"
                    + "('c2', 'u1', 'HIGH_VALUE', 'ENTER', 'r', '2026-01-02T00:00:00Z', now()),"
                    + "('c3', 'u1', 'HIGH_VALUE', 'EXIT', 'r', '2026-01-03T00:00:00Z', now()),"
                    + "('c4', 'u1', 'LAPSED', 'EXIT', 'r', '2026-01-04T00:00:00Z', now())");
        }
        assertThat(SchemaMigrator.migrate(url, pg().user(), pg().password())).containsExactly(2, 3, 4);
        try (Connection c = connect(url);
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT change_id, rule_version, "
                    + "to_char(entered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') FROM segment_changes ORDER BY change_id")) {
                List<String> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(rs.getString(1) + " " + rs.getInt(2) + " " + rs.getString(3));
                }
                assertThat(rows).containsExactly(
                        "c1 0 2026-01-01", "c2 0 2026-01-02", "c3 0 2026-01-02", "c4 0 2026-01-04");
            }
            try (ResultSet rs = s.executeQuery("SELECT user_id, rule_version FROM segment_membership")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("u1");
                assertThat(rs.getInt(2)).isZero();
                assertThat(rs.next()).isFalse();
            }
            // No defaults are left behind: the sinks always write both columns.
            assertThatThrownBy(() -> s.execute("INSERT INTO segment_changes (change_id, user_id, segment, action, "
                    + "event_time, entered_at, detected_at) VALUES ('c5', 'u', 's', 'ENTER', now(), now(), now())"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("rule_version");
        }
    }

    @Test
    void changedChecksumOfAnAppliedFileFailsFast() throws Exception {
        String url = freshDatabase();
        assertThat(SchemaMigrator.migrate(url, pg().user(), pg().password())).containsExactly(1, 2, 3, 4);
        try (Connection c = connect(url);
                Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE schema_version SET checksum = 'edited-after-release' WHERE version = 1");
        }
        assertThatThrownBy(() -> SchemaMigrator.migrate(url, pg().user(), pg().password()))
                .isInstanceOf(SchemaMigrator.MigrationException.class)
                .hasMessageContaining("Checksum mismatch")
                .hasMessageContaining("V1__initial_schema.sql");
    }

    @Test
    void aFailingMigrationRollsBackWhole() throws Exception {
        String url = freshDatabase();
        assertThatThrownBy(() -> SchemaMigrator.migrate(url, pg().user(), pg().password(), "db/migration-test"))
                .isInstanceOf(SchemaMigrator.MigrationException.class)
                .hasMessageContaining("V2__broken.sql");
        try (Connection c = connect(url);
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT array_agg(version ORDER BY version)::text FROM schema_version")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("{1}");
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM mig_first")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1); // V2's insert was rolled back
            }
            try (ResultSet rs = s.executeQuery("SELECT to_regclass('mig_second') IS NULL")) {
                rs.next();
                assertThat(rs.getBoolean(1)).isTrue(); // and so was its table
            }
        }
    }

    private static Map<String, String> columns(String url) throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (Connection c = connect(url);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT table_name, column_name, data_type FROM information_schema.columns "
                        + "WHERE table_schema = current_schema()")) {
            while (rs.next()) {
                out.put(rs.getString(1) + "." + rs.getString(2), rs.getString(3));
            }
        }
        return out;
    }

    private static Map<String, String> primaryKeys(String url) throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (Connection c = connect(url);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT tc.table_name, string_agg(k.column_name, ',' ORDER BY "
                        + "k.ordinal_position) FROM information_schema.table_constraints tc "
                        + "JOIN information_schema.key_column_usage k ON k.constraint_name = tc.constraint_name "
                        + "AND k.table_schema = tc.table_schema "
                        + "WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema() "
                        + "GROUP BY tc.table_name")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }
}
