package io.journeycep.pipeline.failure;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.embedded.EmbeddedServices;
import io.journeycep.pipeline.SqlRows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Failure test with real processes and real services (issue 6): a standalone Flink cluster (JobManager and
 * TaskManager as their own JVMs, started by {@code deploy/standalone/start-cluster.sh}), the embedded Kafka broker
 * and PostgreSQL, the job jar submitted with the Flink CLI ({@code submit.sh run --config …}), Kafka in, Kafka and
 * JDBC out, checkpoints every 2 s to a local directory, the restart strategy of flink-conf/config.yaml.
 *
 * <p>The same fixed input ({@link FailureInput}, {@code -Dfailure.events}, default {@value #DEFAULT_EVENTS}) is
 * processed twice, each run with its own consumer group, output topics and database: first without failures (the
 * expected output), then with failures at seeded random points of the input ({@code -Dfailure.seed}): the TaskManager
 * killed with SIGKILL and started again three times, the Kafka broker restarted once (same port and log directory),
 * PostgreSQL stopped for 30 s once. Afterwards {@code journey.triggers}, {@code risk.alerts} and {@code
 * segment.updates} (read_committed) and the tables {@code alerts}, {@code segment_changes}, {@code segment_membership}
 * and {@code journey_transitions} must equal the failure-free run's exactly, wall-clock columns ({@code detected_at},
 * {@code updated_at}) left out: nothing lost, nothing doubled. The topics keep the broker's default 7-day time
 * retention, as in production: no partition of either run may have lost records to it (log start offset 0), and every
 * record carries its write time (none is older than the test; the input's event times are of 2023).
 *
 * <p>Event time moves only with events (the quiet-period fallback is off: with it, a failure longer than the quiet
 * period would move event time with the wall clock, which is a different input). Each run ends when every operator's
 * input watermark has passed the input's last event (a "clock" event 8 days after the rest) and two more checkpoints
 * have completed, so every output is committed.
 *
 * <p>Recovery times after each TaskManager kill (to the job RUNNING with all tasks running, and to the first new
 * completed checkpoint) are printed and written to {@code target/failure-recovery/recovery.txt}; they are measured,
 * not asserted (docs/BENCHMARKS.md).
 */
@Tag("failure")
class FailureRecoveryIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final long DEFAULT_EVENTS = 1_000_000;
    private static final String INPUT = "events";
    private static final List<String> TOPICS = List.of("journey.triggers", "risk.alerts", "segment.updates");
    private static final Map<String, String> TABLES = new LinkedHashMap<>();
    static {
        TABLES.put("alerts", "SELECT alert_id, kind, rule_id, rule_version, subject_key, score, threshold, "
                + "window_start, window_end, evidence::text, event_time FROM alerts ORDER BY alert_id");
        TABLES.put("segment_changes", "SELECT change_id, user_id, segment, action, reason, rule_version, event_time, "
                + "entered_at FROM segment_changes ORDER BY change_id");
        TABLES.put("segment_membership", "SELECT user_id, segment, entered_at, reason, rule_version "
                + "FROM segment_membership ORDER BY user_id, segment");
        TABLES.put("journey_transitions", "SELECT from_state, to_state, count FROM journey_transitions "
                + "ORDER BY from_state, to_state");
    }

    private final long events = Long.getLong("failure.events", DEFAULT_EVENTS);
    private final long seed = Long.getLong("failure.seed", 20261124L);
    private final Path root = Path.of(System.getProperty("failure.root", "..")).toAbsolutePath().normalize();
    private final Path base = root.resolve("pipeline/target/failure-recovery");
    private final List<String> report = new ArrayList<>();

    private EmbeddedServices services;
    private StandaloneCluster cluster;

    @Test
    void killsAndOutagesNeitherLoseNorDoubleAnyOutput() throws Exception {
        Path jar = root.resolve("pipeline/target/journey-cep.jar");
        assertThat(jar).as("the job jar (mvn package builds it before the integration tests)").isRegularFile();
        long testStart = System.currentTimeMillis();
        deleteRecursively(base);
        Files.createDirectories(base);
        log("input: %,d events + 1 clock event, %,d users, seed %d", events, new FailureInput(events).users(), seed);

        services = EmbeddedServices.start(base.resolve("services"));
        cluster = new StandaloneCluster(root, base.resolve("flink"), freePort(), freePort(), "1024m", "2048m");
        try {
            services.kafka().createTopics(1, INPUT);
            long produced = produceInput(new FailureInput(events));
            cluster.start();

            Outputs expected = run("ref", produced, List.of());
            log("failure-free run: %s", expected.summary());
            assertThat(expected.count("journey.triggers")).as("triggers").isPositive();
            assertThat(expected.count("risk.alerts")).as("risk alerts").isPositive();
            assertThat(expected.count("segment.updates")).as("segment updates").isPositive();
            assertThat(expected.kinds()).as("alert kinds").contains("CART_ABANDONED", "HIGH_VALUE_BROWSING",
                    "VELOCITY");
            assertThat(expected.segmentActions()).as("segment actions").contains("ENTER", "EXIT");
            for (String t : TABLES.keySet()) {
                assertThat(expected.rows(t)).as(t).isNotEmpty();
            }

            Outputs actual = run("fail", produced, failurePlan());
            log("run with failures: %s", actual.summary());
            // every output is compared, and all differences are reported together
            List<String> differences = new ArrayList<>();
            for (String topic : TOPICS) {
                // nothing of either run deleted by the broker: records carry their write time (2026), not the
                // input's event time (2023), which the 7-day time retention of these default topics would delete
                // at its next check (the cause of segment.updates' losses before the sinks stamped write times)
                for (Outputs o : List.of(expected, actual)) {
                    if (!o.truncatedPartitions(topic).isEmpty()) {
                        differences.add(topic + ": records deleted by the broker, log start offsets "
                                + o.truncatedPartitions(topic));
                    }
                    if (o.oldestTimestamp(topic) < testStart) {
                        differences.add(topic + ": a record timestamp before the test started (not the write time): "
                                + Instant.ofEpochMilli(o.oldestTimestamp(topic)));
                    }
                }
                if (!actual.duplicates(topic).isEmpty()) {
                    differences.add(topic + ": records written twice: " + actual.duplicates(topic).stream().limit(5)
                            .toList());
                }
                difference(topic, expected.records(topic), actual.records(topic)).ifPresent(differences::add);
            }
            for (String table : TABLES.keySet()) {
                difference(table, expected.rows(table), actual.rows(table)).ifPresent(differences::add);
            }
            differences.forEach(d -> log("DIFFERENCE %s", d));
            assertThat(differences).as("outputs of the run with failures that differ from the failure-free run")
                    .isEmpty();
        } finally {
            Files.write(base.resolve("recovery.txt"), report);
            try {
                cluster.close();
            } finally {
                services.close();
            }
        }
    }

    // ---- the two runs ------------------------------------------------------------------------------------------

    private enum Failure { KILL_TASKMANAGER, RESTART_KAFKA, STOP_POSTGRES }

    private record Planned(double atFraction, long delayMillis, Failure failure) {}

    /** Three TaskManager kills, one broker restart, one PostgreSQL outage, in a seeded order at seeded points. */
    private List<Planned> failurePlan() {
        Random random = new Random(seed);
        List<Failure> kinds = new ArrayList<>(List.of(Failure.KILL_TASKMANAGER, Failure.KILL_TASKMANAGER,
                Failure.KILL_TASKMANAGER, Failure.RESTART_KAFKA, Failure.STOP_POSTGRES));
        Collections.shuffle(kinds, random);
        List<Double> points = new ArrayList<>();
        for (int i = 0; i < kinds.size(); i++) {
            points.add(0.05 + 0.8 * random.nextDouble());
        }
        Collections.sort(points);
        List<Planned> plan = new ArrayList<>();
        for (int i = 0; i < kinds.size(); i++) {
            plan.add(new Planned(points.get(i), random.nextInt(4000), kinds.get(i)));
        }
        return plan;
    }

    private Outputs run(String name, long inputSize, List<Planned> plan) throws Exception {
        for (String t : TOPICS) {
            services.kafka().createTopics(2, t + "-" + name);
        }
        services.kafka().createTopics(1, "events.dlq-" + name, "events.late-" + name);
        try (Connection c = services.postgres().connect(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE journey_" + name);
        }
        String jdbcUrl = services.postgres().jdbcUrl() + "_" + name;
        Path config = base.resolve("job-" + name + ".yaml");
        Files.writeString(config, String.join("\n",
                "source:",
                "  type: kafka",
                "  kafka:",
                "    bootstrap-servers: " + services.kafka().bootstrapServers(),
                "    topic: " + INPUT,
                "    group-id: journey-" + name,
                "    control-topic: \"\"",
                "event-time:",
                "  quiet-period: null",
                "outputs:",
                "  kafka:",
                "    triggers-topic: journey.triggers-" + name,
                "    risk-topic: risk.alerts-" + name,
                "    segments-topic: segment.updates-" + name,
                "    dead-letter-topic: events.dlq-" + name,
                "    late-topic: events.late-" + name,
                "    transactional-id-prefix: journey-" + name,
                "  jdbc:",
                "    url: " + jdbcUrl,
                "    user: " + services.postgres().user(),
                "    password-env: JOURNEY_JDBC_PASSWORD",
                "runtime:",
                "  parallelism: 2",
                "  state-backend: rocksdb",
                "  checkpoint-interval: 2s",
                "  checkpoint-dir: " + base.resolve("checkpoints-" + name).toUri(),
                ""));
        long t0 = System.nanoTime();
        String jobId = cluster.submit(Map.of("JOURNEY_JDBC_PASSWORD", services.postgres().password()),
                "run", "--config", config.toString(), "--job-name", "journey-cep-" + name);
        log("[%s] submitted job %s", name, jobId);
        awaitRunning(jobId, Duration.ofMinutes(3));
        log("[%s] running after %d s", name, secondsSince(t0));

        String group = "journey-" + name;
        for (Planned p : plan) {
            long target = (long) (p.atFraction() * inputSize);
            while (committed(group) < target) {
                assertThat(System.nanoTime() - t0).as("time for the run").isLessThan(TimeUnit.MINUTES.toNanos(40));
                Thread.sleep(250);
            }
            Thread.sleep(p.delayMillis());
            long at = committed(group);
            switch (p.failure()) {
                case KILL_TASKMANAGER -> killTaskManager(name, jobId, at, inputSize);
                case RESTART_KAFKA -> restartKafka(name, jobId, at, inputSize);
                case STOP_POSTGRES -> stopPostgres(name, jobId, at, inputSize);
            }
        }

        // the end: every operator's watermark past the clock event (the input's last record, on its one partition,
        // so all input was read), then two more checkpoints. Not the group's committed offset: Flink commits it to
        // Kafka only for monitoring, and after a broker restart those commits can keep failing while the job runs
        // on (seen once: the offset stayed at 247,294 of 300,001 while the job had read everything).
        long clockWatermark = new FailureInput(events).clockTimestamp() - Duration.ofSeconds(5).toMillis() - 1;
        while (cluster.lowestInputWatermark(jobId) < clockWatermark) {
            assertThat(System.nanoTime() - t0).as("time for the run").isLessThan(TimeUnit.MINUTES.toNanos(40));
            Thread.sleep(500);
        }
        long inputDone = secondsSince(t0);
        long checkpoint = cluster.latestCompletedCheckpoint(jobId)[0];
        while (cluster.latestCompletedCheckpoint(jobId)[0] < checkpoint + 2) {
            Thread.sleep(250);
        }
        log("[%s] input and timers done after %d s (%,d events/s incl. start-up and failures), restarts %d",
                name, inputDone, inputSize / Math.max(1, inputDone), cluster.restarts(jobId));
        cluster.cancel(jobId);
        return Outputs.read(services, name, jdbcUrl);
    }

    // ---- failures ----------------------------------------------------------------------------------------------

    private void killTaskManager(String run, String jobId, long at, long size) throws Exception {
        long checkpointBefore = cluster.latestCompletedCheckpoint(jobId)[0];
        long killedAt = System.currentTimeMillis();
        long pid = cluster.killTaskManager();
        // a supervisor (systemd, Kubernetes) starts a new TaskManager; here start-cluster.sh does, in the background
        CompletableFuture<Long> restart = CompletableFuture.supplyAsync(() -> {
            try {
                cluster.start();
                return System.currentTimeMillis();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long failedAt = awaitNotAllRunning(jobId, Duration.ofMinutes(2));
        long tmStartedAt = restart.get(5, TimeUnit.MINUTES);
        long runningAt = awaitRunning(jobId, Duration.ofMinutes(5));
        long[] cp = awaitCheckpointAfter(jobId, checkpointBefore, runningAt, Duration.ofMinutes(5));
        log("[%s] KILL -9 TaskManager pid %d at %,d/%,d input records committed: the job left RUNNING after %.1f s, "
                        + "start-cluster.sh had a new TaskManager up after %.1f s, all tasks RUNNING after %.1f s, first new "
                        + "checkpoint (%d) completed after %.1f s",
                run, pid, at, size, (failedAt - killedAt) / 1000.0, (tmStartedAt - killedAt) / 1000.0,
                (runningAt - killedAt) / 1000.0, cp[0], (cp[1] - killedAt) / 1000.0);
    }

    private void restartKafka(String run, String jobId, long at, long size) throws Exception {
        Recovery r = recover(jobId, () -> services.kafka().restart());
        log("[%s] Kafka broker restarted at %,d/%,d input records committed (down %.1f s): job restarts %d -> %d, "
                        + "first new checkpoint (%d) completed %.1f s after the stop",
                run, at, size, (r.up - r.start) / 1000.0, r.restartsBefore, cluster.restarts(jobId), r.checkpoint,
                (r.checkpointAt - r.start) / 1000.0);
    }

    private void stopPostgres(String run, String jobId, long at, long size) throws Exception {
        Recovery r = recover(jobId, () -> {
            services.postgres().stop();
            Thread.sleep(30_000);
            services.postgres().restart();
        });
        log("[%s] PostgreSQL stopped for 30 s at %,d/%,d input records committed: job restarts %d -> %d, first new "
                        + "checkpoint (%d) completed %.1f s after PostgreSQL was back",
                run, at, size, r.restartsBefore, cluster.restarts(jobId), r.checkpoint,
                (r.checkpointAt - r.up) / 1000.0);
    }

    /** An outage of a service the job writes to or reads from. */
    @FunctionalInterface
    private interface Outage {
        void run() throws Exception;
    }

    /** What {@link #recover} measured: wall times (ms) and the first checkpoint completed after the outage. */
    private record Recovery(long start, long up, long checkpoint, long checkpointAt, long restartsBefore) {}

    /** Runs an outage, then waits for the job to run again and for a new checkpoint to complete. */
    private Recovery recover(String jobId, Outage outage) throws Exception {
        long checkpointBefore = cluster.latestCompletedCheckpoint(jobId)[0];
        long restartsBefore = cluster.restarts(jobId);
        long start = System.currentTimeMillis();
        outage.run();
        long up = System.currentTimeMillis();
        long runningAt = awaitRunning(jobId, Duration.ofMinutes(5));
        long[] cp = awaitCheckpointAfter(jobId, checkpointBefore, Math.max(up, runningAt), Duration.ofMinutes(5));
        return new Recovery(start, up, cp[0], cp[1], restartsBefore);
    }

    private long awaitRunning(String jobId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!cluster.allTasksRunning(jobId)) {
            if (!cluster.taskManagerAlive()) {
                throw new IllegalStateException("the TaskManager process exited by itself (not killed by the test); "
                        + "see " + cluster.work().resolve("log/taskmanager.log"));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + jobId + " not running after " + timeout + ": "
                        + cluster.get("/jobs/" + jobId));
            }
            Thread.sleep(100);
        }
        return System.currentTimeMillis();
    }

    private long awaitNotAllRunning(String jobId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (cluster.allTasksRunning(jobId)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + jobId + " did not notice the lost TaskManager");
            }
            Thread.sleep(100);
        }
        return System.currentTimeMillis();
    }

    /** The first checkpoint after {@code idBefore} whose last acknowledgement came after {@code notBefore}. */
    private long[] awaitCheckpointAfter(String jobId, long idBefore, long notBefore, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long[] cp = cluster.latestCompletedCheckpoint(jobId);
            if (cp[0] > idBefore && cp[1] >= notBefore) {
                return cp;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no new checkpoint of " + jobId + " after " + timeout);
            }
            Thread.sleep(100);
        }
    }

    // ---- input -------------------------------------------------------------------------------------------------

    private long produceInput(FailureInput input) throws Exception {
        long t0 = System.nanoTime();
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafka().bootstrapServers());
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        p.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.setProperty(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.setProperty(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        p.setProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (long i = 0; i < input.size(); i++) {
                producer.send(new ProducerRecord<>(INPUT, input.user(i), input.json(i)));
            }
            producer.flush();
        }
        long end = endOffset(INPUT);
        assertThat(end).isEqualTo(input.size());
        log("produced %,d records to %s in %d s", end, INPUT, secondsSince(t0));
        return end;
    }

    /** The group's committed offset on the input (the records its checkpoints have consumed); 0 while unknown. */
    private long committed(String group) {
        try (Admin admin = admin()) {
            OffsetAndMetadata o = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS).get(new TopicPartition(INPUT, 0));
            return o == null ? 0 : o.offset();
        } catch (Exception e) { // the broker is restarting
            return 0;
        }
    }

    private long endOffset(String topic) throws Exception {
        try (Admin admin = admin()) {
            return admin.listOffsets(Map.of(new TopicPartition(topic, 0), OffsetSpec.latest())).all()
                    .get(30, TimeUnit.SECONDS).values().iterator().next().offset();
        }
    }

    private Admin admin() {
        Properties p = new Properties();
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafka().bootstrapServers());
        p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        p.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(p);
    }

    // ---- outputs -----------------------------------------------------------------------------------------------

    /** One run's outputs: topic records (read_committed, detected_at removed) and table rows (wall-clock columns left out). */
    static final class Outputs {
        private final Map<String, List<String>> records = new TreeMap<>();
        private final Map<String, List<String>> rows = new TreeMap<>();
        private final Map<String, Map<TopicPartition, Long>> logStartOffsets = new TreeMap<>();
        private final Map<String, Long> oldestTimestamps = new TreeMap<>();

        static Outputs read(EmbeddedServices services, String run, String jdbcUrl) throws Exception {
            Outputs o = new Outputs();
            for (String topic : TOPICS) {
                o.records.put(topic, o.readCommitted(services.kafka().bootstrapServers(), topic + "-" + run, topic));
            }
            try (Connection c = DriverManager.getConnection(jdbcUrl, services.postgres().user(),
                    services.postgres().password()); Statement s = c.createStatement()) {
                for (Map.Entry<String, String> t : TABLES.entrySet()) {
                    try (ResultSet rs = s.executeQuery(t.getValue())) {
                        o.rows.put(t.getKey(), SqlRows.of(rs));
                    }
                }
            }
            return o;
        }

        List<String> records(String topic) {
            return records.get(topic);
        }

        /**
         * Partitions of the topic whose log no longer starts at offset 0: the broker deleted records (its time
         * retention deletes records stamped more than 7 days before now, the fate of event-time stamps on a replay
         * of history; README "Outputs").
         */
        Map<TopicPartition, Long> truncatedPartitions(String topic) {
            return logStartOffsets.get(topic).entrySet().stream().filter(e -> e.getValue() > 0)
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        }

        /** The oldest Kafka record timestamp of the topic (Long.MAX_VALUE when it is empty). */
        long oldestTimestamp(String topic) {
            return oldestTimestamps.get(topic);
        }

        List<String> rows(String table) {
            return rows.get(table);
        }

        long count(String topic) {
            return records.get(topic).size();
        }

        /** Records that occur more than once (the same key, id and values). */
        List<String> duplicates(String topic) {
            return records.get(topic).stream().collect(Collectors.groupingBy(r -> r, Collectors.counting()))
                    .entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
        }

        java.util.Set<String> kinds() {
            return Stream.concat(records.get("journey.triggers").stream(), records.get("risk.alerts").stream())
                    .map(r -> field(r, "kind")).collect(Collectors.toSet());
        }

        java.util.Set<String> segmentActions() {
            return records.get("segment.updates").stream().map(r -> field(r, "action")).collect(Collectors.toSet());
        }

        String summary() {
            Map<String, Long> byKind = new TreeMap<>();
            Stream.concat(records.get("journey.triggers").stream(), records.get("risk.alerts").stream())
                    .forEach(r -> byKind.merge(field(r, "kind"), 1L, Long::sum));
            Map<String, Long> byAction = new TreeMap<>();
            records.get("segment.updates").forEach(r -> byAction.merge(field(r, "action"), 1L, Long::sum));
            Map<String, Integer> tables = new LinkedHashMap<>();
            rows.forEach((k, v) -> tables.put(k, v.size()));
            return "alerts by kind " + byKind + ", segment updates " + byAction + ", rows " + tables;
        }

        private static String field(String record, String name) {
            try {
                return JSON.readTree(record.substring(record.indexOf(" | ") + 3)).path(name).asText();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /**
         * Every committed record of the topic as "key | value without detected_at", sorted; notes the topic's log
         * start offsets and oldest record timestamp under {@code name}.
         */
        private List<String> readCommitted(String bootstrap, String topic, String name) throws Exception {
            Properties p = new Properties();
            p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            p.setProperty(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
            List<String> out = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer =
                         new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
                List<TopicPartition> parts = new ArrayList<>();
                for (PartitionInfo info : consumer.partitionsFor(topic)) {
                    parts.add(new TopicPartition(topic, info.partition()));
                }
                consumer.assign(parts);
                logStartOffsets.put(name, consumer.beginningOffsets(parts));
                consumer.seekToBeginning(parts);
                long oldest = Long.MAX_VALUE;
                // read_committed: the end offsets are the last stable offsets. A transaction left open by a killed
                // TaskManager would hold them back: compare with the high watermarks to tell.
                Map<TopicPartition, Long> ends = consumer.endOffsets(parts);
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
                while (parts.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                        oldest = Math.min(oldest, r.timestamp());
                        ObjectNode v = (ObjectNode) JSON.readTree(r.value());
                        v.remove("detected_at");
                        out.add(r.key() + " | " + JSON.writeValueAsString(v));
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("could not read " + topic + " to " + ends);
                    }
                }
                oldestTimestamps.put(name, oldest);
            }
            Collections.sort(out);
            return out;
        }
    }

    private static java.util.Optional<String> difference(String what, List<String> expected, List<String> actual) {
        if (expected.equals(actual)) {
            return java.util.Optional.empty();
        }
        Map<String, Integer> diff = new HashMap<>();
        expected.forEach(r -> diff.merge(r, 1, Integer::sum));
        actual.forEach(r -> diff.merge(r, -1, Integer::sum));
        List<String> missing = new ArrayList<>();
        List<String> extra = new ArrayList<>();
        diff.forEach((r, n) -> {
            if (n > 0) {
                missing.add(n + "x " + r);
            } else if (n < 0) {
                extra.add(-n + "x " + r);
            }
        });
        return java.util.Optional.of(String.format("%s differs from the failure-free run: %d expected, %d actual, "
                        + "%d missing (first: %s), %d extra or doubled (first: %s)", what, expected.size(),
                actual.size(), missing.size(), missing.stream().limit(5).toList(), extra.size(),
                extra.stream().limit(5).toList()));
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private void log(String format, Object... args) {
        String line = Instant.now() + " " + String.format(format, args);
        System.out.println(line);
        report.add(line);
    }

    private static long secondsSince(long t0) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
