package io.journeycep.sinks;

import io.journeycep.embedded.EmbeddedPostgresServer;
import io.journeycep.embedded.SharedServices;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Helpers shared by the integration tests. */
public final class ItSupport {
    private static final Pattern PG_URL = Pattern.compile("^(jdbc:postgresql://[^/]+/)([^?;]*)(.*)$");

    private ItSupport() {}

    public static EmbeddedPostgresServer pg() {
        return SharedServices.get().postgres();
    }

    public static Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, pg().user(), pg().password());
    }

    /** A short random suffix, so that tests sharing one broker/database do not see each other's data. */
    public static String unique() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 10).toLowerCase(Locale.ROOT);
    }

    /** Creates a new, empty database on the shared server and returns its JDBC URL. */
    public static String freshDatabase() throws SQLException {
        String name = "it_" + unique();
        try (Connection c = connect(pg().jdbcUrl());
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        Matcher m = PG_URL.matcher(pg().jdbcUrl());
        if (!m.matches()) {
            throw new IllegalStateException("Unexpected JDBC URL shape: " + pg().jdbcUrl());
        }
        return m.group(1) + name + m.group(3);
    }

    /** A MiniCluster environment: parallelism 1, checkpoints every 500 ms, no restarts (a failure fails the test). */
    public static StreamExecutionEnvironment miniClusterEnv() {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        env.enableCheckpointing(500);
        return env;
    }
}
