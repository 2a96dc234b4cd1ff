package io.journeycep.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class SharedServicesTest {

    @Test
    void oneInstancePerJvmEvenUnderConcurrentFirstUse() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        Set<EmbeddedServices> seen = ConcurrentHashMap.newKeySet();
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    seen.add(SharedServices.get());
                    return null;
                }));
            }
            long t0 = System.nanoTime();
            go.countDown();
            for (Future<?> f : futures) {
                f.get(3, TimeUnit.MINUTES);
            }
            System.out.println("SharedServices.get() (parallel Kafka + PostgreSQL start, or already started): "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms");
        } finally {
            pool.shutdownNow();
        }
        assertThat(seen).hasSize(1);
        EmbeddedServices services = SharedServices.get();
        assertThat(seen).containsExactly(services);
        assertThat(services.kafka().isRunning()).isTrue();
        assertThat(services.postgres().isRunning()).isTrue();

        // Kafka works
        String topic = "shared-" + UUID.randomUUID();
        services.kafka().createTopics(1, topic);
        try (KafkaProducer<String, String> producer =
                     EmbeddedKafkaTest.transactionalProducer(services.kafka().bootstrapServers(), "shared-tx")) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "hello"));
            producer.commitTransaction();
        }
        assertThat(EmbeddedKafkaTest.readAll(services.kafka().bootstrapServers(), topic, "read_committed", 1))
                .containsExactly("hello");

        // PostgreSQL works
        EmbeddedPostgresServer pg = services.postgres();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS shared_check (v int)");
            s.execute("INSERT INTO shared_check VALUES (42)");
            try (ResultSet rs = s.executeQuery("SELECT sum(v) FROM shared_check")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(42);
            }
        }
        // data lives in a temporary directory that the shutdown hook deletes
        assertThat(services.baseDir().getFileName().toString()).startsWith("journeycep-embedded-");
    }
}
