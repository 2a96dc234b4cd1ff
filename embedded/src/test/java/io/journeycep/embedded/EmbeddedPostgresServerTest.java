package io.journeycep.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPostgresServerTest {

    @TempDir
    Path tmp;

    @Test
    void storesDataThatSurvivesARestart() throws Exception {
        long t0 = System.nanoTime();
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(tmp.resolve("pg"))) {
            System.out.println("EmbeddedPostgresServer first start (initdb + start): "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms");
            String url = pg.jdbcUrl();
            assertThat(url).matches("jdbc:postgresql://127\\.0\\.0\\.1:\\d+/journey");
            assertThat(Files.isRegularFile(tmp.resolve("pg/pgdata/PG_VERSION"))).isTrue();

            try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password());
                 Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT current_database(), current_setting('server_version_num')::int")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("journey");
                    assertThat(rs.getInt(2)).isBetween(170000, 179999);
                }
                s.execute("CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL)");
                s.execute("INSERT INTO t VALUES (1, 'one'), (2, 'two')");
                s.execute("INSERT INTO t VALUES (2, 'deux') ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name");
                assertThat(names(s)).containsExactly("one", "deux");
            }

            pg.stop();
            assertThat(pg.isRunning()).isFalse();
            assertThatThrownBy(() -> DriverManager.getConnection(url, pg.user(), pg.password()).close())
                    .isInstanceOf(SQLException.class);

            long r0 = System.nanoTime();
            pg.restart();
            System.out.println("EmbeddedPostgresServer restart: " + (System.nanoTime() - r0) / 1_000_000 + " ms");
            assertThat(pg.jdbcUrl()).isEqualTo(url);
            try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password());
                 Statement s = c.createStatement()) {
                assertThat(names(s)).containsExactly("one", "deux");
            }
        }
    }

    @Test
    void aSecondStartOnTheSameDirectoryKeepsTheDatabaseAndPort() throws Exception {
        Path dir = tmp.resolve("pg2");
        String url;
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir);
             Connection c = pg.connect();
             Statement s = c.createStatement()) {
            url = pg.jdbcUrl();
            s.execute("CREATE TABLE kept (v text)");
            s.execute("INSERT INTO kept VALUES ('still here')");
        }
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir);
             Connection c = pg.connect();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT v FROM kept")) {
            assertThat(pg.jdbcUrl()).isEqualTo(url);
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("still here");
        }
    }

    private static List<String> names(Statement s) throws SQLException {
        List<String> names = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT name FROM t ORDER BY id")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }
}
