package io.journeycep.pipeline.report;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the report's data from the job's PostgreSQL tables (schema V1–V4): {@code journey_transitions},
 * {@code segment_membership}, {@code segment_changes}, {@code alerts} and {@code triggers_withheld}. Only reads; the
 * time window ({@code since}, {@code until}, both inclusive, either may be null) applies to the event times of alerts
 * and segment changes, and for the share withheld (counted per day) to the whole UTC days it touches; the transition
 * counts and current members have no time and are shown whole.
 */
public final class ReportRepository {
    /** How many velocity rules the report lists. */
    public static final int TOP_RULES = 10;

    private final Connection connection;

    public ReportRepository(Connection connection) {
        this.connection = connection;
    }

    public ReportData load(Instant since, Instant until, Instant now) throws SQLException {
        Instant[] span = span(since, until);
        Bucket bucket = Bucket.forSpan(span[0], span[1]);
        return new ReportData(now, since, until, bucket, transitions(), segmentSizes(),
                segmentChanges(bucket, since, until), netChangeAfter(until), alertCounts(bucket, since, until),
                velocityRules(since, until), withheld(since, until));
    }

    List<ReportData.Transition> transitions() throws SQLException {
        List<ReportData.Transition> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT from_state, to_state, count FROM journey_transitions ORDER BY from_state, to_state");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new ReportData.Transition(rs.getString(1), rs.getString(2), rs.getLong(3)));
            }
        }
        return out;
    }

    Map<String, Long> segmentSizes() throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT segment, count(*) FROM segment_membership GROUP BY segment ORDER BY count(*) DESC, segment");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    /** The first and last event time of alerts and segment changes in the window (nulls when there are none). */
    Instant[] span(Instant since, Instant until) throws SQLException {
        String where = window(since, until);
        String sql = "SELECT min(t), max(t) FROM (SELECT event_time AS t FROM alerts" + where
                + " UNION ALL SELECT event_time FROM segment_changes" + where + ") s";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            int i = bind(ps, 1, since, until);
            bind(ps, i, since, until);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Instant[] {instant(rs, 1), instant(rs, 2)};
            }
        }
    }

    List<ReportData.SegmentChangeCount> segmentChanges(Bucket bucket, Instant since, Instant until)
            throws SQLException {
        String sql = "SELECT date_trunc('" + bucket.sqlUnit + "', event_time AT TIME ZONE 'UTC') AS b, segment,"
                + " count(*) FILTER (WHERE action = 'ENTER'), count(*) FILTER (WHERE action = 'EXIT')"
                + " FROM segment_changes" + window(since, until) + " GROUP BY 1, 2 ORDER BY 1, 2";
        List<ReportData.SegmentChangeCount> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            bind(ps, 1, since, until);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ReportData.SegmentChangeCount(bucketStart(rs, 1), rs.getString(2), rs.getLong(3),
                            rs.getLong(4)));
                }
            }
        }
        return out;
    }

    Map<String, Long> netChangeAfter(Instant until) throws SQLException {
        Map<String, Long> out = new TreeMap<>();
        if (until == null) {
            return out;
        }
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT segment, sum(CASE WHEN action = 'ENTER' THEN 1 ELSE -1 END) FROM segment_changes"
                        + " WHERE event_time > ? GROUP BY segment")) {
            ps.setObject(1, utc(until));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return out;
    }

    List<ReportData.AlertCount> alertCounts(Bucket bucket, Instant since, Instant until) throws SQLException {
        String sql = "SELECT date_trunc('" + bucket.sqlUnit + "', event_time AT TIME ZONE 'UTC') AS b, kind, count(*)"
                + " FROM alerts" + window(since, until) + " GROUP BY 1, 2 ORDER BY 1, 2";
        List<ReportData.AlertCount> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            bind(ps, 1, since, until);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ReportData.AlertCount(bucketStart(rs, 1), rs.getString(2), rs.getLong(3)));
                }
            }
        }
        return out;
    }

    /** Velocity alerts per rule ({@code alerts.rule_id}), most first, at most {@link #TOP_RULES}. */
    List<ReportData.RuleCount> velocityRules(Instant since, Instant until) throws SQLException {
        String where = window(since, until);
        String sql = "SELECT coalesce(rule_id, '(no rule id)'), count(*), count(DISTINCT subject_key), max(event_time)"
                + " FROM alerts" + where + (where.isEmpty() ? " WHERE" : " AND") + " kind = 'VELOCITY'"
                + " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT " + TOP_RULES;
        List<ReportData.RuleCount> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            bind(ps, 1, since, until);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ReportData.RuleCount(rs.getString(1), rs.getLong(2), rs.getLong(3), instant(rs, 4)));
                }
            }
        }
        return out;
    }

    /**
     * Per kind in {@code triggers_withheld} on the UTC days from {@code since}'s to {@code until}'s: the triggers
     * withheld and those sent on the same days (alerts of the kind; for {@code SEGMENT_ENTER:<segment>}, the segment's
     * ENTERs). Empty when the table is missing (a database the job has not migrated to V4 yet).
     */
    List<ReportData.Withheld> withheld(Instant since, Instant until) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT to_regclass('triggers_withheld') IS NULL");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            if (rs.getBoolean(1)) {
                return List.of();
            }
        }
        String alertDay = "(event_time AT TIME ZONE 'UTC')::date";
        String sql = "WITH w AS (SELECT kind, sum(withheld) AS withheld FROM triggers_withheld"
                + days("day", " WHERE", since, until) + " GROUP BY kind),"
                + " s AS (SELECT kind, count(*) AS sent FROM alerts" + days(alertDay, " WHERE", since, until)
                + " GROUP BY kind UNION ALL SELECT 'SEGMENT_ENTER:' || segment, count(*) FROM segment_changes"
                + " WHERE action = 'ENTER'" + days(alertDay, " AND", since, until) + " GROUP BY segment)"
                + " SELECT w.kind, coalesce(s.sent, 0), w.withheld FROM w LEFT JOIN s ON s.kind = w.kind"
                + " ORDER BY w.withheld DESC, w.kind";
        List<ReportData.Withheld> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            int i = 1;
            for (int part = 0; part < 3; part++) {
                if (since != null) {
                    ps.setObject(i++, utcDay(since));
                }
                if (until != null) {
                    ps.setObject(i++, utcDay(until));
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ReportData.Withheld(rs.getString(1), rs.getLong(2), rs.getLong(3)));
                }
            }
        }
        return out;
    }

    /** {@code column} between the UTC days of {@code since} and {@code until}, after {@code keyword}; or nothing. */
    private static String days(String column, String keyword, Instant since, Instant until) {
        if (since == null && until == null) {
            return "";
        }
        if (since != null && until != null) {
            return keyword + " " + column + " >= ? AND " + column + " <= ?";
        }
        return keyword + " " + column + (since != null ? " >= ?" : " <= ?");
    }

    private static LocalDate utcDay(Instant t) {
        return LocalDate.ofInstant(t, ZoneOffset.UTC);
    }

    private static String window(Instant since, Instant until) {
        if (since == null && until == null) {
            return "";
        }
        if (since != null && until != null) {
            return " WHERE event_time >= ? AND event_time <= ?";
        }
        return since != null ? " WHERE event_time >= ?" : " WHERE event_time <= ?";
    }

    private static int bind(PreparedStatement ps, int index, Instant since, Instant until) throws SQLException {
        int i = index;
        if (since != null) {
            ps.setObject(i++, utc(since));
        }
        if (until != null) {
            ps.setObject(i++, utc(until));
        }
        return i;
    }

    private static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static Instant bucketStart(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, LocalDateTime.class).toInstant(ZoneOffset.UTC);
    }
}
