package io.journeycep.sinks.jdbc;

import io.journeycep.sinks.Alert;
import io.journeycep.sinks.DriftStat;
import io.journeycep.sinks.RejectedEvent;
import io.journeycep.sinks.SegmentChange;
import io.journeycep.sinks.TransitionCount;
import io.journeycep.sinks.WithheldCount;
import io.journeycep.sinks.json.OutputJson;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;

/**
 * JDBC (PostgreSQL) sinks for the output records (DESIGN §4), built on the Sink V2 {@link JdbcSink} of
 * flink-connector-jdbc-core.
 *
 * <p>Delivery is at-least-once (batches are flushed on every checkpoint and retried on failure), and every statement
 * is idempotent ({@code INSERT ... ON CONFLICT DO NOTHING} on a deterministic key, upserts of absolute values, or, for
 * segment membership, guarded upserts and deletes; see {@link #segmentChanges}), so a restart from a checkpoint that
 * replays records neither loses nor doubles a row. The tables must exist: run {@link SchemaMigrator} first. Each
 * sink is a {@link FailoverSafeJdbcSink}, so a database outage restarts the job instead of killing the TaskManager.
 */
public final class JdbcSinks {
    static final String DRIVER = "org.postgresql.Driver";

    static final String INSERT_ALERT =
            "INSERT INTO alerts (alert_id, kind, rule_id, rule_version, subject_key, score, threshold, "
                    + "window_start, window_end, evidence, event_time, detected_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?) "
                    + "ON CONFLICT (alert_id) DO NOTHING";

    static final String INSERT_REJECTED =
            "INSERT INTO rejected_events (source, position, reason, detail, raw, received_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?) "
                    + "ON CONFLICT (source, position) DO NOTHING";

    /** Absolute values from the drift detector's state: a repeat of a bucket overwrites it with the same values. */
    static final String UPSERT_DRIFT_STAT =
            "INSERT INTO drift_stats (metric, bucket_start, value, mean, stddev, statistic) "
                    + "VALUES (?, ?, ?, ?, ?, ?) "
                    + "ON CONFLICT (metric, bucket_start) DO UPDATE SET value = EXCLUDED.value, "
                    + "mean = EXCLUDED.mean, stddev = EXCLUDED.stddev, statistic = EXCLUDED.statistic";

    /** Absolute counts from state: the upsert sets the count, it never adds to it (DESIGN §4). */
    static final String UPSERT_TRANSITION =
            "INSERT INTO journey_transitions (from_state, to_state, count, updated_at) "
                    + "VALUES (?, ?, ?, ?) "
                    + "ON CONFLICT (from_state, to_state) DO UPDATE SET count = EXCLUDED.count, "
                    + "updated_at = EXCLUDED.updated_at";

    /** Absolute counts of withheld triggers from state: the upsert sets the count, it never adds to it. */
    static final String UPSERT_WITHHELD =
            "INSERT INTO triggers_withheld (kind, day, withheld, updated_at) "
                    + "VALUES (?, ?, ?, ?) "
                    + "ON CONFLICT (kind, day) DO UPDATE SET withheld = EXCLUDED.withheld, "
                    + "updated_at = EXCLUDED.updated_at";

    /**
     * One segment change, in one statement: its {@code segment_changes} row (insert, first write of a {@code
     * change_id} wins) and its effect on {@code segment_membership}:
     *
     * <ul>
     *   <li>ENTER upserts the user's row, unless the row holds a newer membership ({@code entered_at} later than this
     *       one's) or an EXIT of this or a later membership is already in {@code segment_changes} (the membership this
     *       ENTER opened is over; writing it again would resurrect it);
     *   <li>EXIT deletes the row only if its {@code entered_at} is the one this EXIT closes, so it never removes a
     *       newer membership.
     * </ul>
     *
     * The statement's parts see the table as it was before it (PostgreSQL runs a data-modifying WITH on one
     * snapshot), which is what the ENTER guard wants: it looks for earlier EXITs only. Parameters, in order: change_id,
     * user_id, segment, action, reason, rule_version, event_time, entered_at, detected_at.
     */
    static final String WRITE_SEGMENT_CHANGE =
            "WITH c AS (SELECT ?::text AS change_id, ?::text AS user_id, ?::text AS segment, ?::text AS action, "
                    + "?::text AS reason, ?::integer AS rule_version, ?::timestamptz AS event_time, "
                    + "?::timestamptz AS entered_at, ?::timestamptz AS detected_at), "
                    + "logged AS (INSERT INTO segment_changes (change_id, user_id, segment, action, reason, "
                    + "rule_version, event_time, entered_at, detected_at) "
                    + "SELECT change_id, user_id, segment, action, reason, rule_version, event_time, entered_at, "
                    + "detected_at FROM c ON CONFLICT (change_id) DO NOTHING), "
                    + "exited AS (DELETE FROM segment_membership m USING c WHERE c.action = 'EXIT' "
                    + "AND m.user_id = c.user_id AND m.segment = c.segment AND m.entered_at = c.entered_at) "
                    + "INSERT INTO segment_membership (user_id, segment, entered_at, reason, rule_version) "
                    + "SELECT user_id, segment, entered_at, reason, rule_version FROM c WHERE c.action = 'ENTER' "
                    + "AND NOT EXISTS (SELECT 1 FROM segment_changes x WHERE x.action = 'EXIT' "
                    + "AND x.user_id = c.user_id AND x.segment = c.segment AND x.entered_at >= c.entered_at) "
                    + "ON CONFLICT (user_id, segment) DO UPDATE SET entered_at = EXCLUDED.entered_at, "
                    + "reason = EXCLUDED.reason, rule_version = EXCLUDED.rule_version "
                    + "WHERE segment_membership.entered_at <= EXCLUDED.entered_at";

    private JdbcSinks() {}

    /** Alerts into {@code alerts}; the first write of an {@code alert_id} wins, repeats are ignored. */
    public static Sink<Alert> alerts(JdbcSettings settings) {
        return new FailoverSafeJdbcSink<>(JdbcSink.<Alert>builder()
                .withQueryStatement(INSERT_ALERT, JdbcSinks::bindAlert)
                .withExecutionOptions(executionOptions(settings))
                .buildAtLeastOnce(connectionOptions(settings)));
    }

    /** Rejected records into {@code rejected_events}; keyed by {@code (source, position)}, repeats are ignored. */
    public static Sink<RejectedEvent> rejectedEvents(JdbcSettings settings) {
        return new FailoverSafeJdbcSink<>(JdbcSink.<RejectedEvent>builder()
                .withQueryStatement(INSERT_REJECTED, JdbcSinks::bindRejected)
                .withExecutionOptions(executionOptions(settings))
                .buildAtLeastOnce(connectionOptions(settings)));
    }

    /** Drift statistics into {@code drift_stats}, upserted on {@code (metric, bucket_start)} (idempotent). */
    public static Sink<DriftStat> driftStats(JdbcSettings settings) {
        return new FailoverSafeJdbcSink<>(JdbcSink.<DriftStat>builder()
                .withQueryStatement(UPSERT_DRIFT_STAT, JdbcSinks::bindDriftStat)
                .withExecutionOptions(executionOptions(settings))
                .buildAtLeastOnce(connectionOptions(settings)));
    }

    /**
     * Markov transition counts into {@code journey_transitions}: upserts of absolute counts. The job sends a
     * {@code (from, to)} pair's updates from one subtask in order (the counter is keyed by from-state and this sink is
     * chained to it), so the last write is the newest count.
     */
    public static Sink<TransitionCount> transitions(JdbcSettings settings) {
        return new FailoverSafeJdbcSink<>(JdbcSink.<TransitionCount>builder()
                .withQueryStatement(UPSERT_TRANSITION, JdbcSinks::bindTransition)
                .withExecutionOptions(executionOptions(settings))
                .buildAtLeastOnce(connectionOptions(settings)));
    }

    /**
     * Counts of the triggers withheld for consent into {@code triggers_withheld}: upserts of absolute counts per kind
     * and day. The job sends a {@code (kind, day)}'s updates from one subtask in order (the counter is keyed by kind
     * and day and this sink is chained to it), so the last write is the newest count.
     */
    public static Sink<WithheldCount> triggersWithheld(JdbcSettings settings) {
        return new FailoverSafeJdbcSink<>(JdbcSink.<WithheldCount>builder()
                .withQueryStatement(UPSERT_WITHHELD, JdbcSinks::bindWithheld)
                .withExecutionOptions(executionOptions(settings))
                .buildAtLeastOnce(connectionOptions(settings)));
    }

    /**
     * Segment changes into {@code segment_changes} (the history) and {@code segment_membership} (the current
     * members), both from {@link #WRITE_SEGMENT_CHANGE}, one statement per change.
     *
     * <p><b>Why one sink and one statement.</b> The membership part needs the history: a replayed ENTER must not
     * bring back a membership whose EXIT is already written, and only {@code segment_changes} knows that. With two
     * sinks (history, membership) the membership sink could run ahead of the history sink after a restart and
     * resurrect a closed membership; and one JDBC sink has one statement per record, so an upsert for ENTER and a
     * delete for EXIT must be one statement anyway. A data-modifying CTE does all three in order, in one batch and
     * transaction, so the two tables never disagree about what was written.
     *
     * <p><b>Ordering and replays.</b> This needs a user's changes in order, which the job gives: the segment engine is
     * keyed by user and this sink takes its output without a shuffle, so one subtask writes a user's changes in
     * order, and batches go out in order. Delivery is at-least-once, so after a restart the changes since the last
     * checkpoint are written again, in the same order, over tables that may already hold them and later ones. Each
     * repeat is harmless: the history row exists (DO NOTHING); an old EXIT matches no row unless its membership is
     * still the current one; an old ENTER is skipped once any EXIT of it (or of a later membership) is logged, and
     * never overwrites a newer {@code entered_at}. So a replay neither removes a newer membership nor resurrects an
     * old one, and writing the same changes twice leaves the same tables.
     */
    public static Sink<SegmentChange> segmentChanges(JdbcSettings settings) {
        return new FailoverSafeJdbcSink<>(JdbcSink.<SegmentChange>builder()
                .withQueryStatement(WRITE_SEGMENT_CHANGE, JdbcSinks::bindSegmentChange)
                .withExecutionOptions(executionOptions(settings))
                .buildAtLeastOnce(connectionOptions(settings)));
    }

    /**
     * The erasure step (README "Privacy"): deletes each request's user key's rows from segment_membership,
     * segment_changes and alerts and logs the request in erasure_log, after the checkpoint it arrived in (see {@link
     * JdbcErasureSink}).
     */
    public static Sink<io.journeycep.sinks.ErasureRequest> erasures(JdbcSettings settings) {
        return new JdbcErasureSink(settings);
    }

    static void bindSegmentChange(PreparedStatement ps, SegmentChange c) throws SQLException {
        ps.setString(1, OutputJson.changeId(c));
        ps.setString(2, text(c.userId));
        ps.setString(3, text(c.segment));
        ps.setString(4, c.action == null ? null : c.action.name());
        ps.setString(5, text(c.reason));
        ps.setInt(6, c.ruleVersion);
        setTime(ps, 7, c.eventTime);
        setTime(ps, 8, c.enteredAt);
        setTime(ps, 9, c.detectedAt);
    }

    static void bindDriftStat(PreparedStatement ps, DriftStat d) throws SQLException {
        ps.setString(1, text(d.metric));
        setTime(ps, 2, d.bucketStart);
        setDouble(ps, 3, d.value);
        setDouble(ps, 4, d.mean);
        setDouble(ps, 5, d.stddev);
        setDouble(ps, 6, d.statistic);
    }

    static void bindTransition(PreparedStatement ps, TransitionCount t) throws SQLException {
        ps.setString(1, text(t.fromState));
        ps.setString(2, text(t.toState));
        ps.setLong(3, t.count);
        setTime(ps, 4, t.updatedAt);
    }

    static void bindWithheld(PreparedStatement ps, WithheldCount w) throws SQLException {
        ps.setString(1, text(w.kind));
        ps.setObject(2, LocalDate.ofEpochDay(w.day), Types.DATE);
        ps.setLong(3, w.withheld);
        setTime(ps, 4, w.updatedAt);
    }

    static void bindAlert(PreparedStatement ps, Alert a) throws SQLException {
        ps.setString(1, OutputJson.alertId(a));
        ps.setString(2, a.kind == null ? null : a.kind.name());
        ps.setString(3, text(a.ruleId));
        ps.setInt(4, a.ruleVersion);
        ps.setString(5, text(a.subjectKey));
        setDouble(ps, 6, a.score);
        setDouble(ps, 7, a.threshold);
        setTime(ps, 8, a.windowStart);
        setTime(ps, 9, a.windowEnd);
        ps.setString(10, OutputJson.evidenceForJsonb(a));
        setTime(ps, 11, a.eventTime);
        setTime(ps, 12, a.detectedAt);
    }

    static void bindRejected(PreparedStatement ps, RejectedEvent r) throws SQLException {
        ps.setString(1, text(r.source));
        ps.setLong(2, r.position);
        ps.setString(3, text(r.reason));
        ps.setString(4, text(r.detail));
        ps.setBytes(5, r.raw);
        setTime(ps, 6, r.receivedAt);
    }

    /** PostgreSQL text cannot hold NUL; detail and keys may quote bad input, so NULs become U+FFFD. */
    private static String text(String s) {
        return OutputJson.withoutNul(s);
    }

    /** Non-finite values are stored as NULL, as in the JSON output. */
    private static void setDouble(PreparedStatement ps, int i, double v) throws SQLException {
        if (Double.isFinite(v)) {
            ps.setDouble(i, v);
        } else {
            ps.setNull(i, Types.DOUBLE);
        }
    }

    private static void setTime(PreparedStatement ps, int i, long epochMs) throws SQLException {
        ps.setObject(
                i,
                OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMs), ZoneOffset.UTC),
                Types.TIMESTAMP_WITH_TIMEZONE);
    }

    static JdbcExecutionOptions executionOptions(JdbcSettings s) {
        return JdbcExecutionOptions.builder()
                .withBatchSize(s.batchSize())
                .withBatchIntervalMs(s.batchIntervalMs())
                .withMaxRetries(s.maxRetries())
                .build();
    }

    static JdbcConnectionOptions connectionOptions(JdbcSettings s) {
        JdbcConnectionOptions.JdbcConnectionOptionsBuilder b =
                new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                        .withUrl(s.url())
                        .withDriverName(DRIVER);
        if (s.user() != null) {
            b.withUsername(s.user());
        }
        if (s.password() != null) {
            b.withPassword(s.password());
        }
        return b.build();
    }
}
