package io.journeycep.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@link JobRunner#deleteQuietly}: the temporary checkpoint directory of a replay is deleted also when Flink removes
 * files in it during the walk (a replay that did its work exited 1 on {@code NoSuchFileException .../_metadata}).
 */
class DeleteQuietlyTest {
    @TempDir
    Path tmp;

    /** A checkpoint-like tree: chk-1/_metadata, chk-1/state-a, chk-1/state-b, chk-2/_metadata, shared/x. */
    private Path tree() throws IOException {
        Path root = tmp.resolve("journey-cep-checkpoints");
        for (String f : List.of("chk-1/_metadata", "chk-1/state-a", "chk-1/state-b", "chk-2/_metadata", "shared/x")) {
            Path p = root.resolve(f);
            Files.createDirectories(p.getParent());
            Files.writeString(p, f);
        }
        return root;
    }

    private static String stderrOf(Runnable r) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream previous = System.err;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            r.run();
        } finally {
            System.setErr(previous);
        }
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void deletesTheWholeTree() throws Exception {
        Path root = tree();
        assertThat(stderrOf(() -> JobRunner.deleteQuietly(root))).isEmpty();
        assertThat(root).doesNotExist();
    }

    @Test
    void aMissingDirectoryOrNullIsNothingToDo() {
        assertThat(stderrOf(() -> {
            JobRunner.deleteQuietly(null);
            JobRunner.deleteQuietly(tmp.resolve("never-created"));
        })).isEmpty();
    }

    /**
     * Deterministic vanishing: on its first file the visitor deletes every other file and directory of the tree (as
     * Flink's checkpoint clean-up may, concurrently), so the walk meets entries it listed that are gone by the time it
     * visits them. The walk goes on, deletes the rest and throws nothing.
     */
    @Test
    void filesAndDirectoriesVanishingDuringTheWalkAreNotAnError() throws Exception {
        Path root = tree();
        List<Path> vanished = new ArrayList<>();
        JobRunner.DeletingVisitor visitor = new JobRunner.DeletingVisitor() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (vanished.isEmpty()) {
                    try (Stream<Path> all = Files.walk(root)) {
                        all.filter(p -> !p.equals(root) && !p.equals(file) && !p.equals(file.getParent()))
                                .sorted(java.util.Comparator.reverseOrder())
                                .forEach(p -> {
                                    vanished.add(p);
                                    p.toFile().delete();
                                });
                    }
                }
                return super.visitFile(file, attrs);
            }
        };
        Files.walkFileTree(root, visitor);
        assertThat(vanished).as("the walk had entries vanish under it").hasSizeGreaterThanOrEqualTo(4);
        assertThat(root).doesNotExist();
    }

    @Test
    void theVisitorTreatsAVanishedEntryAsDeletedAndOtherFailuresAsFailures() throws Exception {
        JobRunner.DeletingVisitor visitor = new JobRunner.DeletingVisitor();
        Path gone = tmp.resolve("chk-1").resolve("_metadata");
        assertThat(visitor.visitFile(gone, null)).isEqualTo(FileVisitResult.CONTINUE);
        assertThat(visitor.visitFileFailed(gone, new NoSuchFileException(gone.toString())))
                .isEqualTo(FileVisitResult.CONTINUE);
        assertThat(visitor.postVisitDirectory(tmp.resolve("chk-1"), new NoSuchFileException("chk-1")))
                .isEqualTo(FileVisitResult.CONTINUE);
        IOException denied = new java.nio.file.AccessDeniedException(gone.toString());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> visitor.visitFileFailed(gone, denied))
                .isSameAs(denied);
    }
}
