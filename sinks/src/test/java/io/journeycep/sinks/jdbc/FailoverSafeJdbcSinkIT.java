package io.journeycep.sinks.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.journeycep.embedded.EmbeddedPostgresServer;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertIds;
import io.journeycep.sinks.AlertKind;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.OptionalLong;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database outage while a JDBC writer holds an unwritten batch (found by FailureRecoveryIT): the connector's own
 * writer throws from {@code close()} (which Flink 2.2 turns into a fatal TaskManager error when the task is already
 * failing), {@link FailoverSafeJdbcSink}'s writer does not; a failed end-of-input flush still throws; and the records
 * written again after the restart land exactly once. Its own PostgreSQL, as it is stopped and started again.
 */
class FailoverSafeJdbcSinkIT {

    @Test
    void closeDuringADatabaseOutageDoesNotThrowAndTheReplayWritesOnce(@TempDir Path dir) throws Exception {
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir)) {
            SchemaMigrator.migrate(pg.jdbcUrl(), pg.user(), pg.password());
            // no timed flush (interval 0), no retries: the records stay in the writer's batch until flush or close
            JdbcSettings settings = JdbcSettings.of(pg.jdbcUrl(), pg.user(), pg.password())
                    .withBatchIntervalMs(0).withMaxRetries(0);
            JdbcSink<Alert> bare = JdbcSink.<Alert>builder()
                    .withQueryStatement(JdbcSinks.INSERT_ALERT, JdbcSinks::bindAlert)
                    .withExecutionOptions(JdbcSinks.executionOptions(settings))
                    .buildAtLeastOnce(JdbcSinks.connectionOptions(settings));
            FailoverSafeJdbcSink<Alert> safe = (FailoverSafeJdbcSink<Alert>) JdbcSinks.alerts(settings);
            Alert a = alert("u-1");
            Alert b = alert("u-2");

            SinkWriter<Alert> bareWriter = bare.createWriter(initContext());
            SinkWriter<Alert> safeWriter = safe.createWriter(initContext());
            SinkWriter<Alert> endWriter = safe.createWriter(initContext());
            bareWriter.write(a, null);
            safeWriter.write(a, null);
            endWriter.write(b, null);

            pg.stop();
            // "Writing records to JDBC failed." (with -ea, as here, the driver may throw an AssertionError first)
            assertThatThrownBy(bareWriter::close).as("the connector's writer").isNotNull();
            safeWriter.close(); // logs, does not throw
            assertThatThrownBy(() -> endWriter.flush(true)).as("a failed end-of-input flush still fails the job")
                    .isInstanceOf(java.io.IOException.class);
            endWriter.close();

            pg.restart();
            // the restarted job writes what no checkpoint covered, here both, one of them twice
            SinkWriter<Alert> replay = safe.createWriter(initContext());
            for (Alert x : List.of(a, b, a)) {
                replay.write(x, null);
            }
            replay.flush(true);
            replay.close();
            try (Connection c = pg.connect(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT subject_key, count(*) FROM alerts GROUP BY subject_key "
                            + "ORDER BY subject_key")) {
                StringBuilder rows = new StringBuilder();
                while (rs.next()) {
                    rows.append(rs.getString(1)).append('=').append(rs.getInt(2)).append(' ');
                }
                assertThat(rows.toString().trim()).isEqualTo("u-1=1 u-2=1");
            }
        }
    }

    private static Alert alert(String key) {
        Alert a = new Alert();
        a.kind = AlertKind.VELOCITY;
        a.ruleId = "login-failed-per-user";
        a.ruleVersion = 1;
        a.subjectKey = key;
        a.score = 5;
        a.threshold = 5;
        a.eventTime = 1_700_000_000_000L;
        a.detectedAt = 1_700_000_001_000L;
        a.alertId = AlertIds.of(a);
        return a;
    }

    /**
     * The three things an at-least-once JDBC writer asks of its init context (no restored checkpoint, no object
     * reuse, so no input serializer); Flink's own test context lives in flink-connector-test-utils, which the build
     * does not have.
     */
    private static WriterInitContext initContext() {
        return (WriterInitContext) Proxy.newProxyInstance(FailoverSafeJdbcSinkIT.class.getClassLoader(),
                new Class<?>[] {WriterInitContext.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getRestoredCheckpointId" -> OptionalLong.empty();
                    case "isObjectReuseEnabled" -> false;
                    case "createInputSerializer" -> null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
