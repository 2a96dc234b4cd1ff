package io.journeycep.embedded;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Apache Kafka 4.x cluster in this JVM: one KRaft process in combined mode
 * ({@code process.roles=broker,controller}) listening on 127.0.0.1 only.
 *
 * <p>Layout under the data directory: {@code logs/} (partition logs and the {@code __cluster_metadata} log) and
 * {@code embedded-kafka.properties} (cluster id and the ports of the last run, reused when still free so that a
 * restarted demo keeps its bootstrap address). Internal topics have one replica, transactions work with one
 * broker, and topics are never created automatically.
 */
public final class EmbeddedKafka extends RestartableService {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int NODE_ID = 1;
    private static final String STATE_FILE = "embedded-kafka.properties";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /**
     * Optional system property: the {@code transaction.version} feature level (1 or 2) to format a new cluster with.
     * Kafka 4.2 defaults to 2 (KIP-890 server-side defense); 1 is the pre-4.0 protocol. Only read on first start.
     */
    public static final String TRANSACTION_VERSION_PROPERTY = "journeycep.kafka.transaction.version";

    private final Path dataDir;
    private final Path logDir;
    private final int brokerPort;
    private final int controllerPort;
    private final String clusterId;
    private final Properties serverProps;
    private final Short transactionVersion;

    private KafkaRaftServer server; // guarded by this

    private EmbeddedKafka(Path dataDir, Path logDir, int brokerPort, int controllerPort, String clusterId,
                          Short transactionVersion) {
        this.transactionVersion = transactionVersion;
        this.dataDir = dataDir;
        this.logDir = logDir;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.clusterId = clusterId;
        this.serverProps = serverProperties();
    }

    /** Starts a single-node KRaft broker+controller on 127.0.0.1 with free ports, data under dataDir (formatted on first start). */
    public static EmbeddedKafka start(Path dataDir) throws Exception {
        String tv = System.getProperty(TRANSACTION_VERSION_PROPERTY);
        return start(dataDir, tv == null || tv.isBlank() ? null : Short.valueOf(tv.trim()));
    }

    /** As {@link #start(Path)}, formatting a new cluster with the given transaction.version (null: Kafka's default). */
    static EmbeddedKafka start(Path dataDir, Short transactionVersion) throws Exception {
        Path dir = dataDir.toAbsolutePath();
        Files.createDirectories(dir);
        Path stateFile = dir.resolve(STATE_FILE);
        Properties state = Ports.load(stateFile);
        Path logDir = dir.resolve("logs");
        boolean formatted = Files.isRegularFile(logDir.resolve("meta.properties"));

        String clusterId = state.getProperty("cluster.id");
        if (clusterId == null || !formatted) {
            clusterId = Uuid.randomUuid().toString();
        }
        int brokerPort = Ports.reuseOrPick(state.getProperty("broker.port"));
        int controllerPort = Ports.reuseOrPick(state.getProperty("controller.port"));
        while (controllerPort == brokerPort) {
            controllerPort = Ports.freePort();
        }
        state.setProperty("cluster.id", clusterId);
        state.setProperty("broker.port", Integer.toString(brokerPort));
        state.setProperty("controller.port", Integer.toString(controllerPort));
        Ports.store(stateFile, state, "journey-cep embedded Kafka: cluster id and ports of the last start");

        EmbeddedKafka kafka = new EmbeddedKafka(dir, logDir, brokerPort, controllerPort, clusterId, transactionVersion);
        if (!formatted) {
            kafka.format();
        }
        kafka.startServer();
        return kafka;
    }

    /** "127.0.0.1:PORT" of the PLAINTEXT listener. */
    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    /** Creates the topics with the given partition count and one replica; topics that already exist are left alone. */
    public void createTopics(int partitions, String... names) throws Exception {
        if (names.length == 0) {
            return;
        }
        Set<String> unique = new LinkedHashSet<>(Arrays.asList(names));
        List<NewTopic> topics = new ArrayList<>();
        for (String name : unique) {
            topics.add(new NewTopic(name, partitions, (short) 1));
        }
        try (Admin admin = admin()) {
            Map<String, KafkaFuture<Void>> results = admin.createTopics(topics).values();
            for (Map.Entry<String, KafkaFuture<Void>> e : results.entrySet()) {
                try {
                    e.getValue().get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + e.getKey(), ex.getCause());
                    }
                }
            }
            awaitLeaders(admin, unique);
        }
    }

    /** Stops the broker; data, cluster id and ports are kept for {@link #restart()}. Idempotent. */
    @Override
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        long t0 = System.nanoTime();
        KafkaRaftServer s = server;
        server = null;
        try {
            s.shutdown();
            s.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Embedded Kafka did not shut down cleanly", e);
        }
        LOG.info("Embedded Kafka on {} stopped in {} ms", bootstrapServers(), millisSince(t0));
    }



    /** Whether the broker is currently running. */
    @Override
    public synchronized boolean isRunning() {
        return server != null;
    }

    /** The directory this broker keeps its data in. */
    public Path dataDir() {
        return dataDir;
    }

    // ------------------------------------------------------------------------------------------------------------

    private Properties serverProperties() {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", Integer.toString(NODE_ID));
        p.setProperty("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("log.dirs", logDir.toString());

        p.setProperty("auto.create.topics.enable", "false");
        p.setProperty("num.partitions", "1");
        p.setProperty("default.replication.factor", "1");
        p.setProperty("min.insync.replicas", "1");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "4");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "4");
        // Flink's KafkaSink may ask for long transaction timeouts; allow up to one hour.
        p.setProperty("transaction.max.timeout.ms", "3600000");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");

        // Small footprint: this shares a 2-core machine and a heap with Flink.
        p.setProperty("num.network.threads", "2");
        p.setProperty("num.io.threads", "2");
        p.setProperty("background.threads", "2");
        p.setProperty("num.recovery.threads.per.data.dir", "1");
        p.setProperty("log.cleaner.threads", "1");
        p.setProperty("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
        p.setProperty("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
        return p;
    }

    private void format() throws Exception {
        long t0 = System.nanoTime();
        KafkaConfig config = new KafkaConfig(serverProps, false);
        Formatter formatter = new Formatter()
                .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                .setNodeId(NODE_ID)
                .setClusterId(clusterId)
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setIgnoreFormatted(true)
                .setControllerListenerName("CONTROLLER")
                .setMetadataLogDirectory(config.metadataLogDir())
                .addDirectory(logDir.toString());
        if (transactionVersion != null) {
            formatter.setFeatureLevel("transaction.version", transactionVersion);
        }
        formatter.run();
        LOG.info("Formatted embedded Kafka storage {} (cluster {}) in {} ms", logDir, clusterId, millisSince(t0));
    }

    @Override
    protected synchronized void startServer() throws Exception {
        if (server != null) {
            return;
        }
        long t0 = System.nanoTime();
        KafkaRaftServer s = new KafkaRaftServer(new KafkaConfig(serverProps, false), Time.SYSTEM);
        try {
            s.startup();
            awaitReady();
        } catch (Exception | Error e) {
            try {
                s.shutdown();
                s.awaitShutdown();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        server = s;
        LOG.info("Embedded Kafka started on {} (controller 127.0.0.1:{}) in {} ms",
                bootstrapServers(), controllerPort, millisSince(t0));
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Exception last = null;
        try (Admin admin = admin()) {
            while (System.nanoTime() < deadline) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                }
                Thread.sleep(50);
            }
        }
        throw new TimeoutException("embedded Kafka on " + bootstrapServers() + " not ready after " + READY_TIMEOUT
                + (last == null ? "" : ": " + last));
    }

    private void awaitLeaders(Admin admin, Set<String> topics) throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            boolean ready = true;
            try {
                Map<String, TopicDescription> descriptions =
                        admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS);
                for (TopicDescription d : descriptions.values()) {
                    if (d.partitions().stream().anyMatch(p -> p.leader() == null || p.leader().isEmpty())) {
                        ready = false;
                    }
                }
            } catch (ExecutionException e) {
                ready = false; // e.g. UnknownTopicOrPartition while metadata propagates
            }
            if (ready) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("topics " + topics + " have no leaders after " + READY_TIMEOUT);
            }
            Thread.sleep(50);
        }
    }

    private Admin admin() {
        Properties p = new Properties();
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        p.setProperty(AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-admin");
        return Admin.create(p);
    }

}
