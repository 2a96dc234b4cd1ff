package io.journeycep.sinks.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and migrates the job's PostgreSQL schema (DESIGN §4) from versioned SQL files on the classpath.
 *
 * <p>The files are {@code db/migration/V<n>__<description>.sql}, listed in order in {@code
 * db/migration/index.txt} (an index, not a classpath scan, so they are found inside a shaded jar). Each pending file
 * runs in its own transaction together with its row in {@code schema_version(version, description, checksum,
 * applied_at)}, so a file is either applied and recorded or not at all. A session-level {@code pg_advisory_lock}
 * serializes concurrent starts (for example several job instances against one database).
 *
 * <p>Fails fast, before applying anything, if an applied file's checksum (SHA-256 of its text with line endings
 * normalized to LF) no longer matches, if a file older than the newest applied one was never applied, or if an
 * applied version below the newest known one has disappeared from the index. Versions applied by a newer release
 * (above every version this jar knows) are tolerated with a warning.
 */
public final class SchemaMigrator {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrator.class);

    /** The classpath folder holding {@code index.txt} and the migrations. */
    public static final String DEFAULT_LOCATION = "db/migration";

    /** Key of the advisory lock that serializes migrations ("journeyc" as a 64-bit number). */
    static final long LOCK_KEY = 0x6a6f75726e657963L;

    private static final Pattern FILE_NAME = Pattern.compile("V([0-9]+)__([A-Za-z0-9_.-]+)\\.sql");

    private SchemaMigrator() {}

    /** Thrown when the schema cannot be migrated or does not match the migrations this jar holds. */
    public static final class MigrationException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public MigrationException(String message) {
            super(message);
        }

        public MigrationException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** One migration file as found on the classpath. */
    record Migration(int version, String description, String fileName, String sql, String checksum) {}

    /**
     * Applies the pending migrations of {@value #DEFAULT_LOCATION}.
     *
     * @return the versions applied by this call, in order (empty if the schema was up to date)
     */
    public static List<Integer> migrate(String jdbcUrl, String user, String password) {
        return migrate(jdbcUrl, user, password, DEFAULT_LOCATION);
    }

    /** As {@link #migrate(String, String, String)}, with the migrations read from another classpath folder. */
    public static List<Integer> migrate(String jdbcUrl, String user, String password, String location) {
        List<Migration> known = load(location, SchemaMigrator.class.getClassLoader());
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_lock(" + LOCK_KEY + ")");
            }
            try {
                return migrateLocked(c, known);
            } finally {
                try (Statement s = c.createStatement()) {
                    c.setAutoCommit(true);
                    s.execute("SELECT pg_advisory_unlock(" + LOCK_KEY + ")");
                } catch (SQLException e) {
                    LOG.warn("Could not release the schema migration lock (closing the connection releases it)", e);
                }
            }
        } catch (SQLException e) {
            throw new MigrationException("Schema migration failed: " + e.getMessage(), e);
        }
    }

    private static List<Integer> migrateLocked(Connection c, List<Migration> known) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version ("
                            + "version integer PRIMARY KEY, "
                            + "description text NOT NULL, "
                            + "checksum text NOT NULL, "
                            + "applied_at timestamptz NOT NULL DEFAULT now())");
        }
        Map<Integer, String> applied = new TreeMap<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT version, checksum FROM schema_version ORDER BY version")) {
            while (rs.next()) {
                applied.put(rs.getInt(1), rs.getString(2));
            }
        }
        List<Migration> pending = validate(known, applied);

        List<Integer> done = new ArrayList<>();
        for (Migration m : pending) {
            c.setAutoCommit(false);
            try {
                try (Statement s = c.createStatement()) {
                    s.execute(m.sql());
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO schema_version (version, description, checksum, applied_at) "
                                + "VALUES (?, ?, ?, now())")) {
                    ps.setInt(1, m.version());
                    ps.setString(2, m.description());
                    ps.setString(3, m.checksum());
                    ps.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw new MigrationException(
                        "Migration " + m.fileName() + " failed and was rolled back: " + e.getMessage(), e);
            } finally {
                c.setAutoCommit(true);
            }
            LOG.info("Applied schema migration {}", m.fileName());
            done.add(m.version());
        }
        return done;
    }

    /** Checks the applied versions against the known files; returns the files still to apply, in order. */
    static List<Migration> validate(List<Migration> known, Map<Integer, String> applied) {
        Map<Integer, Migration> byVersion = new TreeMap<>();
        for (Migration m : known) {
            byVersion.put(m.version(), m);
        }
        int maxKnown = known.isEmpty() ? 0 : known.get(known.size() - 1).version();
        int maxApplied = 0;
        for (Map.Entry<Integer, String> e : applied.entrySet()) {
            int v = e.getKey();
            maxApplied = Math.max(maxApplied, v);
            Migration m = byVersion.get(v);
            if (m == null) {
                if (v > maxKnown) {
                    LOG.warn("Schema version {} was applied by a newer release; this one knows up to {}", v, maxKnown);
                    continue;
                }
                throw new MigrationException("Schema version " + v + " is applied in the database but missing from "
                        + "this release's migration index");
            }
            if (!m.checksum().equals(e.getValue())) {
                throw new MigrationException("Checksum mismatch for applied migration " + m.fileName()
                        + ": database has " + e.getValue() + ", file has " + m.checksum()
                        + ". Released migrations must never be edited; add a new V<n>__*.sql instead.");
            }
        }
        List<Migration> pending = new ArrayList<>();
        for (Migration m : known) {
            if (applied.containsKey(m.version())) {
                continue;
            }
            if (m.version() < maxApplied) {
                throw new MigrationException("Migration " + m.fileName() + " is older than the newest applied version "
                        + maxApplied + " but was never applied (out of order)");
            }
            pending.add(m);
        }
        return pending;
    }

    /** Reads {@code <location>/index.txt} and the files it lists. */
    static List<Migration> load(String location, ClassLoader loader) {
        String index = read(loader, location + "/index.txt");
        TreeMap<Integer, Migration> byVersion = new TreeMap<>();
        for (String line : index.split("\n")) {
            String name = line.strip();
            if (name.isEmpty() || name.startsWith("#")) {
                continue;
            }
            Matcher matcher = FILE_NAME.matcher(name);
            if (!matcher.matches()) {
                throw new MigrationException("Bad migration file name in " + location + "/index.txt: '" + name
                        + "' (expected V<n>__<description>.sql)");
            }
            int version = Integer.parseInt(matcher.group(1));
            String sql = read(loader, location + "/" + name);
            Migration m = new Migration(version, matcher.group(2).replace('_', ' '), name, sql, checksum(sql));
            Migration previous = byVersion.put(version, m);
            if (previous != null) {
                throw new MigrationException(
                        "Two migrations with version " + version + ": " + previous.fileName() + " and " + name);
            }
        }
        return List.copyOf(byVersion.values());
    }

    /** SHA-256 (hex) of the text with CRLF/CR normalized to LF, so a checkout's line endings do not matter. */
    static String checksum(String sql) {
        String normalized = sql.replace("\r\n", "\n").replace('\r', '\n');
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(normalized.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(ClassLoader loader, String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new MigrationException("Migration resource not found on the classpath: " + resource);
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (IOException e) {
            throw new MigrationException("Cannot read " + resource, e);
        }
    }
}
