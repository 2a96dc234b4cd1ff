package io.journeycep.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.embedded.EmbeddedServices;
import io.journeycep.pipeline.config.JobConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Kafka, PostgreSQL and Flink REST helpers shared by the pipeline ITs that run the job through {@link JobRunner}. */
final class PipelineItSupport {
    static final ObjectMapper JSON = new ObjectMapper();

    private PipelineItSupport() {}

    /** A config reading {@code events-<run>} and writing to {@code <topic>-<run>} and the given database URL. */
    static JobConfig config(EmbeddedServices services, String run, String jdbcUrl) throws Exception {
        List<String> topics = List.of("events-" + run, "journey.triggers-" + run, "risk.alerts-" + run,
                "events.dlq-" + run, "events.late-" + run, "segment.updates-" + run, "control-" + run);
        services.kafka().createTopics(1, topics.toArray(new String[0]));
        keepForever(services, topics);
        JobConfig config = new JobConfig();
        config.source.kafka.bootstrapServers = services.kafka().bootstrapServers();
        config.source.kafka.topic = "events-" + run;
        config.source.kafka.groupId = "it-" + run;
        config.source.kafka.controlTopic = "control-" + run; // empty: the config's rules stay in force
        config.eventTime.idleTimeout = Duration.ofSeconds(1);
        config.eventTime.quietPeriod = null; // event time moves only with the events
        config.outputs.kafka.triggersTopic = "journey.triggers-" + run;
        config.outputs.kafka.riskTopic = "risk.alerts-" + run;
        config.outputs.kafka.deadLetterTopic = "events.dlq-" + run;
        config.outputs.kafka.lateTopic = "events.late-" + run;
        config.outputs.kafka.segmentsTopic = "segment.updates-" + run;
        config.outputs.kafka.transactionalIdPrefix = "it-" + run;
        config.outputs.jdbc.url = jdbcUrl;
        config.outputs.jdbc.user = services.postgres().user();
        config.runtime.checkpointInterval = Duration.ofSeconds(1);
        return config;
    }

    /**
     * Turns time-based retention off for {@code topics}. The Kafka sinks give each output record its event time as
     * timestamp, and the scripts' events are of 2023: with the broker's default 7-day retention, its retention check
     * (30 s after start, then every 5 min) deletes the outputs while the test reads them.
     */
    static void keepForever(EmbeddedServices services, List<String> topics) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafka().bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            Map<ConfigResource, Collection<AlterConfigOp>> changes = new HashMap<>();
            for (String t : topics) {
                changes.put(new ConfigResource(ConfigResource.Type.TOPIC, t), List.of(new AlterConfigOp(
                        new ConfigEntry(TopicConfig.RETENTION_MS_CONFIG, "-1"), AlterConfigOp.OpType.SET)));
            }
            admin.incrementalAlterConfigs(changes).all().get(60, TimeUnit.SECONDS);
        }
    }

    /** Creates database {@code name} on the shared server and returns its JDBC URL. */
    static String createDatabase(EmbeddedServices services, String name) throws Exception {
        try (Connection c = services.postgres().connect(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return services.postgres().jdbcUrl().replaceFirst("/[^/]+$", "/" + name);
    }

    static KafkaProducer<byte[], byte[]> producer(EmbeddedServices services) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafka().bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "1000000"); // the corpus has a 700 KB record
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return new KafkaProducer<>(p);
    }

    /**
     * The JSON values of {@code topic} read with isolation.level=read_committed from the start: waits (up to 120 s)
     * until {@code done} holds for what was read, then reads {@code more} longer to catch extras and duplicates.
     */
    static List<JsonNode> readCommitted(EmbeddedServices services, String topic, Predicate<List<JsonNode>> done,
            Duration more) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafka().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<JsonNode> out = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic));
            while (!done.test(out) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    out.add(JSON.readTree(r.value()));
                }
            }
            long extra = System.nanoTime() + more.toNanos();
            while (System.nanoTime() < extra) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    out.add(JSON.readTree(r.value()));
                }
            }
        }
        return out;
    }

    static Predicate<List<JsonNode>> atLeast(int n) {
        return l -> l.size() >= n;
    }

    // ---------------------------------------------------------------- the MiniCluster's REST API

    /** A free local port for the MiniCluster's REST endpoint (so the test can ask it about the job). */
    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Flink settings that put the local MiniCluster's REST endpoint on {@code port}. */
    static Configuration restOn(int port) {
        Configuration conf = new Configuration();
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, Integer.toString(port));
        conf.set(RestOptions.PORT, port);
        return conf;
    }

    /** What the REST API says about a job: its status, restarts, failures and checkpoints. */
    static final class Rest {
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        private final String base;
        private final String job;

        Rest(int port, JobID job) {
            this.base = "http://127.0.0.1:" + port;
            this.job = job.toHexString();
        }

        JsonNode get(String path) throws Exception {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
            return JSON.readTree(r.body());
        }

        String status() throws Exception {
            return get("/jobs/" + job).path("state").asText();
        }

        /** {@code counts.completed} of {@code /jobs/<id>/checkpoints}. */
        long completedCheckpoints() throws Exception {
            return get("/jobs/" + job + "/checkpoints").path("counts").path("completed").asLong();
        }

        long failedCheckpoints() throws Exception {
            return get("/jobs/" + job + "/checkpoints").path("counts").path("failed").asLong();
        }

        /** The failure messages of the failed checkpoints in the REST history (for assertion messages). */
        List<String> failedCheckpointMessages() throws Exception {
            List<String> out = new ArrayList<>();
            for (JsonNode c : get("/jobs/" + job + "/checkpoints").path("history")) {
                if ("FAILED".equals(c.path("status").asText())) {
                    out.add(c.path("id").asText() + ": " + c.path("failure_message").asText());
                }
            }
            return out;
        }

        /** Waits (up to 120 s) until more than {@code than} checkpoints have completed; returns the count. */
        long awaitCompletedCheckpointsAbove(long than) throws Exception {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            long n = completedCheckpoints();
            while (n <= than && System.nanoTime() < deadline) {
                Thread.sleep(250);
                n = completedCheckpoints();
            }
            assertThat(n).as("completed checkpoints").isGreaterThan(than);
            return n;
        }

        /**
         * Asserts the job never failed over: it is RUNNING, its exception history is empty, the {@code numRestarts}
         * metric is 0 (waiting for the metric fetcher to report it), and every subtask runs its first attempt.
         */
        void assertNeverRestarted() throws Exception {
            assertThat(status()).as("job state").isEqualTo("RUNNING");
            JsonNode history = get("/jobs/" + job + "/exceptions").path("exceptionHistory").path("entries");
            assertThat(history.isArray() && history.isEmpty()).as("exception history %s", history).isTrue();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            JsonNode restarts = get("/jobs/" + job + "/metrics?get=numRestarts");
            while (restarts.isEmpty() && System.nanoTime() < deadline) { // the metric fetcher updates every 10 s
                Thread.sleep(500);
                restarts = get("/jobs/" + job + "/metrics?get=numRestarts");
            }
            assertThat(restarts.toString()).as("numRestarts metric").isEqualTo(
                    "[{\"id\":\"numRestarts\",\"value\":\"0\"}]");
            for (JsonNode v : get("/jobs/" + job).path("vertices")) {
                for (JsonNode s : get("/jobs/" + job + "/vertices/" + v.path("id").asText()).path("subtasks")) {
                    assertThat(s.path("attempt").asInt()).as("attempt of %s #%s", v.path("name").asText(),
                            s.path("subtask").asText()).isZero();
                }
            }
        }
    }
}
