package io.journeycep.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code rules lint}: its output lines and exit codes. */
class RulesVerbTest {
    static final String EXAMPLE = Path.of("..", "rules", "examples", "checkout-payment-failed.yaml").toString();

    @TempDir
    Path dir;

    private record Run(int code, String out) {}

    private static Run lint(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        String[] argv = new String[args.length + 2];
        argv[0] = "rules";
        argv[1] = "lint";
        System.arraycopy(args, 0, argv, 2, args.length);
        int code = RulesVerb.run(argv, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return new Run(code, bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aCleanFileExitsZero() {
        Run r = lint(EXAMPLE);
        assertThat(r.code).isZero();
        assertThat(r.out).isEqualTo(String.format("0 errors, 0 warnings in 1 file (1 pattern, 0 velocity rules)%n"));
    }

    @Test
    void warningsAloneExitZero() throws Exception {
        Path file = dir.resolve("busy.yaml");
        Files.writeString(file, Files.readString(Path.of(EXAMPLE)).replace("contiguity: relaxed", "contiguity: any"));
        Run r = lint(file.toString());
        assertThat(r.code).isZero();
        assertThat(r.out).isEqualTo(String.format("%s:19: warning: patterns[0].steps[1].contiguity: 'any'"
                + " (followedByAny) keeps a partial match for every earlier event this step could follow; expect many"
                + " partial matches per user (prefer relaxed or strict)%n"
                + "0 errors, 1 warning in 1 file (1 pattern, 0 velocity rules)%n", file));
    }

    @Test
    void errorsExitOneAndNameFileLineAndField() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, Files.readString(Path.of(EXAMPLE)).replace("within: 15m", "within: 2d"));
        Run r = lint(EXAMPLE, file.toString());
        assertThat(r.code).isEqualTo(1);
        assertThat(r.out).isEqualTo(String.format("%s:11: error: patterns[0].within: 2d is longer than the state"
                + " horizon (1d, patterns.max-window): partial matches and look-back events would be kept that long%n"
                + "%s:7: error: patterns[0].id: 'checkout-payment-failed' is already the id of %s patterns[0];"
                + " pattern ids must be unique (they are rule ids and operator uids)%n"
                + "2 errors, 0 warnings in 2 files (2 patterns, 0 velocity rules)%n", file, file, EXAMPLE));
        assertThat(lint("--max-window", "3d", file.toString()).code).isZero();
    }

    @Test
    void usageMistakes() throws Exception {
        assertThatThrownBy(() -> lint()).isInstanceOf(Args.UsageException.class).hasMessageContaining("at least one");
        assertThatThrownBy(() -> RulesVerb.run(new String[] {"rules", "check", EXAMPLE}))
                .isInstanceOf(Args.UsageException.class).hasMessageContaining("unknown command 'check'");
        assertThat(Verbs.run(new String[] {"rules", "lint"})).as("usage exit code").isEqualTo(2);
        assertThat(Verbs.run(new String[] {"rules", "lint", dir.resolve("missing.yaml").toString()})).isEqualTo(1);
    }
}
