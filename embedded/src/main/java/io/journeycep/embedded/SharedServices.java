package io.journeycep.embedded;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka broker and one PostgreSQL per JVM for tests: started on the first {@link #get()} (thread-safe) in a fresh
 * temporary directory, stopped by a shutdown hook which then deletes that directory.
 *
 * <p>Tests share these services, so they must use their own topic, table and consumer-group names, and must not
 * call {@code close()} on them. {@code stop()}/{@code restart()} are allowed but affect every test in the JVM.
 */
public final class SharedServices {
    private static final Logger LOG = LoggerFactory.getLogger(SharedServices.class);

    private static volatile EmbeddedServices instance;

    private SharedServices() {
    }

    public static EmbeddedServices get() {
        EmbeddedServices s = instance;
        if (s != null) {
            return s;
        }
        synchronized (SharedServices.class) {
            if (instance == null) {
                instance = startShared();
            }
            return instance;
        }
    }

    private static EmbeddedServices startShared() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("journeycep-embedded-");
            long t0 = System.nanoTime();
            EmbeddedServices services = EmbeddedServices.start(dir, false); // our hook stops PostgreSQL before deleting
            LOG.info("Shared embedded services started in {} ms: kafka {}, postgres {}",
                    (System.nanoTime() - t0) / 1_000_000, services.kafka().bootstrapServers(),
                    services.postgres().jdbcUrl());
            Path toDelete = dir;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    services.close();
                } finally {
                    deleteRecursively(toDelete);
                }
            }, "shared-embedded-services-shutdown"));
            return services;
        } catch (Exception e) {
            if (dir != null) {
                deleteRecursively(dir);
            }
            throw new IllegalStateException("cannot start shared embedded Kafka and PostgreSQL", e);
        }
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", dir, e.toString());
        }
    }
}
