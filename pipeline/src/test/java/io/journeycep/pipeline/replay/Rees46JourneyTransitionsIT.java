package io.journeycep.pipeline.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.embedded.EmbeddedServices;
import io.journeycep.embedded.SharedServices;
import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.ingest.CsvMapping;
import io.journeycep.pipeline.ingest.EventParser;
import io.journeycep.pipeline.ingest.EventSources;
import io.journeycep.pipeline.ingest.InputFormat;
import io.journeycep.pipeline.ingest.ParserSettings;
import io.journeycep.pipeline.testing.TestData;
import io.journeycep.pipeline.workflow.JourneyWorkflow;
import io.journeycep.pipeline.workflow.WorkflowSinks;
import io.journeycep.sinks.jdbc.JdbcSettings;
import io.journeycep.sinks.jdbc.JdbcSinks;
import io.journeycep.sinks.jdbc.SchemaMigrator;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The REES46 replay into the real PostgreSQL (its own fresh database, so other tests' rows do not mix in):
 * {@code journey_transitions} holds exactly the counts computed from the raw rows, and the drop-off query works.
 */
class Rees46JourneyTransitionsIT {
    @Test
    void journeyTransitionsInPostgresEqualTheCountsOfTheRawRows() throws Exception {
        Path file = TestData.rees46();
        Map<String, Long> expected = Rees46Transitions.expected(file);
        EmbeddedServices services = SharedServices.get();
        String db = "journeys_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection c = services.postgres().connect(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        }
        String url = services.postgres().jdbcUrl().replaceFirst("/[^/]+$", "/" + db);
        String user = services.postgres().user();
        String password = services.postgres().password();
        SchemaMigrator.migrate(url, user, password);

        JobConfig config = new JobConfig();
        config.eventTime.quietPeriod = null;
        config.eventTime.idleTimeout = null;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        JourneyWorkflow.define(env,
                EventSources.files(List.of(file), InputFormat.CSV, CsvMapping.named("rees46"),
                        new EventParser(ParserSettings.defaults())),
                new WorkflowSinks().transitions("jdbc-journey-transitions",
                        JdbcSinks.transitions(JdbcSettings.of(url, user, password))),
                config);
        env.execute("rees46 journeys into PostgreSQL");

        Map<String, Long> rows = new TreeMap<>();
        Map<String, Double> dropOff = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT from_state, to_state, count FROM journey_transitions")) {
                while (rs.next()) {
                    rows.put(rs.getString(1) + ">" + rs.getString(2), rs.getLong(3));
                }
            }
            try (ResultSet rs = s.executeQuery(Rees46JourneyTransitionsIT.DROP_OFF)) {
                while (rs.next()) {
                    dropOff.put(rs.getString(1), rs.getDouble(2));
                }
            }
        }
        assertThat(rows).isEqualTo(expected);
        long fromView = expected.entrySet().stream().filter(e -> e.getKey().startsWith("view>"))
                .mapToLong(Map.Entry::getValue).sum();
        assertThat(dropOff.get("view")).isCloseTo((double) expected.get("view>EXIT") / fromView,
                org.assertj.core.data.Offset.offset(1e-9));
        System.out.printf("REES46 journey_transitions: %d rows; drop-off P(EXIT | state) = %s%n", rows.size(), dropOff);
    }

    /** The README's drop-off query. */
    static final String DROP_OFF =
            "SELECT from_state, SUM(count) FILTER (WHERE to_state = 'EXIT')::float8 / SUM(count) AS p_exit "
                    + "FROM journey_transitions GROUP BY from_state ORDER BY p_exit DESC";
}
