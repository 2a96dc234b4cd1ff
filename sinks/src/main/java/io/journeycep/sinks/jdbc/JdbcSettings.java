package io.journeycep.sinks.jdbc;

import java.io.Serializable;
import java.util.Objects;

/**
 * Where and how the JDBC sinks write. Immutable; {@code with*} return a copy. {@link #toString()} never shows the
 * password (it travels inside the job graph, so it is serialized, but it must not reach logs).
 */
public final class JdbcSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_BATCH_SIZE = 500;
    public static final long DEFAULT_BATCH_INTERVAL_MS = 1000L;
    public static final int DEFAULT_MAX_RETRIES = 5;

    private final String url;
    private final String user;
    private final String password;
    private final int batchSize;
    private final long batchIntervalMs;
    private final int maxRetries;

    public JdbcSettings(String url, String user, String password) {
        this(url, user, password, DEFAULT_BATCH_SIZE, DEFAULT_BATCH_INTERVAL_MS, DEFAULT_MAX_RETRIES);
    }

    public JdbcSettings(
            String url, String user, String password, int batchSize, long batchIntervalMs, int maxRetries) {
        this.url = Objects.requireNonNull(url, "url");
        this.user = user;
        this.password = password;
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1: " + batchSize);
        }
        if (batchIntervalMs < 0) {
            throw new IllegalArgumentException("batchIntervalMs must be >= 0: " + batchIntervalMs);
        }
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0: " + maxRetries);
        }
        this.batchSize = batchSize;
        this.batchIntervalMs = batchIntervalMs;
        this.maxRetries = maxRetries;
    }

    public static JdbcSettings of(String url, String user, String password) {
        return new JdbcSettings(url, user, password);
    }

    public String url() {
        return url;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** Rows per batch before a flush. */
    public int batchSize() {
        return batchSize;
    }

    /** Longest time a row waits in a batch (0: only size and checkpoints flush). */
    public long batchIntervalMs() {
        return batchIntervalMs;
    }

    /** Retries of a failed batch (safe: every statement is idempotent). */
    public int maxRetries() {
        return maxRetries;
    }

    public JdbcSettings withBatchSize(int n) {
        return new JdbcSettings(url, user, password, n, batchIntervalMs, maxRetries);
    }

    public JdbcSettings withBatchIntervalMs(long ms) {
        return new JdbcSettings(url, user, password, batchSize, ms, maxRetries);
    }

    public JdbcSettings withMaxRetries(int n) {
        return new JdbcSettings(url, user, password, batchSize, batchIntervalMs, n);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof JdbcSettings)) {
            return false;
        }
        JdbcSettings that = (JdbcSettings) o;
        return batchSize == that.batchSize
                && batchIntervalMs == that.batchIntervalMs
                && maxRetries == that.maxRetries
                && url.equals(that.url)
                && Objects.equals(user, that.user)
                && Objects.equals(password, that.password);
    }

    @Override
    public int hashCode() {
        return Objects.hash(url, user, batchSize, batchIntervalMs, maxRetries);
    }

    /** Shows whether a password is set, never the password; the URL is shown without its query string. */
    @Override
    public String toString() {
        return "JdbcSettings{url=" + redactUrl(url) + ", user=" + user
                + ", password=" + (password == null || password.isEmpty() ? "<none>" : "****")
                + ", batchSize=" + batchSize + ", batchIntervalMs=" + batchIntervalMs
                + ", maxRetries=" + maxRetries + '}';
    }

    /** A JDBC URL may carry {@code ?password=...}: everything after {@code ?} or {@code ;} is hidden. */
    static String redactUrl(String url) {
        int cut = url.length();
        for (char c : new char[] {'?', ';'}) {
            int i = url.indexOf(c);
            if (i >= 0) {
                cut = Math.min(cut, i);
            }
        }
        return cut == url.length() ? url : url.substring(0, cut) + "?****";
    }
}
