package io.journeycep.pipeline.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The project's shared test data, found beside or above the repository (CI clones it with shared/ beside it). */
public final class TestData {
    private TestData() {}

    /** {@code shared/data/rees46-2019-oct-head/2019-Oct.csv}; fails loudly when it is missing rather than skipping. */
    public static Path rees46() {
        String relative = "shared/data/rees46-2019-oct-head/2019-Oct.csv";
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve(relative);
            if (Files.isReadable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(relative + " not found beside or above " + Path.of("").toAbsolutePath()
                + ": the tests need the project's shared data next to the repository");
    }
}
