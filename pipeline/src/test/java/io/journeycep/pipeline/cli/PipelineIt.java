package io.journeycep.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.embedded.EmbeddedServices;
import io.journeycep.embedded.SharedServices;
import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.workflow.JourneyWorkflow;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
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

/**
 * What the integration tests of the job as {@code run} builds it share: the shared broker and database ({@link
 * SharedServices}), a run's own topics and database, the config that points the job at them, a producer, a
 * read_committed reader per topic and queries. Nothing here waits for a fixed time to decide anything: every wait
 * polls for a condition up to a generous limit (2 cores shared with other builds), and a pass returns early.
 */
final class PipelineIt {
    static final Duration TIMEOUT = Duration.ofSeconds(120);

    final EmbeddedServices services = SharedServices.get();
    final String run = UUID.randomUUID().toString().substring(0, 8);
    final String in = "events-" + run;
    final String control = "control-" + run;
    final String triggers = "journey.triggers-" + run;
    final String risk = "risk.alerts-" + run;
    final String dlq = "events.dlq-" + run;
    final String late = "events.late-" + run;
    final String segments = "segment.updates-" + run;
    final String url;

    /** Creates the run's topics (one partition each) and its own database (the tables are migrated by the job). */
    PipelineIt(String dbPrefix) throws Exception {
        services.kafka().createTopics(1, in, control, triggers, risk, dlq, late, segments);
        keepForever(outputTopics());
        String db = dbPrefix + "_" + run.replace('-', '_');
        try (Connection c = services.postgres().connect(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        }
        url = services.postgres().jdbcUrl().replaceFirst("/[^/]+$", "/" + db);
    }

    /**
     * No time retention on the output topics: the job stamps its output records with their event time (2024 here),
     * so under the broker's default 7-day retention its next retention check (every 5 min) deletes them, and a reader
     * that comes later finds nothing (seen once: a CART_ABANDONED alert gone before it was read).
     */
    private void keepForever(List<String> topics) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafka().bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            Map<ConfigResource, Collection<AlterConfigOp>> changes = new HashMap<>();
            for (String topic : topics) {
                changes.put(new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(new AlterConfigOp(
                        new ConfigEntry(TopicConfig.RETENTION_MS_CONFIG, "-1"), AlterConfigOp.OpType.SET)));
            }
            admin.incrementalAlterConfigs(changes).all().get(60, TimeUnit.SECONDS);
        }
    }

    List<String> outputTopics() {
        return List.of(triggers, risk, dlq, late, segments);
    }

    /**
     * The job's config for this run: Kafka in (and an empty control topic), every Kafka and JDBC output on; event time
     * moves only with the events (no quiet-period fallback; the idle control topic and idle splits are excluded).
     */
    JobConfig config() {
        JobConfig config = new JobConfig();
        config.source.kafka.bootstrapServers = services.kafka().bootstrapServers();
        config.source.kafka.topic = in;
        config.source.kafka.groupId = "it-" + run;
        config.source.kafka.controlTopic = control;
        config.eventTime.idleTimeout = Duration.ofSeconds(1);
        config.eventTime.quietPeriod = null;
        config.outputs.kafka.triggersTopic = triggers;
        config.outputs.kafka.riskTopic = risk;
        config.outputs.kafka.deadLetterTopic = dlq;
        config.outputs.kafka.lateTopic = late;
        config.outputs.kafka.segmentsTopic = segments;
        config.outputs.kafka.transactionalIdPrefix = "it-" + run;
        config.outputs.jdbc.url = url;
        config.outputs.jdbc.user = services.postgres().user();
        config.runtime.checkpointInterval = Duration.ofSeconds(1);
        return config;
    }

    /** The job as {@code run} builds it ({@link RunVerb}, through {@link JobRunner}), started without waiting. */
    JobClient start(JobConfig config, Configuration base, String name) throws Exception {
        assertThat(config.validate()).isEmpty();
        StreamExecutionEnvironment env = JobRunner.environment(config, base);
        env.setParallelism(1);
        JourneyWorkflow.define(env, JobRunner.source(config), JobRunner.controlSource(config),
                JobRunner.sinks(config, services.postgres().password()), config);
        return env.executeAsync(name + " " + run);
    }

    static void cancel(JobClient job) throws Exception {
        job.cancel().get(60, TimeUnit.SECONDS);
    }

    KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafka().bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /** Sends the records to the input topic, in order, and waits until all are acknowledged. */
    void send(List<String> records) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (String r : records) {
                producer.send(new ProducerRecord<>(in, r.getBytes(StandardCharsets.UTF_8))).get();
            }
        }
    }

    Reader reader(String topic) {
        return new Reader(topic);
    }

    /** One read_committed consumer of a topic from its beginning, collecting every record (key and value bytes). */
    final class Reader implements AutoCloseable {
        final KafkaConsumer<byte[], byte[]> consumer;
        final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();

        Reader(String topic) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafka().bootstrapServers());
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            consumer = new KafkaConsumer<>(p);
            consumer.subscribe(List.of(topic));
        }

        private void poll(Duration d) {
            consumer.poll(d).forEach(records::add);
        }

        /**
         * Polls until the records so far satisfy {@code done}, or {@link #TIMEOUT} has passed; returns them either way
         * (for an assertion that says what is missing).
         */
        List<ConsumerRecord<byte[], byte[]>> pollUntil(Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!done.test(records) && System.nanoTime() < deadline) {
                poll(Duration.ofMillis(200));
            }
            return new ArrayList<>(records);
        }

        /** As {@link #pollUntil}, failing when {@code done} is still false. */
        List<ConsumerRecord<byte[], byte[]>> await(String what, Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
            pollUntil(done);
            assertThat(done.test(records)).as("%s within %s (%d records so far)", what, TIMEOUT, records.size())
                    .isTrue();
            return new ArrayList<>(records);
        }

        /** Everything committed so far: polls until a poll of {@code quiet} brings nothing new. */
        List<ConsumerRecord<byte[], byte[]>> drain(Duration quiet) {
            int before;
            do {
                before = records.size();
                poll(quiet);
            } while (records.size() > before);
            return new ArrayList<>(records);
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    /**
     * For a failure message: each output topic's earliest and latest offsets (an earliest above 0 means the broker
     * deleted records, e.g. by retention: the outputs carry event-time timestamps) and each table's row count.
     */
    String describe() {
        StringBuilder b = new StringBuilder("run ").append(run).append(':');
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafka().bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            for (String topic : outputTopics()) {
                TopicPartition tp = new TopicPartition(topic, 0);
                b.append("\n  ").append(topic).append(" offsets ")
                        .append(c.beginningOffsets(List.of(tp)).get(tp)).append("..")
                        .append(c.endOffsets(List.of(tp)).get(tp));
            }
        } catch (RuntimeException e) {
            b.append("\n  topics: ").append(e);
        }
        for (String table : List.of("alerts", "segment_changes", "segment_membership", "rejected_events",
                "journey_transitions", "drift_stats")) {
            try {
                b.append("\n  ").append(table).append(' ').append(rows("select count(*) from " + table));
            } catch (Exception e) {
                b.append("\n  ").append(table).append(": ").append(e.getMessage());
            }
        }
        return b.toString();
    }

    Connection connect() throws Exception {
        return DriverManager.getConnection(url, services.postgres().user(), services.postgres().password());
    }

    /** The rows of a query, each row's columns as text joined by {@code " | "}. */
    List<String> rows(String sql) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rows.addAll(io.journeycep.pipeline.SqlRows.of(rs));
        }
        return rows;
    }

    /** Polls the query until its rows satisfy {@code done}, up to {@link #TIMEOUT}; returns them. */
    List<String> awaitRows(String sql, Predicate<List<String>> done) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<String> rows = rows(sql);
        while (!done.test(rows) && System.nanoTime() < deadline) {
            Thread.sleep(300);
            rows = rows(sql);
        }
        assertThat(done.test(rows)).as("rows of [%s] within %s: %s", sql, TIMEOUT, rows).isTrue();
        return rows;
    }
}
