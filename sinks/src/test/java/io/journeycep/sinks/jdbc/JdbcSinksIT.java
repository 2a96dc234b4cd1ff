package io.journeycep.sinks.jdbc;

import static io.journeycep.sinks.ItSupport.connect;
import static io.journeycep.sinks.ItSupport.pg;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertIds;
import io.journeycep.sinks.AlertKind;
import io.journeycep.sinks.DriftStat;
import io.journeycep.sinks.WithheldCount;
import io.journeycep.sinks.ItSupport;
import io.journeycep.sinks.RejectReason;
import io.journeycep.sinks.RejectedEvent;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A small Flink job writes the same alerts and rejected records twice (twice within one run, then the whole run
 * again, as a replay after a failure would); the tables hold each exactly once with the right columns.
 */
@Timeout(120)
class JdbcSinksIT {
    private static final ObjectMapper M = new ObjectMapper();

    @BeforeAll
    static void schema() {
        SchemaMigrator.migrate(pg().jdbcUrl(), pg().user(), pg().password());
    }

    private static JdbcSettings settings() {
        return JdbcSettings.of(pg().jdbcUrl(), pg().user(), pg().password()).withBatchSize(2).withBatchIntervalMs(200);
    }

    private static Alert alert(String run, AlertKind kind, String key, double score, String... evidence) {
        Alert a = new Alert();
        a.kind = kind;
        a.ruleId = kind.name().toLowerCase() + "-rule";
        a.ruleVersion = 2;
        a.subjectKey = key + "-" + run;
        a.score = score;
        a.threshold = 3.0;
        a.windowStart = 1_795_342_530_120L;
        a.windowEnd = 1_795_344_330_120L;
        a.evidenceEventIds = new ArrayList<>(List.of(evidence));
        a.evidenceJson = "{\"cart_items\":[\"p-7\"],\"note\":\"nul\\u0000here\"}";
        a.eventTime = 1_795_344_330_120L;
        a.detectedAt = 1_795_344_331_000L;
        a.alertId = AlertIds.of(a);
        return a;
    }

    @Test
    void alertsAreWrittenOnceWhateverTheRepeats() throws Exception {
        String run = ItSupport.unique();
        List<Alert> alerts = List.of(
                alert(run, AlertKind.CART_ABANDONED, "u-1", 1.0, "e-1", "e-2"),
                alert(run, AlertKind.VELOCITY, "card-9", 5.0, "e-3", "e-4", "e-5"),
                alert(run, AlertKind.DRIFT, "metric", Double.NaN));
        List<Alert> twice = new ArrayList<>(alerts);
        twice.addAll(alerts);

        for (int attempt = 0; attempt < 2; attempt++) {
            StreamExecutionEnvironment env = ItSupport.miniClusterEnv();
            env.fromData(twice).sinkTo(JdbcSinks.alerts(settings())).name("alerts-jdbc");
            env.execute("jdbc-alerts-" + attempt);
        }

        try (Connection c = connect(pg().jdbcUrl());
                PreparedStatement ps = c.prepareStatement("SELECT alert_id, kind, rule_id, rule_version, subject_key, "
                        + "score, threshold, window_start, window_end, evidence::text, event_time, detected_at "
                        + "FROM alerts WHERE subject_key LIKE ? ORDER BY alert_id")) {
            ps.setString(1, "%-" + run);
            List<String> seen = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    seen.add(id);
                    Alert a = alerts.stream().filter(x -> x.alertId.equals(id)).findFirst().orElseThrow();
                    assertThat(rs.getString(2)).isEqualTo(a.kind.name());
                    assertThat(rs.getString(3)).isEqualTo(a.ruleId);
                    assertThat(rs.getInt(4)).isEqualTo(2);
                    assertThat(rs.getString(5)).isEqualTo(a.subjectKey);
                    if (Double.isNaN(a.score)) {
                        rs.getDouble(6);
                        assertThat(rs.wasNull()).isTrue();
                    } else {
                        assertThat(rs.getDouble(6)).isEqualTo(a.score);
                    }
                    assertThat(rs.getDouble(7)).isEqualTo(3.0);
                    assertThat(millis(rs.getObject(8, OffsetDateTime.class))).isEqualTo(a.windowStart);
                    assertThat(millis(rs.getObject(9, OffsetDateTime.class))).isEqualTo(a.windowEnd);
                    JsonNode ev = M.readTree(rs.getString(10));
                    assertThat(M.convertValue(ev.get("event_ids"), List.class)).isEqualTo(a.evidenceEventIds);
                    assertThat(ev.get("cart_items").get(0).asText()).isEqualTo("p-7");
                    assertThat(ev.get("note").asText()).isEqualTo("nul\uFFFDhere");
                    assertThat(millis(rs.getObject(11, OffsetDateTime.class))).isEqualTo(a.eventTime);
                    assertThat(millis(rs.getObject(12, OffsetDateTime.class))).isEqualTo(a.detectedAt);
                }
            }
            assertThat(seen).containsExactlyInAnyOrderElementsOf(alerts.stream().map(a -> a.alertId).toList());
        }
        // jsonb is queryable: the evidence ids can be searched.
        try (Connection c = connect(pg().jdbcUrl());
                PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*) FROM alerts WHERE subject_key LIKE ? AND evidence->'event_ids' @> '[\"e-4\"]'::jsonb")) {
            ps.setString(1, "%-" + run);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
        }
    }

    @Test
    void rejectedEventsAreWrittenOnceWhateverTheRepeats() throws Exception {
        String source = "kafka:events-" + ItSupport.unique() + "/0";
        byte[] invalidUtf8 = {'{', (byte) 0xC3, (byte) 0x28, 0};
        List<RejectedEvent> rejected = List.of(
                RejectedEvent.of(source, 10, RejectReason.MALFORMED, "unexpected \0 byte", invalidUtf8, 1_000L),
                RejectedEvent.of(source, 11, RejectReason.MISSING_USER, "no userId",
                        "{\"type\":\"track\"}".getBytes(StandardCharsets.UTF_8), 2_000L),
                RejectedEvent.of(source, 12, RejectReason.LATE, null, null, 3_000L));
        List<RejectedEvent> twice = new ArrayList<>(rejected);
        twice.addAll(rejected);

        for (int attempt = 0; attempt < 2; attempt++) {
            StreamExecutionEnvironment env = ItSupport.miniClusterEnv();
            env.fromData(twice).sinkTo(JdbcSinks.rejectedEvents(settings())).name("rejected-jdbc");
            env.execute("jdbc-rejected-" + attempt);
        }

        try (Connection c = connect(pg().jdbcUrl());
                PreparedStatement ps = c.prepareStatement("SELECT position, reason, detail, raw, received_at "
                        + "FROM rejected_events WHERE source = ? ORDER BY position")) {
            ps.setString(1, source);
            try (ResultSet rs = ps.executeQuery()) {
                for (RejectedEvent r : rejected) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).isEqualTo(r.position);
                    assertThat(rs.getString(2)).isEqualTo(r.reason);
                    assertThat(rs.getString(3)).isEqualTo(r.detail == null ? null : r.detail.replace('\0', '\uFFFD'));
                    assertThat(rs.getBytes(4)).isEqualTo(r.raw);
                    assertThat(millis(rs.getObject(5, OffsetDateTime.class))).isEqualTo(r.receivedAt);
                }
                assertThat(rs.next()).isFalse();
            }
        }
    }

    @Test
    void driftStatsAreUpsertedFromState() throws Exception {
        String metric = "rate.view." + ItSupport.unique();
        long b0 = 1_795_344_300_000L;
        List<DriftStat> first = List.of(
                new DriftStat(metric, b0, 100.0, 99.5, 10.0, 0.0),
                new DriftStat(metric, b0 + 60_000, 131.0, 99.5, 10.0, Double.NaN));
        // a replay writes the same buckets again; a later state (here: a changed value) overwrites, never adds
        List<DriftStat> replay = List.of(
                new DriftStat(metric, b0, 100.0, 99.5, 10.0, 0.0),
                new DriftStat(metric, b0 + 60_000, 131.0, 99.5, 10.0, 2.6),
                new DriftStat(metric, b0 + 60_000, 131.0, 99.5, 10.0, 2.6));
        for (List<DriftStat> batch : List.of(first, replay)) {
            StreamExecutionEnvironment env = ItSupport.miniClusterEnv();
            env.fromData(batch).sinkTo(JdbcSinks.driftStats(settings())).name("drift-jdbc");
            env.execute("jdbc-drift");
        }
        try (Connection c = connect(pg().jdbcUrl());
                PreparedStatement ps = c.prepareStatement("SELECT bucket_start, value, mean, stddev, statistic "
                        + "FROM drift_stats WHERE metric = ? ORDER BY bucket_start")) {
            ps.setString(1, metric);
            try (ResultSet rs = ps.executeQuery()) {
                for (DriftStat d : List.of(replay.get(0), replay.get(1))) {
                    assertThat(rs.next()).isTrue();
                    assertThat(millis(rs.getObject(1, OffsetDateTime.class))).isEqualTo(d.bucketStart);
                    assertThat(rs.getDouble(2)).isEqualTo(d.value);
                    assertThat(rs.getDouble(3)).isEqualTo(d.mean);
                    assertThat(rs.getDouble(4)).isEqualTo(d.stddev);
                    assertThat(rs.getDouble(5)).isEqualTo(d.statistic);
                }
                assertThat(rs.next()).isFalse();
            }
        }
    }

    @Test
    void withheldCountsAreUpsertedFromState() throws Exception {
        String kind = "SEGMENT_ENTER:VIP-" + ItSupport.unique();
        long day = 20_000;
        long t = day * 86_400_000L;
        // the counter's rows in order; a replay writes them again: the table holds the last count, never a sum
        List<WithheldCount> rows = List.of(WithheldCount.of(kind, day, 1, t + 1000), WithheldCount.of(kind, day, 2,
                t + 5000), WithheldCount.of(kind, day + 1, 1, t + 86_400_000L));
        for (int i = 0; i < 2; i++) {
            StreamExecutionEnvironment env = ItSupport.miniClusterEnv();
            env.fromData(rows).setParallelism(1).sinkTo(JdbcSinks.triggersWithheld(settings())).name("withheld-jdbc")
                    .setParallelism(1);
            env.execute("jdbc-withheld");
        }
        try (Connection c = connect(pg().jdbcUrl());
                PreparedStatement ps = c.prepareStatement("SELECT day, withheld, updated_at FROM triggers_withheld "
                        + "WHERE kind = ? ORDER BY day")) {
            ps.setString(1, kind);
            try (ResultSet rs = ps.executeQuery()) {
                for (WithheldCount w : List.of(rows.get(1), rows.get(2))) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getObject(1, LocalDate.class)).isEqualTo(LocalDate.ofEpochDay(w.day));
                    assertThat(rs.getLong(2)).isEqualTo(w.withheld);
                    assertThat(millis(rs.getObject(3, OffsetDateTime.class))).isEqualTo(w.updatedAt);
                }
                assertThat(rs.next()).isFalse();
            }
        }
    }

    private static long millis(OffsetDateTime t) {
        return t.toInstant().toEpochMilli();
    }
}
