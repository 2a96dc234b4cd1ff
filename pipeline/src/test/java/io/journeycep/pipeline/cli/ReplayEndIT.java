package io.journeycep.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.embedded.EmbeddedServices;
import io.journeycep.embedded.SharedServices;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;

/**
 * Where a replay ends, in the tables (embedded PostgreSQL, the job's own JDBC sinks and migrations): by default the
 * tables hold the state as of the last event (members still in their segments, the late cart not abandoned); with
 * {@code --drain} every user has walked through every inactivity segment to the horizon's exit.
 */
class ReplayEndIT {
    @TempDir
    Path dir;

    private static long one(String url, String user, String password, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, password);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private VerbRun replay(String url, EmbeddedServices services, String... more) throws Exception {
        Path passwordFile = dir.resolve("password.txt");
        Files.writeString(passwordFile, services.postgres().password() + "\n");
        String[] base = {"replay", "--input", ReplayEndTest.input(dir).toString(), "--state-backend", "hashmap",
                "--jdbc-url", url, "--jdbc-user", services.postgres().user(),
                "--jdbc-password-file", passwordFile.toString()};
        String[] argv = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, argv, base.length, more.length);
        return VerbRun.of(argv);
    }

    @Test
    void byDefaultTheTablesShowTheStateAsOfTheLastEvent() throws Exception {
        EmbeddedServices services = SharedServices.get();
        String url = PipelineItSupport.createDatabase(services, "replay_end_" + UUID.randomUUID().toString()
                .substring(0, 8));
        VerbRun r = replay(url, services);
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        String user = services.postgres().user();
        String password = services.postgres().password();
        assertThat(one(url, user, password, "SELECT count(*) FROM alerts WHERE kind = 'CART_ABANDONED'"))
                .as("a's cart only; p's is due after the last event").isEqualTo(1);
        assertThat(one(url, user, password, "SELECT count(*) FROM alerts WHERE kind = 'CART_ABANDONED' "
                + "AND subject_key = 'p'")).isZero();
        assertThat(one(url, user, password, "SELECT count(*) FROM segment_membership"))
                .as("members still in their segments at the last event").isPositive();
        assertThat(one(url, user, password, "SELECT count(*) FROM segment_changes WHERE action = 'EXIT' "
                + "AND reason LIKE '%horizon%'")).as("nobody reached the horizon").isZero();
    }

    @Test
    void withDrainEveryTimeoutFiresAndTheSegmentsEmpty() throws Exception {
        EmbeddedServices services = SharedServices.get();
        String url = PipelineItSupport.createDatabase(services, "replay_drain_" + UUID.randomUUID().toString()
                .substring(0, 8));
        VerbRun r = replay(url, services, "--drain");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        String user = services.postgres().user();
        String password = services.postgres().password();
        assertThat(one(url, user, password, "SELECT count(*) FROM alerts WHERE kind = 'CART_ABANDONED'"))
                .isEqualTo(2);
        assertThat(one(url, user, password, "SELECT count(*) FROM segment_membership"))
                .as("drained: every membership has exited").isZero();
        assertThat(one(url, user, password, "SELECT count(*) FROM segment_changes WHERE action = 'EXIT'"))
                .isPositive();
    }
}
