package io.journeycep.pipeline.cli;

import static io.journeycep.pipeline.cli.PipelineItSupport.atLeast;
import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.embedded.EmbeddedServices;
import io.journeycep.embedded.SharedServices;
import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.testing.BadRecordCorpus;
import io.journeycep.pipeline.workflow.JourneyWorkflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * An upgrade through a savepoint loses and doubles nothing. One scripted input (below) is run twice on the real Kafka
 * broker and PostgreSQL, each run with its own input topic, output topics and database:
 *
 * <ul>
 *   <li><b>uninterrupted</b>: one job reads all of it;
 *   <li><b>upgraded</b>: a job reads the first half, is stopped with a savepoint ({@link JobClient#stopWithSavepoint},
 *       no drain: no timer fires early) while a cart is open (its CART_ABANDONED deadline lies in the second half),
 *       a session is open, three of five failed logins are counted and segment memberships exist; then the second
 *       half is produced and a new build of the job, with other non-stateful settings (checkpoint interval 1 s → 2 s,
 *       another Kafka transactional-id prefix), starts from the savepoint ({@code execution.state-recovery.path},
 *       unclaimed state not ignored, so every piece of state must find its operator by uid).
 * </ul>
 *
 * The outputs must be equal, all but their processing times ({@code detected_at}): alerts on {@code journey.triggers}
 * and {@code risk.alerts} (read_committed) and in {@code alerts}, segment changes on {@code segment.updates} and in
 * {@code segment_changes}, {@code segment_membership}, {@code journey_transitions} and the dead letters. The upgraded
 * run's CART_ABANDONED of the open cart comes from CEP state restored from the savepoint, its VELOCITY alert from
 * restored window counts; no alert or change appears twice.
 *
 * <p>Output completeness: a run's last alert (the open cart's, whose deadline only the last clock event passes)
 * becomes visible with the checkpoint after the source's final watermark; everything that watermark caused reached
 * the sinks before that checkpoint's barrier, Kafka commits and JDBC flushes on it. The transitions are waited for by
 * their expected total.
 */
class SavepointUpgradeIT {
    private static final long T0 = 1_700_000_000_000L;
    private static final long MIN = 60_000L;
    /** Closed sessions by the end (event count + 1 each): done 3, buyer 4, sess 6, cart 3, att 6, buyer2 3, clock 2. */
    private static final long EXPECTED_TRANSITIONS = 27;

    @TempDir
    Path savepoints;

    @Test
    void aRunUpgradedThroughASavepointGivesTheOutputsOfAnUninterruptedRun() throws Exception {
        EmbeddedServices services = SharedServices.get();
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<byte[]> firstHalf = firstHalf(run);
        List<byte[]> secondHalf = secondHalf(run);

        // 1. uninterrupted
        Outputs reference;
        {
            String r = run + "r";
            JobConfig config = PipelineItSupport.config(services, r, PipelineItSupport.createDatabase(services,
                    "sp_ref_" + run));
            produce(services, config, firstHalf);
            produce(services, config, secondHalf);
            int port = PipelineItSupport.freePort();
            JobClient job = start(config, services, PipelineItSupport.restOn(port), "uninterrupted " + run);
            try {
                reference = awaitOutputs(services, config, new PipelineItSupport.Rest(port, job.getJobID()), run);
            } finally {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
        }

        // 2. first half, stop with a savepoint, second half, a changed build restored from the savepoint
        String s = run + "s";
        JobConfig config = PipelineItSupport.config(services, s, PipelineItSupport.createDatabase(services,
                "sp_up_" + run));
        produce(services, config, firstHalf);
        int port1 = PipelineItSupport.freePort();
        JobClient first = start(config, services, PipelineItSupport.restOn(port1), "before upgrade " + run);
        String savepoint;
        try {
            // the cart abandoned in the first half: event time has passed the first half's carts
            List<JsonNode> early = PipelineItSupport.readCommitted(services, config.outputs.kafka.triggersTopic,
                    atLeast(1), Duration.ZERO);
            assertThat(early).extracting(a -> a.path("subject_key").asText()).containsExactly("done-" + run);
            savepoint = first.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                    .get(180, TimeUnit.SECONDS);
        } catch (Exception e) {
            first.cancel().get(60, TimeUnit.SECONDS);
            throw e;
        }
        assertThat(PipelineItSupport.readCommitted(services, config.outputs.kafka.triggersTopic, atLeast(1),
                Duration.ofSeconds(1))).as("no alert of the open cart before the upgrade").hasSize(1);
        produce(services, config, secondHalf);

        config.runtime.checkpointInterval = Duration.ofSeconds(2); // non-stateful changes
        config.outputs.kafka.transactionalIdPrefix = "it-" + s + "-v2";
        int port2 = PipelineItSupport.freePort();
        Configuration restore = PipelineItSupport.restOn(port2);
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        restore.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, false);
        JobClient second = start(config, services, restore, "after upgrade " + run);
        Outputs upgraded;
        try {
            PipelineItSupport.Rest rest = new PipelineItSupport.Rest(port2, second.getJobID());
            JsonNode restored = rest.get("/jobs/" + second.getJobID() + "/checkpoints").path("latest")
                    .path("restored");
            assertThat(restored.path("is_savepoint").asBoolean()).as("restored from %s: %s", savepoint, restored)
                    .isTrue();
            upgraded = awaitOutputs(services, config, rest, run);
            rest.assertNeverRestarted();
        } finally {
            second.cancel().get(60, TimeUnit.SECONDS);
        }

        // 3. the same outputs: nothing lost, nothing doubled
        assertThat(reference.alerts).extracting(a -> a.split("\\|")[1] + " " + a.split("\\|")[3])
                .containsExactlyInAnyOrder("CART_ABANDONED done-" + run, "CART_ABANDONED cart-" + run,
                        "VELOCITY att-" + run);
        assertThat(upgraded.alerts).as("alerts on Kafka").containsExactlyInAnyOrderElementsOf(reference.alerts);
        assertThat(upgraded.alertRows).as("alerts table").containsExactlyInAnyOrderElementsOf(reference.alertRows);
        assertThat(reference.segmentChangeRows).as("segment changes of the script")
                .anySatisfy(c -> assertThat(c).contains("cart-" + run + " | CART_ABANDONER | ENTER"))
                .anySatisfy(c -> assertThat(c).contains("buyer-" + run + " | NEW_BUYER | ENTER"));
        assertThat(upgraded.segmentChangeRows).as("segment_changes")
                .containsExactlyInAnyOrderElementsOf(reference.segmentChangeRows);
        assertThat(upgraded.memberships).as("segment_membership")
                .containsExactlyInAnyOrderElementsOf(reference.memberships);
        assertThat(reference.segmentChanges).as("segment.updates holds every row of segment_changes")
                .hasSameSizeAs(reference.segmentChangeRows);
        assertThat(upgraded.segmentChanges).as("segment.updates")
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(reference.segmentChanges);
        assertThat(reference.transitions).as("journey_transitions").isNotEmpty();
        assertThat(upgraded.transitions).as("journey_transitions")
                .containsExactlyInAnyOrderElementsOf(reference.transitions);
        assertThat(reference.deadLetters).hasSize(2);
        assertThat(upgraded.deadLetters).as("rejected_events").containsExactlyInAnyOrderElementsOf(
                reference.deadLetters);
    }

    // ---------------------------------------------------------------- the script

    private static List<byte[]> firstHalf(String run) {
        List<byte[]> l = new ArrayList<>();
        flat(l, "done", run, 0, "view", 0);
        flat(l, "done", run, 1, "cart_add", 1); // abandoned at +31 min, in the first half
        flat(l, "buyer", run, 0, "view", 2);
        flat(l, "buyer", run, 1, "cart_add", 3);
        flat(l, "buyer", run, 2, "purchase", 4); // a segment membership (new buyer)
        flat(l, "sess", run, 0, "login", 28); // a session open at the savepoint
        flat(l, "sess", run, 1, "view", 29);
        flat(l, "cart", run, 0, "view", 29);
        flat(l, "cart", run, 1, "cart_add", 30); // an open cart: abandoned at +60 min, in the second half
        flat(l, "att", run, 0, "login_failed", 35); // 3 of the 5 failed logins of a VELOCITY alert
        flat(l, "att", run, 1, "login_failed", 36);
        flat(l, "att", run, 2, "login_failed", 37);
        l.add("{\"event_type\":\"view\",\"ts\":1700000000000}".getBytes(StandardCharsets.UTF_8)); // no user
        flat(l, "clock", run, 0, "view", 40);
        return l;
    }

    private static List<byte[]> secondHalf(String run) {
        List<byte[]> l = new ArrayList<>();
        flat(l, "att", run, 3, "login_failed", 41);
        flat(l, "att", run, 4, "login_failed", 42); // the 5th within 10 min: VELOCITY
        flat(l, "sess", run, 2, "view", 45); // the open session goes on
        flat(l, "sess", run, 3, "cart_add", 46);
        flat(l, "sess", run, 4, "purchase", 47);
        flat(l, "buyer2", run, 0, "view", 50);
        flat(l, "buyer2", run, 1, "purchase", 51);
        l.add("not json".getBytes(StandardCharsets.UTF_8));
        flat(l, "clock", run, 1, "view", 180); // fires every timeout of the script
        return l;
    }

    private static void flat(List<byte[]> l, String user, String run, int n, String type, int minute) {
        String u = user + "-" + run;
        l.add(BadRecordCorpus.flat(u + "-" + n, type, u, T0 + minute * MIN, "sku-" + user)
                .getBytes(StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- running and reading

    private static void produce(EmbeddedServices services, JobConfig config, List<byte[]> records) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = PipelineItSupport.producer(services)) {
            for (byte[] r : records) {
                producer.send(new ProducerRecord<>(config.source.kafka.topic, r)).get();
            }
        }
    }

    private static JobClient start(JobConfig config, EmbeddedServices services, Configuration base, String name)
            throws Exception {
        assertThat(config.validate()).isEmpty();
        StreamExecutionEnvironment env = JobRunner.environment(config, base);
        env.setParallelism(1);
        JourneyWorkflow.define(env, JobRunner.source(config), JobRunner.controlSource(config),
                JobRunner.sinks(config, services.postgres().password()), config);
        return env.executeAsync(name);
    }

    /** What a run wrote, without processing times, as comparable strings. */
    private record Outputs(List<String> alerts, List<String> alertRows, List<String> segmentChanges,
            List<String> segmentChangeRows, List<String> memberships, List<String> transitions,
            List<String> deadLetters) {}

    private static Outputs awaitOutputs(EmbeddedServices services, JobConfig config, PipelineItSupport.Rest rest,
            String run) throws Exception {
        Predicate<List<JsonNode>> lastAlert = l -> l.stream()
                .anyMatch(a -> a.path("subject_key").asText().equals("cart-" + run));
        List<JsonNode> triggers = PipelineItSupport.readCommitted(services, config.outputs.kafka.triggersTopic,
                lastAlert, Duration.ZERO);
        rest.awaitCompletedCheckpointsAbove(rest.completedCheckpoints()); // one more, for good measure
        triggers = PipelineItSupport.readCommitted(services, config.outputs.kafka.triggersTopic, atLeast(2),
                Duration.ofSeconds(2));
        List<JsonNode> risk = PipelineItSupport.readCommitted(services, config.outputs.kafka.riskTopic, atLeast(1),
                Duration.ofSeconds(2));
        List<JsonNode> segments = PipelineItSupport.readCommitted(services, config.outputs.kafka.segmentsTopic,
                atLeast(0), Duration.ofSeconds(3)); // committed by now (see the class comment)
        List<String> alerts = new ArrayList<>();
        for (JsonNode a : triggers) {
            alerts.add(alertLine(a));
        }
        for (JsonNode a : risk) {
            alerts.add(alertLine(a));
        }
        List<String> changes = segments.stream().map(c -> withoutDetectedAt(c).toString())
                .collect(Collectors.toList());
        try (Connection db = DriverManager.getConnection(config.outputs.jdbc.url, services.postgres().user(),
                services.postgres().password()); Statement st = db.createStatement()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            long total = 0;
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = st.executeQuery("select coalesce(sum(count), 0) from journey_transitions")) {
                    rs.next();
                    total = rs.getLong(1);
                }
                if (total >= EXPECTED_TRANSITIONS) {
                    break;
                }
                Thread.sleep(300);
            }
            assertThat(total).as("transitions counted").isEqualTo(EXPECTED_TRANSITIONS);
            return new Outputs(alerts,
                    rows(st, "select alert_id, kind, rule_id, rule_version, subject_key, score, threshold,"
                            + " window_start, window_end, evidence::text, event_time from alerts"),
                    changes,
                    rows(st, "select change_id, user_id, segment, action, reason, rule_version, event_time, entered_at"
                            + " from segment_changes"),
                    rows(st, "select user_id, segment, entered_at, reason, rule_version from segment_membership"),
                    rows(st, "select from_state, to_state, count, updated_at from journey_transitions"),
                    rows(st, "select position, reason, encode(raw, 'base64') from rejected_events"));
        }
    }

    private static String alertLine(JsonNode a) {
        return String.join("|", a.path("alert_id").asText(), a.path("kind").asText(), a.path("rule_id").asText(),
                a.path("subject_key").asText(), withoutDetectedAt(a).toString());
    }

    private static JsonNode withoutDetectedAt(JsonNode n) {
        ObjectNode copy = ((ObjectNode) n).deepCopy();
        copy.remove("detected_at");
        return copy;
    }

    private static List<String> rows(Statement st, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    sb.append(i == 1 ? "" : " | ").append(rs.getString(i));
                }
                out.add(sb.toString());
            }
        }
        return out;
    }
}
