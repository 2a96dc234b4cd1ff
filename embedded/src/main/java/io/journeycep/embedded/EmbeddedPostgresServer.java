package io.journeycep.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL 17 (the zonky binary bundle) as a child process of this JVM, listening on 127.0.0.1 only, with
 * database {@value #DATABASE} created on first start.
 *
 * <p>Layout under the data directory: {@code pgdata/} (the PostgreSQL cluster) and
 * {@code embedded-postgres.properties} (the port of the last run, reused when still free). Authentication is
 * {@code trust} on loopback, so any password works; {@link #password()} returns "postgres" for clients that insist on
 * one.
 *
 * <p>Root: {@code initdb} and {@code postgres} refuse to run with uid 0. zonky 2.2.x handles that itself: when
 * the JVM is root and {@code unshare -U id -u} works, it runs every PostgreSQL command as {@code unshare -U ...},
 * i.e. in a new user namespace where the process is the unmapped "nobody" while the kernel still checks file access
 * as the real root. Without user namespaces (some hardened containers) a root JVM cannot start PostgreSQL.
 */
public final class EmbeddedPostgresServer extends RestartableService {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    static final String DATABASE = "journey";
    private static final String USER = "postgres";
    private static final String PASSWORD = "postgres";
    private static final String STATE_FILE = "embedded-postgres.properties";

    private final Path dataDir;
    private final Path pgData;
    private final int port;
    private final boolean stopOnJvmExit;

    private EmbeddedPostgres postgres; // guarded by this

    private EmbeddedPostgresServer(Path dataDir, Path pgData, int port, boolean stopOnJvmExit) {
        this.stopOnJvmExit = stopOnJvmExit;
        this.dataDir = dataDir;
        this.pgData = pgData;
        this.port = port;
    }

    /** Starts PostgreSQL 17 (zonky binaries) on a free port with data under dataDir, and creates database "journey". */
    public static EmbeddedPostgresServer start(Path dataDir) throws Exception {
        return start(dataDir, true);
    }

    /**
     * As {@link #start(Path)}; with {@code stopOnJvmExit} false no zonky shutdown hook is registered and the caller
     * must stop the server itself (SharedServices does, before it deletes the directory).
     */
    static EmbeddedPostgresServer start(Path dataDir, boolean stopOnJvmExit) throws Exception {
        Path dir = dataDir.toAbsolutePath();
        Files.createDirectories(dir);
        Path stateFile = dir.resolve(STATE_FILE);
        Properties state = Ports.load(stateFile);
        Path pgData = dir.resolve("pgdata");
        stopOrphanedPostmaster(pgData);
        int port = Ports.reuseOrPick(state.getProperty("port"));
        state.setProperty("port", Integer.toString(port));
        Ports.store(stateFile, state, "journey-cep embedded PostgreSQL: port of the last start");

        EmbeddedPostgresServer server = new EmbeddedPostgresServer(dir, pgData, port, stopOnJvmExit);
        server.startServer();
        return server;
    }

    /** jdbc:postgresql://127.0.0.1:PORT/journey */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    public String user() {
        return USER;
    }

    /** Any password is accepted (trust authentication on loopback); this one is conventional. */
    public String password() {
        return PASSWORD;
    }

    public int port() {
        return port;
    }

    /** The directory this server keeps its data in. */
    public Path dataDir() {
        return dataDir;
    }

    /** A new JDBC connection to database "journey". */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), USER, PASSWORD);
    }

    /** Stops PostgreSQL (fast shutdown); data and port are kept for {@link #restart()}. Idempotent. */
    @Override
    public synchronized void stop() {
        if (postgres == null) {
            return;
        }
        long t0 = System.nanoTime();
        EmbeddedPostgres p = postgres;
        postgres = null;
        try {
            p.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("Embedded PostgreSQL did not shut down cleanly", e);
        }
        LOG.info("Embedded PostgreSQL on port {} stopped in {} ms", port, millisSince(t0));
    }



    @Override
    public synchronized boolean isRunning() {
        return postgres != null;
    }

    // ------------------------------------------------------------------------------------------------------------

    @Override
    protected synchronized void startServer() throws Exception {
        if (postgres != null) {
            return;
        }
        long t0 = System.nanoTime();
        Files.createDirectories(pgData);
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(pgData)
                .setCleanDataDirectory(false)
                .setPort(port)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setRegisterShutdownHook(stopOnJvmExit) // no orphaned postmaster behind an exited JVM
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("unix_socket_directories", "")
                .setServerConfig("max_connections", "100")
                .setServerConfig("shared_buffers", "64MB")
                .setServerConfig("timezone", "UTC")
                .setServerConfig("log_min_messages", "warning")
                .setLocaleConfig("locale", "C")
                .setLocaleConfig("encoding", "UTF8");
        EmbeddedPostgres p = builder.start();
        try {
            createDatabase(p);
        } catch (SQLException | RuntimeException e) {
            p.close();
            throw e;
        }
        postgres = p;
        LOG.info("Embedded PostgreSQL started on 127.0.0.1:{} in {} ms", port, millisSince(t0));
    }

    private static void createDatabase(EmbeddedPostgres p) throws SQLException {
        try (Connection c = p.getPostgresDatabase().getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                ps.setString(1, DATABASE);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return;
                    }
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + DATABASE);
            }
        }
    }

    /**
     * A postmaster left running on this data directory by a JVM that died without running its shutdown hooks
     * (kill -9) would block the start; stop it. Only a process whose command line names this data directory is touched.
     */
    private static void stopOrphanedPostmaster(Path pgData) throws InterruptedException {
        Path pidFile = pgData.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        } catch (IOException | RuntimeException e) {
            return;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty()) {
            return; // stale pid file; PostgreSQL handles that itself
        }
        String cmd = handle.get().info().commandLine().orElse("");
        if (!cmd.contains("postgres") || !cmd.contains(pgData.toString())) {
            return;
        }
        LOG.warn("Stopping orphaned PostgreSQL (pid {}) on {}", pid, pgData);
        handle.get().destroy(); // SIGTERM: smart shutdown
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (handle.get().isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        if (handle.get().isAlive()) {
            handle.get().destroyForcibly();
        }
    }

}
