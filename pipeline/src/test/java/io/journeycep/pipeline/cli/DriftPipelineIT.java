package io.journeycep.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.journeycep.embedded.EmbeddedServices;
import io.journeycep.embedded.SharedServices;
import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.testing.DriftTraffic;
import io.journeycep.pipeline.workflow.JourneyWorkflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * DRIFT through the job as {@code run} builds it ({@link JobRunner}), on the real Kafka broker and PostgreSQL: 45
 * one-second buckets of generated traffic ({@link DriftTraffic}; about 6,000 events) whose view rate doubles from
 * bucket 25 on go to {@code events}; the job runs with drift on (bucket 1 s, warm-up 20) and its Kafka and JDBC
 * outputs. Checked against what the input implies, computed here from the generated events and a reference CUSUM
 * ({@link Reference}, written from README "Drift", independent of the job's classes):
 *
 * <ul>
 *   <li>{@code drift_stats} holds exactly one row per metric and bucket, each with the bucket's value (e.g. the
 *       number of view events in it for {@code rate.view}), the baseline mean and standard deviation it was measured
 *       against and the detector statistic;
 *   <li>the DRIFT alerts in {@code alerts} and on {@code risk.alerts} (read_committed) are exactly the reference's:
 *       {@code rate.view} UP and the implied {@code conversion} DOWN, each once, with the bucket, value, baseline,
 *       EWMA level, statistic and threshold in their evidence;
 *   <li>a replay of the topic (a fresh consumer group) into the same tables rewrites drift_stats rows made stale in
 *       between (upserts of absolute values, no row added) and gives the same alert ids (the alerts table keeps two).
 * </ul>
 *
 * <p>The stream is unbounded, so the buckets close with the watermark: a last "clock" event exactly the allowed
 * out-of-orderness after the last bucket makes the watermark reach the last bucket's last millisecond and no further
 * (no empty buckets are filled after the data; the clock's own bucket never closes). Its own database (the rows are
 * keyed by metric, not by run) and topics, so it shares the broker and the database server with the other ITs.
 */
class DriftPipelineIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long B = 1_000L;
    private static final long T0 = 1_700_000_000_000L;
    private static final int BUCKETS = 45;
    private static final int SHIFT_AT = 25;
    private static final int WARMUP = 20;
    private static final long SEED = 7;
    private static final DriftTraffic TRAFFIC = new DriftTraffic(T0, B, BUCKETS, SHIFT_AT, 60, 120, 30, 15);
    private static final List<String> METRICS =
            List.of("rate.view", "rate.purchase", "rate.cart_add", "conversion", "aov");

    @Test
    void anInjectedLevelShiftGivesDriftStatsRowsAndExactlyTheExpectedDriftAlerts() throws Exception {
        EmbeddedServices services = SharedServices.get();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String in = "events-" + run;
        String risk = "risk.alerts-" + run;
        services.kafka().createTopics(1, in, risk, "journey.triggers-" + run, "events.dlq-" + run,
                "events.late-" + run, "segment.updates-" + run);
        String db = "drift_" + run.replace('-', '_');
        try (Connection c = services.postgres().connect(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        }
        String url = services.postgres().jdbcUrl().replaceFirst("/[^/]+$", "/" + db);

        JobConfig config = new JobConfig();
        config.source.kafka.bootstrapServers = services.kafka().bootstrapServers();
        config.source.kafka.topic = in;
        config.source.kafka.groupId = "it-" + run;
        config.source.kafka.controlTopic = "";
        config.eventTime.idleTimeout = Duration.ofSeconds(1);
        config.eventTime.quietPeriod = null; // event time moves only with the events
        config.velocity.enabled = false;
        config.journeys.enabled = false; // PATH_ANOMALY alerts would share risk.alerts with the DRIFT alerts
        config.drift.enabled = true;
        config.drift.bucket = Duration.ofMillis(B);
        config.drift.warmup = WARMUP;
        config.drift.metrics = new ArrayList<>(List.of("rate", "conversion", "aov"));
        config.outputs.kafka.triggersTopic = "journey.triggers-" + run;
        config.outputs.kafka.riskTopic = risk;
        config.outputs.kafka.deadLetterTopic = "events.dlq-" + run;
        config.outputs.kafka.lateTopic = "events.late-" + run;
        config.outputs.kafka.segmentsTopic = "segment.updates-" + run; // the broker creates no topics itself
        config.outputs.kafka.transactionalIdPrefix = "it-drift-" + run;
        config.outputs.jdbc.url = url;
        config.outputs.jdbc.user = services.postgres().user();
        config.runtime.checkpointInterval = Duration.ofSeconds(1);

        List<DriftTraffic.Event> events = TRAFFIC.events(SEED, run + "-");
        Reference expected = Reference.of(events, config.drift);
        // the seed's shift, as the reference sees it: the doubled view rate at once, the halved conversion later
        assertThat(expected.alerts).extracting(a -> a.metric + " " + a.direction)
                .containsExactly("rate.view UP", "conversion DOWN");
        assertThat(expected.alerts.get(0).bucket).isBetween(SHIFT_AT, SHIFT_AT + 2);
        assertThat(expected.alerts.get(1).bucket).isBetween(SHIFT_AT, BUCKETS - 1);

        try (KafkaProducer<byte[], byte[]> producer = PipelineItSupport.producer(services)) {
            for (DriftTraffic.Event e : events) {
                producer.send(new ProducerRecord<>(in, e.json().getBytes(StandardCharsets.UTF_8)));
            }
            long clock = T0 + BUCKETS * B + config.eventTime.maxOutOfOrderness.toMillis();
            String last = new DriftTraffic.Event(run + "-clock", "view", run + "-clock", clock, null).json();
            producer.send(new ProducerRecord<>(in, last.getBytes(StandardCharsets.UTF_8))).get();
        }

        String jdbcUser = services.postgres().user();
        String jdbcPassword = services.postgres().password();
        JobClient job = start(config, jdbcPassword, "drift pipeline IT " + run);
        List<JsonNode> onKafka;
        try {
            // (a) drift_stats: one row per metric and bucket, equal to what the input implies
            Map<String, Row> rows;
            try (Connection c = DriverManager.getConnection(url, jdbcUser, jdbcPassword);
                    Statement s = c.createStatement()) {
                awaitCount(s, "select count(*) from drift_stats", METRICS.size() * BUCKETS);
                rows = rows(s);
            }
            for (int b = 0; b < BUCKETS; b++) { // the count of view events per bucket is the rate.view value
                final int bucket = b;
                long views = events.stream().filter(e -> e.type().equals("view") && e.bucket(TRAFFIC) == bucket)
                        .count();
                assertThat(rows.get(new Row("rate.view", b, 0, 0, 0, 0).key()).value).isEqualTo(views);
            }
            assertRows(rows, expected);

            // (b) exactly the expected DRIFT alerts on risk.alerts (read_committed) and in the alerts table
            onKafka = PipelineItSupport.readCommitted(services, risk, PipelineItSupport.atLeast(expected.alerts.size()),
                    Duration.ofSeconds(3));
            assertThat(onKafka).hasSize(expected.alerts.size());
            Map<String, JsonNode> byMetric = new LinkedHashMap<>();
            onKafka.forEach(a -> byMetric.put(a.path("subject_key").asText(), a));
            assertThat(byMetric.keySet()).containsExactlyInAnyOrderElementsOf(
                    expected.alerts.stream().map(a -> a.metric).collect(Collectors.toList()));
            for (ExpectedAlert want : expected.alerts) {
                JsonNode a = byMetric.get(want.metric);
                assertThat(a.path("kind").asText()).isEqualTo("DRIFT");
                assertThat(a.path("rule_id").asText()).isEqualTo("drift." + want.metric);
                assertThat(a.path("rule_version").asInt()).isEqualTo(1);
                assertThat(a.path("window_start").asText()).isEqualTo(Instant.ofEpochMilli(T0 + want.bucket * B)
                        .toString());
                assertThat(a.path("window_end").asText()).isEqualTo(Instant.ofEpochMilli(T0 + (want.bucket + 1) * B)
                        .toString());
                assertThat(a.path("score").asDouble()).isCloseTo(want.statistic, within(1e-9));
                assertThat(a.path("threshold").asDouble()).isEqualTo(12.0);
                JsonNode ev = a.path("evidence");
                assertThat(ev.path("event_ids").toString()).isEqualTo(
                        "[\"" + want.metric + "@" + Instant.ofEpochMilli(T0 + want.bucket * B) + "\"]");
                assertEvidence(ev, want);
                // the row of the alert's bucket carries the same baseline and statistic
                Row row = rows.get(new Row(want.metric, want.bucket, 0, 0, 0, 0).key());
                assertThat(row.statistic).isCloseTo(ev.path("statistic").asDouble(), within(1e-9));
                assertThat(row.mean).isCloseTo(ev.path("baseline_mean").asDouble(), within(1e-9));
            }

            String ids = onKafka.stream().map(a -> "'" + a.path("alert_id").asText() + "'")
                    .collect(Collectors.joining(","));
            try (Connection c = DriverManager.getConnection(url, jdbcUser, jdbcPassword);
                    Statement s = c.createStatement()) {
                awaitCount(s, "select count(*) from alerts where alert_id in (" + ids + ")", expected.alerts.size());
                List<String> tableAlerts = new ArrayList<>();
                try (ResultSet rs = s.executeQuery("select kind, rule_id, subject_key, score, threshold,"
                        + " (extract(epoch from window_start) * 1000)::bigint, evidence::text from alerts")) {
                    while (rs.next()) {
                        assertThat(rs.getString(1)).isEqualTo("DRIFT");
                        String metric = rs.getString(3);
                        ExpectedAlert want = expected.alerts.stream().filter(x -> x.metric.equals(metric))
                                .findFirst().orElseThrow(() -> new AssertionError("unexpected alert for " + metric));
                        assertThat(rs.getString(2)).isEqualTo("drift." + metric);
                        assertThat(rs.getDouble(4)).isCloseTo(want.statistic, within(1e-9));
                        assertThat(rs.getDouble(5)).isEqualTo(12.0);
                        assertThat(rs.getLong(6)).isEqualTo(T0 + want.bucket * B);
                        assertEvidence(JSON.readTree(rs.getString(7)), want);
                        tableAlerts.add(metric);
                    }
                }
                assertThat(tableAlerts).as("the alerts table holds exactly the expected DRIFT alerts")
                        .containsExactlyInAnyOrderElementsOf(byMetric.keySet());
            }
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }

        // a replay of the same topic (a fresh consumer group) into the same tables: drift_stats rows are upserts of
        // absolute values (rows made stale here are rewritten, none is added) and the alerts have the same ids
        try (Connection c = DriverManager.getConnection(url, jdbcUser, jdbcPassword);
                Statement s = c.createStatement()) {
            s.executeUpdate("update drift_stats set value = -1, mean = -1, stddev = -1, statistic = -1");
        }
        String risk2 = risk + "-replay";
        services.kafka().createTopics(1, risk2);
        config.source.kafka.groupId = "it-replay-" + run;
        config.outputs.kafka.riskTopic = risk2;
        config.outputs.kafka.transactionalIdPrefix = "it-drift-replay-" + run;
        job = start(config, jdbcPassword, "drift pipeline IT replay " + run);
        try {
            List<JsonNode> again = PipelineItSupport.readCommitted(services, risk2,
                    PipelineItSupport.atLeast(expected.alerts.size()), Duration.ZERO);
            assertThat(again).extracting(a -> a.path("alert_id").asText())
                    .containsExactlyInAnyOrderElementsOf(onKafka.stream().map(a -> a.path("alert_id").asText())
                            .collect(Collectors.toList()));
            try (Connection c = DriverManager.getConnection(url, jdbcUser, jdbcPassword);
                    Statement s = c.createStatement()) {
                awaitCount(s, "select count(*) from drift_stats where value <> -1", METRICS.size() * BUCKETS);
                assertRows(rows(s), expected);
                // the replay's alerts reached PostgreSQL by the checkpoint that committed them to Kafka (the JDBC
                // sink flushes on checkpoints): the same ids inserted nothing
                assertThat(count(s, "select count(*) from alerts")).isEqualTo(expected.alerts.size());
            }
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    /** The job as {@code run} builds it ({@link RunVerb}), started without waiting for it. */
    private static JobClient start(JobConfig config, String jdbcPassword, String name) throws Exception {
        assertThat(config.validate()).isEmpty();
        StreamExecutionEnvironment env = JobRunner.environment(config, new Configuration());
        env.setParallelism(1);
        JourneyWorkflow.define(env, JobRunner.source(config), JobRunner.controlSource(config),
                JobRunner.sinks(config, jdbcPassword), config);
        return env.executeAsync(name);
    }

    /** The drift_stats rows by {@link Row#key()}; fails on a second row of a metric and bucket. */
    private static Map<String, Row> rows(Statement s) throws Exception {
        Map<String, Row> rows = new TreeMap<>();
        try (ResultSet rs = s.executeQuery("select metric, (extract(epoch from bucket_start) * 1000)::bigint,"
                + " value, mean, stddev, statistic from drift_stats")) {
            while (rs.next()) {
                Row r = new Row(rs.getString(1), (int) ((rs.getLong(2) - T0) / B), rs.getDouble(3),
                        rs.getDouble(4), rs.getDouble(5), rs.getDouble(6));
                assertThat(rows.put(r.key(), r)).as("one row per metric and bucket").isNull();
            }
        }
        return rows;
    }

    private static void assertRows(Map<String, Row> rows, Reference expected) {
        assertThat(rows.keySet()).isEqualTo(expected.rows.keySet());
        for (Row want : expected.rows.values()) {
            Row got = rows.get(want.key());
            assertThat(got.value).as("value of %s", want.key()).isCloseTo(want.value, within(1e-9));
            assertThat(got.mean).as("mean of %s", want.key()).isCloseTo(want.mean, within(1e-9));
            assertThat(got.stddev).as("stddev of %s", want.key()).isCloseTo(want.stddev, within(1e-9));
            assertThat(got.statistic).as("statistic of %s", want.key()).isCloseTo(want.statistic, within(1e-9));
        }
    }

    private static long count(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void assertEvidence(JsonNode ev, ExpectedAlert want) {
        assertThat(ev.path("metric").asText()).isEqualTo(want.metric);
        assertThat(ev.path("detector").asText()).isEqualTo("cusum");
        assertThat(ev.path("direction").asText()).isEqualTo(want.direction);
        assertThat(ev.path("bucket_start").asText()).isEqualTo(Instant.ofEpochMilli(T0 + want.bucket * B).toString());
        assertThat(ev.path("value").asDouble()).isCloseTo(want.value, within(1e-9));
        assertThat(ev.path("baseline_mean").asDouble()).isCloseTo(want.mean, within(1e-9));
        assertThat(ev.path("baseline_stddev").asDouble()).isCloseTo(want.stddev, within(1e-9));
        assertThat(ev.path("shift_stddevs").asDouble()).isCloseTo((want.value - want.mean) / want.stddev,
                within(1e-9));
        assertThat(ev.path("ewma").asDouble()).isCloseTo(want.ewma, within(1e-9));
        assertThat(ev.path("statistic").asDouble()).isCloseTo(want.statistic, within(1e-9));
        assertThat(ev.path("statistic").asDouble()).isGreaterThan(ev.path("threshold").asDouble());
        assertThat(ev.path("threshold").asDouble()).isEqualTo(12.0);
        assertThat(ev.path("warmup").asInt()).isEqualTo(WARMUP);
        assertThat(ev.path("series_buckets").asLong()).isEqualTo(want.bucket + 1L);
    }

    /** A drift_stats row; {@code bucket} counts from {@code T0}. */
    record Row(String metric, int bucket, double value, double mean, double stddev, double statistic) {
        String key() {
            return metric + "@" + String.format("%03d", bucket);
        }
    }

    record ExpectedAlert(String metric, int bucket, String direction, double value, double mean, double stddev,
            double statistic, double ewma) {}

    /**
     * What the input implies, from README "Drift" with the config's values: per metric and bucket the value (events
     * of a type; purchases / views; purchase prices / purchases), then per metric a two-sided tabular CUSUM whose
     * baseline is the first {@code warmup} values (Welford mean, sample standard deviation floored at the family's
     * {@code min-stddev} and at 1 % of the mean), refined by every value that does not signal; a signal re-baselines.
     * A row holds the baseline the value was measured against (during warm-up: the baseline learned so far, the value
     * included) and the larger side of the statistic (0 during warm-up); a signalling row the signalling side.
     */
    static final class Reference {
        final Map<String, Row> rows = new TreeMap<>();
        final List<ExpectedAlert> alerts = new ArrayList<>();

        static Reference of(List<DriftTraffic.Event> events, JobConfig.Drift drift) {
            double[] views = new double[BUCKETS];
            double[] purchases = new double[BUCKETS];
            double[] carts = new double[BUCKETS];
            double[] prices = new double[BUCKETS];
            for (DriftTraffic.Event e : events) {
                int b = e.bucket(TRAFFIC);
                switch (e.type()) {
                    case "view" -> views[b]++;
                    case "cart_add" -> carts[b]++;
                    case "purchase" -> {
                        purchases[b]++;
                        prices[b] += e.price();
                    }
                    default -> throw new IllegalStateException(e.type());
                }
            }
            Reference ref = new Reference();
            Map<String, double[]> series = new LinkedHashMap<>();
            series.put("rate.view", views);
            series.put("rate.purchase", purchases);
            series.put("rate.cart_add", carts);
            double[] conversion = new double[BUCKETS];
            double[] aov = new double[BUCKETS];
            for (int b = 0; b < BUCKETS; b++) {
                conversion[b] = purchases[b] / views[b];
                aov[b] = prices[b] / purchases[b];
            }
            series.put("conversion", conversion);
            series.put("aov", aov);
            series.forEach((metric, values) -> ref.cusum(metric, values, drift, floor(metric, drift)));
            ref.alerts.sort((x, y) -> Integer.compare(x.bucket, y.bucket));
            return ref;
        }

        private static double floor(String metric, JobConfig.Drift drift) {
            return metric.startsWith("rate.") ? drift.minStddev.rate
                    : metric.equals("conversion") ? drift.minStddev.conversion : drift.minStddev.aov;
        }

        private void cusum(String metric, double[] values, JobConfig.Drift d, double floor) {
            long n = 0;
            double mean = 0;
            double m2 = 0;
            double sd = 0;
            boolean ready = false;
            double up = 0;
            double down = 0;
            double ewma = 0;
            for (int b = 0; b < values.length; b++) {
                double x = values[b];
                ewma = b == 0 ? x : d.ewmaAlpha * x + (1 - d.ewmaAlpha) * ewma;
                double statistic = 0;
                double measuredMean = mean;
                double measuredSd = sd;
                if (ready) {
                    double z = (x - mean) / sd;
                    up = Math.max(0, up + z - d.slack);
                    down = Math.max(0, down - z - d.slack);
                    String direction = up > d.threshold && up >= down ? "UP" : down > d.threshold ? "DOWN" : null;
                    if (direction != null) {
                        statistic = direction.equals("UP") ? up : down;
                        alerts.add(new ExpectedAlert(metric, b, direction, x, mean, sd, statistic, ewma));
                        rows.put(metric + "@" + String.format("%03d", b), new Row(metric, b, x, mean, sd, statistic));
                        n = 0; // re-baseline
                        mean = 0;
                        m2 = 0;
                        ready = false;
                        continue;
                    }
                    statistic = Math.max(up, down);
                }
                n++; // learn the value (Welford)
                double delta = x - mean;
                mean += delta / n;
                m2 += delta * (x - mean);
                double sample = n < 2 ? 0 : Math.sqrt(m2 / (n - 1));
                sd = Math.max(sample, Math.max(floor, Math.abs(mean) * 0.01));
                if (!ready) {
                    measuredMean = mean;
                    measuredSd = sd;
                    if (n >= d.warmup) {
                        ready = true;
                        up = 0;
                        down = 0;
                    }
                }
                Row row = new Row(metric, b, x, measuredMean, measuredSd, statistic);
                rows.put(row.key(), row);
            }
        }
    }

    private static void awaitCount(Statement s, String sql, long n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        long count = -1;
        while (System.nanoTime() < deadline) {
            count = count(s, sql);
            if (count >= n) {
                break;
            }
            Thread.sleep(300);
        }
        assertThat(count).as("%s within 90 s", sql).isGreaterThanOrEqualTo(n);
    }
}
