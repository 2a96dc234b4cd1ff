package io.journeycep.pipeline.cli;

import io.journeycep.embedded.EmbeddedServices;
import io.journeycep.model.Durations;
import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.demo.DemoTraffic;
import io.journeycep.pipeline.workflow.JourneyWorkflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@code demo}: local Flink with its web UI, an embedded Kafka broker and PostgreSQL, scripted traffic with known
 * abandonment cases; prints alerts as they arrive on the (exactly-once) output topics. Ctrl-C stops everything.
 */
final class DemoVerb {
    static final String USAGE = String.join("\n",
            "Usage: journey-cep.jar demo [--duration 2m] [--users-per-second 4] [--timeout 20s]",
            "",
            "Starts a local Flink (web UI on a free port), an embedded Kafka broker (KRaft) and PostgreSQL, sends",
            "scripted shoppers to the `events` topic and prints each alert as it reaches `journey.triggers` or "
                    + "`risk.alerts`, and each segment change on `segment.updates`.",
            "The abandonment timeout is shortened (default 20s instead of 30m) so alerts show up quickly.",
            "Ctrl-C stops the job, the generator and the services, and deletes the demo's temporary data.",
            "",
            "  --duration D          stop by itself after D (e.g. 90s); default: run until Ctrl-C",
            "  --users-per-second N  new scripted users per second (default 4)",
            "  --timeout D           cart abandonment timeout (default 20s)");

    private static final ObjectMapper JSON = new ObjectMapper();

    private DemoVerb() {}

    static int run(String[] argv) throws Exception {
        Args args = Args.parse("demo", argv, 1, Set.of("duration", "users-per-second", "timeout"), Set.of());
        if (args.has("help")) {
            System.out.println(USAGE);
            return 0;
        }
        Duration duration = args.has("duration") ? Durations.parse(args.get("duration")) : null;
        int usersPerSecond = Integer.parseInt(args.get("users-per-second", "4"));
        Duration timeout = Durations.parse(args.get("timeout", "20s"));

        Path dir = Files.createTempDirectory("journey-cep-demo");
        AtomicBoolean stopping = new AtomicBoolean();
        CountDownLatch stopped = new CountDownLatch(1);
        System.out.println("starting embedded Kafka and PostgreSQL under " + dir + " …");
        EmbeddedServices services = EmbeddedServices.start(dir);
        String bootstrap = services.kafka().bootstrapServers();
        services.kafka().createTopics(2, "events");
        services.kafka().createTopics(1, "journey.triggers", "risk.alerts", "events.dlq", "events.late", "segment.updates",
                "control");

        JobConfig config = demoConfig(bootstrap, services.postgres().jdbcUrl(), services.postgres().user(), timeout);
        config.runtime.checkpointDir = dir.resolve("checkpoints").toUri().toString();
        int webPort = freePort();
        Configuration flinkConf = JobRunner.flinkConfiguration(config, JobRunner.localBase());
        flinkConf.set(RestOptions.PORT, webPort);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flinkConf);
        env.setParallelism(2);
        JourneyWorkflow.define(env, JobRunner.source(config), JobRunner.controlSource(config),
                JobRunner.sinks(config, services.postgres().password()), config);
        JobClient job = env.executeAsync("journey-cep demo");

        System.out.println();
        System.out.println("journey-cep demo is running");
        System.out.println("  Flink web UI     http://localhost:" + webPort);
        System.out.println("  Kafka            " + bootstrap + "   in: events, control (velocity rules)   out: journey.triggers, risk.alerts,"
                + " events.dlq, events.late (read_committed)");
        System.out.println("  PostgreSQL       " + services.postgres().jdbcUrl() + "   user "
                + services.postgres().user() + " / password " + services.postgres().password()
                + "   tables: alerts, rejected_events");
        System.out.println("  abandonment      view → cart add → no purchase within " + Durations.format(timeout)
                + " (demo setting; 30m by default)");
        System.out.println("  stop             Ctrl-C" + (duration != null ? " (or wait " + Durations.format(duration) + ")" : ""));
        System.out.println();

        DemoTraffic traffic = new DemoTraffic(42, timeout.toMillis());
        AtomicLong abandonmentsDue = new AtomicLong();
        AtomicLong triggers = new AtomicLong();
        AtomicLong deadLetters = new AtomicLong();
        Thread generator = new Thread(() -> generate(bootstrap, traffic, usersPerSecond, stopping, abandonmentsDue),
                "demo-generator");
        Thread printer = new Thread(() -> print(bootstrap, stopping, triggers, deadLetters), "demo-printer");
        generator.setDaemon(true);
        printer.setDaemon(true);
        generator.start();
        printer.start();

        Thread shutdown = new Thread(() -> {
            if (stopping.compareAndSet(false, true)) {
                stop(job, generator, printer, services, dir);
                System.out.printf("%nscripted abandonments due by now: %d, CART_ABANDONED alerts printed: %d,"
                        + " dead letters: %d%n(an alert is committed to Kafka at the first checkpoint after its"
                        + " deadline, so the last few may still have been in flight)%n",
                        abandonmentsDue.get(), triggers.get(), deadLetters.get());
            }
            stopped.countDown();
        }, "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        if (duration != null) {
            stopped.await(duration.toMillis(), TimeUnit.MILLISECONDS);
            Runtime.getRuntime().removeShutdownHook(shutdown);
            shutdown.run();
        } else {
            stopped.await();
        }
        return 0;
    }

    static JobConfig demoConfig(String bootstrap, String jdbcUrl, String jdbcUser, Duration timeout) {
        JobConfig c = new JobConfig();
        c.source.type = JobConfig.SourceType.KAFKA;
        c.source.kafka.bootstrapServers = bootstrap;
        c.source.kafka.groupId = "journey-cep-demo";
        c.eventTime.maxOutOfOrderness = Duration.ofSeconds(1);
        c.eventTime.idleTimeout = Duration.ofSeconds(5);
        c.eventTime.quietPeriod = Duration.ofSeconds(3);
        c.cartAbandonment.timeout = timeout;
        c.cartAbandonment.viewLookback = Duration.ofMinutes(1);
        c.outputs.jdbc.url = jdbcUrl;
        c.outputs.jdbc.user = jdbcUser;
        c.runtime.checkpointInterval = Duration.ofSeconds(2);
        return c;
    }

    private static void generate(
            String bootstrap, DemoTraffic traffic, int usersPerSecond, AtomicBoolean stopping, AtomicLong due) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        PriorityQueue<DemoTraffic.TimedRecord> queue =
                new PriorityQueue<>(Comparator.comparingLong((DemoTraffic.TimedRecord r) -> r.atMillis));
        PriorityQueue<Long> alertsDue = new PriorityQueue<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            long nextUser = System.currentTimeMillis();
            while (!stopping.get()) {
                long now = System.currentTimeMillis();
                while (nextUser <= now) {
                    for (DemoTraffic.TimedRecord r : traffic.newUser(now)) {
                        queue.add(r);
                        if (r.alertDueMillis > 0) {
                            alertsDue.add(r.alertDueMillis);
                        }
                    }
                    nextUser += 1000 / Math.max(1, usersPerSecond);
                }
                while (!queue.isEmpty() && queue.peek().atMillis <= now) {
                    DemoTraffic.TimedRecord r = queue.poll();
                    producer.send(new ProducerRecord<>("events", r.key.getBytes(StandardCharsets.UTF_8), r.value));
                }
                while (!alertsDue.isEmpty() && alertsDue.peek() <= now) {
                    alertsDue.poll();
                    due.incrementAndGet();
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (!stopping.get()) {
                System.err.println("demo generator stopped: " + e);
            }
        }
    }

    private static void print(String bootstrap, AtomicBoolean stopping, AtomicLong triggers, AtomicLong deadLetters) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "journey-cep-demo-printer");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of("journey.triggers", "risk.alerts", "events.dlq", "segment.updates"));
            while (!stopping.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    JsonNode n = JSON.readTree(r.value());
                    if (r.topic().equals("segment.updates")) {
                        System.out.printf("%-9s %-16s %-8s %s (%s)%n", "SEGMENT", n.path("action").asText() + " "
                                + n.path("segment").asText(), n.path("user_id").asText(), "",
                                n.path("reason").asText());
                    } else if (r.topic().equals("events.dlq")) {
                        deadLetters.incrementAndGet();
                        System.out.printf("%-9s %-16s %-14s %s%n", "dead", n.path("reason").asText(),
                                n.path("source").asText() + "@" + n.path("position").asText(),
                                n.path("detail").asText());
                    } else {
                        if ("CART_ABANDONED".equals(n.path("kind").asText())) {
                            triggers.incrementAndGet();
                        }
                        JsonNode ev = n.path("evidence");
                        if ("VELOCITY".equals(n.path("kind").asText())) {
                            System.out.printf("%-9s %-16s %-8s rule %s v%s: %s %s %s%n", "ALERT",
                                    n.path("kind").asText(), n.path("subject_key").asText(),
                                    n.path("rule_id").asText(), n.path("rule_version").asText(),
                                    ev.path("value").asText(), ev.path("comparison").asText(),
                                    ev.path("threshold").asText());
                        } else if ("HIGH_VALUE_BROWSING".equals(n.path("kind").asText())) {
                            System.out.printf("%-9s %-16s %-8s viewed %s prices %s%n", "ALERT",
                                    n.path("kind").asText(), n.path("subject_key").asText(), ev.path("item_ids"),
                                    ev.path("prices"));
                        } else if ("PATH_ANOMALY".equals(n.path("kind").asText())) {
                            System.out.printf("%-9s %-16s %-8s mean -ln p %.2f > %s path %s%n", "ALERT",
                                    n.path("kind").asText(), n.path("subject_key").asText(), n.path("score").asDouble(),
                                    n.path("threshold").asText(), ev.path("path"));
                        } else if (!"CART_ABANDONED".equals(n.path("kind").asText())) {
                            System.out.printf("%-9s %-16s %-8s score %s threshold %s%n", "ALERT",
                                    n.path("kind").asText(), n.path("subject_key").asText(), n.path("score").asText(),
                                    n.path("threshold").asText());
                        } else {
                            System.out.printf("%-9s %-16s %-8s cart %s viewed %s deadline %s%n", "ALERT",
                                    n.path("kind").asText(), n.path("subject_key").asText(), ev.path("cart_items"),
                                    ev.path("viewed_items"), n.path("window_end").asText());
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!stopping.get()) {
                System.err.println("demo printer stopped: " + e);
            }
        }
    }

    private static void stop(JobClient job, Thread generator, Thread printer, EmbeddedServices services, Path dir) {
        System.out.println("\nstopping …");
        try {
            generator.join(2_000);
            printer.join(2_000);
            job.cancel().get(30, TimeUnit.SECONDS);
            awaitTerminal(job, 30_000);
        } catch (Exception e) {
            System.err.println("cancelling the job: " + e);
        }
        services.close(); // only now: the job's Kafka transactions must not outlive the broker
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e);
        }
    }

    /**
     * Waits until the job has really ended: the cancel future completes when the cancel is acknowledged, while tasks
     * may still be aborting their Kafka transactions (closing the broker then makes them fail with EndTxn timeouts).
     * The job's result future completes (exceptionally, for a cancelled job) only once it has ended.
     */
    private static void awaitTerminal(JobClient job, long timeoutMs) throws Exception {
        try {
            job.getJobExecutionResult().get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException cancelled) {
            // expected: a cancelled job's result is a JobCancellationException
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static String isoNow() {
        return Instant.now().toString();
    }
}
