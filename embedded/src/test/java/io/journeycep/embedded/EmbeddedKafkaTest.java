package io.journeycep.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

    @TempDir
    Path tmp;

    @Test
    void transactionsAreIsolatedAndCommittedDataSurvivesARestart() throws Exception {
        long t0 = System.nanoTime();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"))) {
            long startMs = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("EmbeddedKafka first start (format + start): " + startMs + " ms");
            String bootstrap = kafka.bootstrapServers();
            assertThat(bootstrap).matches("127\\.0\\.0\\.1:\\d+");
            assertThat(Files.isRegularFile(tmp.resolve("kafka/logs/meta.properties"))).isTrue();

            // Kafka 4.2's default for a new cluster: transactions version 2 (KIP-890)
            assertThat(transactionVersion(bootstrap)).isEqualTo((short) 2);
            kafka.createTopics(2, "tx-test");
            kafka.createTopics(2, "tx-test", "tx-other"); // idempotent, existing topic is fine

            try (Admin admin = admin(bootstrap)) {
                assertThat(admin.listTopics().names().get()).contains("tx-test", "tx-other");
                assertThat(admin.describeTopics(List.of("tx-test")).allTopicNames().get()
                        .get("tx-test").partitions()).hasSize(2);
            }

            try (KafkaProducer<String, String> producer = transactionalProducer(bootstrap, "tx-" + UUID.randomUUID())) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("tx-test", "k1", "committed-1"));
                producer.send(new ProducerRecord<>("tx-test", "k2", "committed-2"));
                producer.commitTransaction();

                producer.beginTransaction();
                producer.send(new ProducerRecord<>("tx-test", "k3", "aborted-1"));
                producer.send(new ProducerRecord<>("tx-test", "k4", "aborted-2"));
                producer.flush(); // the aborted records are really in the log
                producer.abortTransaction();

                producer.beginTransaction();
                producer.send(new ProducerRecord<>("tx-test", "k5", "committed-3"));
                producer.commitTransaction();
            }

            List<String> expected = List.of("committed-1", "committed-2", "committed-3");
            assertThat(readAll(bootstrap, "tx-test", "read_committed", 3)).containsExactlyInAnyOrderElementsOf(expected);
            // read_uncommitted sees the aborted records too: proof that the isolation really came from the broker
            assertThat(readAll(bootstrap, "tx-test", "read_uncommitted", 5))
                    .contains("aborted-1", "aborted-2").containsAll(expected);

            kafka.stop();
            assertThat(kafka.isRunning()).isFalse();
            long r0 = System.nanoTime();
            kafka.restart();
            System.out.println("EmbeddedKafka restart: " + (System.nanoTime() - r0) / 1_000_000 + " ms");
            assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);

            assertThat(readAll(bootstrap, "tx-test", "read_committed", 3)).containsExactlyInAnyOrderElementsOf(expected);

            // transactions still work after the restart
            try (KafkaProducer<String, String> producer = transactionalProducer(bootstrap, "tx-" + UUID.randomUUID())) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("tx-test", "k6", "committed-4"));
                producer.commitTransaction();
            }
            assertThat(readAll(bootstrap, "tx-test", "read_committed", 4)).contains("committed-4");
        }
    }

    @Test
    void transactionVersionOneCanBeChosenForANewCluster() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka-tv1"), (short) 1)) {
            assertThat(transactionVersion(kafka.bootstrapServers())).isEqualTo((short) 1);
            kafka.createTopics(1, "tv1");
            try (KafkaProducer<String, String> producer =
                         transactionalProducer(kafka.bootstrapServers(), "tv1-" + UUID.randomUUID())) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("tv1", "a", "committed"));
                producer.commitTransaction();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("tv1", "b", "aborted"));
                producer.flush();
                producer.abortTransaction();
            }
            assertThat(readAll(kafka.bootstrapServers(), "tv1", "read_committed", 1)).containsExactly("committed");
        }
    }

    @Test
    void topicsAreNotAutoCreated() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka2"))) {
            Properties p = new Properties();
            p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.setProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG, "2000");
            try (KafkaProducer<String, String> producer =
                         new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("no-such-topic", "v")).get();
                throw new AssertionError("send to a missing topic succeeded");
            } catch (Exception expected) {
                // metadata timeout: the topic does not exist and was not created
            }
            try (Admin admin = admin(kafka.bootstrapServers())) {
                assertThat(admin.listTopics().names().get()).doesNotContain("no-such-topic");
            }
        }
    }

    static KafkaProducer<String, String> transactionalProducer(String bootstrap, String txId) {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(ProducerConfig.TRANSACTIONAL_ID_CONFIG, txId);
        p.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** Reads the topic from the beginning until at least {@code atLeast} records arrived and nothing more comes. */
    static List<String> readAll(String bootstrap, String topic, String isolation, int atLeast) {
        Properties p = new Properties();
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                boolean atEnd = partitions.stream().allMatch(tp ->
                        consumer.position(tp) >= consumer.endOffsets(List.of(tp)).get(tp));
                if (values.size() >= atLeast && atEnd) {
                    break;
                }
            }
        }
        return values;
    }

    static short transactionVersion(String bootstrap) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            var level = admin.describeFeatures().featureMetadata().get()
                    .finalizedFeatures().get("transaction.version");
            return level == null ? 0 : level.maxVersionLevel();
        }
    }

    static Admin admin(String bootstrap) {
        Properties p = new Properties();
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(p);
    }
}
