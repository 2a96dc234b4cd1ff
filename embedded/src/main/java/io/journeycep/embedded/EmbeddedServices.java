package io.journeycep.embedded;

import java.nio.file.Path;

/**
 * The embedded Kafka broker and PostgreSQL server under one base directory ({@code kafka/} and {@code postgres/});
 * what the demo starts. Both are started in parallel; closing stops both and deletes nothing.
 */
public final class EmbeddedServices implements AutoCloseable {
    private final Path baseDir;
    private final EmbeddedKafka kafka;
    private final EmbeddedPostgresServer postgres;

    private EmbeddedServices(Path baseDir, EmbeddedKafka kafka, EmbeddedPostgresServer postgres) {
        this.baseDir = baseDir;
        this.kafka = kafka;
        this.postgres = postgres;
    }

    public static EmbeddedServices start(Path baseDir) throws Exception {
        return start(baseDir, true);
    }

    static EmbeddedServices start(Path baseDir, boolean postgresStopsOnJvmExit) throws Exception {
        Path dir = baseDir.toAbsolutePath();
        // PostgreSQL is a child process: start it in the background while Kafka starts in this thread.
        java.util.concurrent.CompletableFuture<EmbeddedPostgresServer> pg = new java.util.concurrent.CompletableFuture<>();
        Thread starter = new Thread(() -> {
            try {
                pg.complete(EmbeddedPostgresServer.start(dir.resolve("postgres"), postgresStopsOnJvmExit));
            } catch (Throwable t) {
                pg.completeExceptionally(t);
            }
        }, "embedded-postgres-start");
        starter.setDaemon(true);
        starter.start();

        EmbeddedKafka kafka;
        try {
            kafka = EmbeddedKafka.start(dir.resolve("kafka"));
        } catch (Exception | Error e) {
            try {
                pg.get().close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        try {
            return new EmbeddedServices(dir, kafka, pg.get());
        } catch (java.util.concurrent.ExecutionException e) {
            kafka.close();
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public EmbeddedPostgresServer postgres() {
        return postgres;
    }

    public Path baseDir() {
        return baseDir;
    }

    @Override
    public void close() {
        try {
            kafka.close();
        } finally {
            postgres.close();
        }
    }
}
