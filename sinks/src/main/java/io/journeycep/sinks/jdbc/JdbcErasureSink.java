package io.journeycep.sinks.jdbc;

import io.journeycep.sinks.ErasureRequest;

import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The erasure step of the JDBC outputs (README "Privacy"): deletes a user key's rows from {@code segment_membership},
 * {@code segment_changes} ({@code user_id}) and {@code alerts} (the user's alerts by {@code subject_key}; not a
 * device's, IP's, card's or metric's that happens to have the same text) and logs the request in {@code erasure_log}
 * by id and hash, in one transaction per commit.
 *
 * <p><b>Ordered after the rows it deletes.</b> The writer only collects requests; the deletes run in the committer,
 * which Flink calls once the checkpoint the request arrived before has completed. The request comes from the same
 * erasure marker that made every stage delete the user's state, and with aligned checkpoints (the job's) every row a
 * stage emitted about that user before the marker reached it is before the same barrier, so the other JDBC sinks have
 * flushed it (they flush on every checkpoint) before the delete runs; after the marker the stages emit nothing about
 * the user. This needs checkpointing (the job's {@code runtime.checkpoint-interval}); with it off, a bounded run
 * commits at its end, and nothing orders that against the other sinks' final flush.
 *
 * <p>Idempotent: deletes by key, and the log row is upserted ({@code executed_at} the latest execution), so a commit
 * retried after a restart, or a request read again, does no harm. A failing commit fails the job, which retries it
 * from the checkpoint. Log lines name the request's id and hash, never the key.
 */
public final class JdbcErasureSink implements Sink<ErasureRequest>, SupportsCommitter<ErasureRequest> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(JdbcErasureSink.class);

    static final String DELETE_MEMBERSHIP = "DELETE FROM segment_membership WHERE user_id = ?";
    static final String DELETE_CHANGES = "DELETE FROM segment_changes WHERE user_id = ?";
    /**
     * The user's alerts: the subject of a DRIFT alert is a metric, and of a VELOCITY alert on another dimension than
     * the user a device, IP or card, whose text may equal a user key without being that user's.
     */
    static final String DELETE_ALERTS = "DELETE FROM alerts WHERE subject_key = ? AND kind <> 'DRIFT'"
            + " AND (kind <> 'VELOCITY' OR evidence->>'dimension' = 'user')";
    static final String LOG_ERASURE =
            "INSERT INTO erasure_log (erasure_id, user_hash, requested_at, executed_at) VALUES (?, ?, ?, ?) "
                    + "ON CONFLICT (erasure_id) DO UPDATE SET "
                    + "executed_at = GREATEST(erasure_log.executed_at, EXCLUDED.executed_at)";

    private final JdbcSettings settings;

    JdbcErasureSink(JdbcSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public SinkWriter<ErasureRequest> createWriter(WriterInitContext context) {
        return new Writer();
    }

    @Override
    public Committer<ErasureRequest> createCommitter(CommitterInitContext context) {
        return new DeletingCommitter(settings);
    }

    @Override
    public SimpleVersionedSerializer<ErasureRequest> getCommittableSerializer() {
        return new RequestSerializer();
    }

    /** Collects the requests until the checkpoint; they are committed after it completes. */
    private static final class Writer implements CommittingSinkWriter<ErasureRequest, ErasureRequest> {
        private List<ErasureRequest> requests = new ArrayList<>();

        @Override
        public void write(ErasureRequest r, Context context) {
            requests.add(r);
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public Collection<ErasureRequest> prepareCommit() {
            List<ErasureRequest> out = requests;
            requests = new ArrayList<>();
            return out;
        }

        @Override
        public void close() {}
    }

    /** Runs the deletes and the log upsert; see the class comment. */
    static final class DeletingCommitter implements Committer<ErasureRequest> {
        private final JdbcSettings settings;

        DeletingCommitter(JdbcSettings settings) {
            this.settings = settings;
        }

        @Override
        public void commit(Collection<CommitRequest<ErasureRequest>> requests) throws IOException {
            if (requests.isEmpty()) {
                return;
            }
            List<ErasureRequest> all = new ArrayList<>();
            requests.forEach(r -> all.add(r.getCommittable()));
            try {
                execute(settings, all, System.currentTimeMillis());
            } catch (SQLException e) {
                // the message names the statement's problem; never the key (the statements are parameterized)
                throw new IOException("erasure commit failed for " + all + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {}
    }

    /** Deletes and logs every request in one transaction; public to the package for the integration test. */
    static void execute(JdbcSettings settings, List<ErasureRequest> requests, long now) throws SQLException {
        java.util.Properties props = new java.util.Properties();
        if (settings.user() != null) {
            props.setProperty("user", settings.user());
        }
        if (settings.password() != null) {
            props.setProperty("password", settings.password());
        }
        try (Connection c = DriverManager.getConnection(settings.url(), props)) {
            c.setAutoCommit(false);
            try (PreparedStatement membership = c.prepareStatement(DELETE_MEMBERSHIP);
                    PreparedStatement changes = c.prepareStatement(DELETE_CHANGES);
                    PreparedStatement alerts = c.prepareStatement(DELETE_ALERTS);
                    PreparedStatement log = c.prepareStatement(LOG_ERASURE)) {
                for (ErasureRequest r : requests) {
                    int[] n = new int[3];
                    PreparedStatement[] deletes = {membership, changes, alerts};
                    for (int i = 0; i < deletes.length; i++) {
                        deletes[i].setString(1, r.userKey);
                        n[i] = deletes[i].executeUpdate();
                    }
                    log.setString(1, r.erasureId);
                    log.setString(2, r.userHash);
                    log.setObject(3, time(r.requestedAt), Types.TIMESTAMP_WITH_TIMEZONE);
                    log.setObject(4, time(now), Types.TIMESTAMP_WITH_TIMEZONE);
                    log.executeUpdate();
                    LOG.info("erasure {} of user {}: deleted {} segment_membership, {} segment_changes and {} alerts"
                            + " rows", r.erasureId, r.userHash, n[0], n[1], n[2]);
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static OffsetDateTime time(long epochMs) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMs), ZoneOffset.UTC);
    }

    /** Version 1: id, hash, requested-at, key. */
    static final class RequestSerializer implements SimpleVersionedSerializer<ErasureRequest> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(ErasureRequest r) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeUTF(r.erasureId);
                out.writeUTF(r.userHash);
                out.writeLong(r.requestedAt);
                out.writeUTF(r.userKey);
            }
            return bytes.toByteArray();
        }

        @Override
        public ErasureRequest deserialize(int version, byte[] serialized) throws IOException {
            if (version != 1) {
                throw new IOException("unknown erasure request version " + version);
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
                return ErasureRequest.of(in.readUTF(), in.readUTF(), in.readLong(), in.readUTF());
            }
        }
    }
}
