package io.journeycep.pipeline.cli;

import io.journeycep.model.Durations;
import io.journeycep.patterns.spec.Finding;
import io.journeycep.patterns.spec.PatternLint;
import io.journeycep.pipeline.rules.RulesLinter;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code rules lint FILE [FILE…]}: the rules linter (README "Linter"). Prints one line per finding,
 * {@code file:line: error|warning: field: message}, then a count; exit code 1 when there is an error, 0 with only
 * warnings (or none), 2 for a usage mistake. The job runs the same checks at start.
 */
public final class RulesVerb {
    static final String USAGE = String.join("\n",
            "Usage: journey-cep.jar rules lint FILE [FILE ...] [--max-window D]",
            "",
            "Checks rules files (YAML or JSON: patterns and velocity rules) as the job does at start, and prints",
            "  file:line: error|warning: field: message",
            "for each mistake (errors: the job would refuse the file) and each pattern that will keep many partial",
            "matches (warnings). Exit code 1 when there is an error, else 0.",
            "",
            "  --max-window D   the state horizon patterns are checked against (patterns.max-window; default 24h)");

    private RulesVerb() {}

    static int run(String[] argv) {
        return run(argv, System.out);
    }

    static int run(String[] argv, PrintStream out) {
        if (argv.length < 2 || argv[1].equals("--help") || argv[1].equals("-h")) {
            out.println(USAGE);
            return argv.length < 2 ? 2 : 0;
        }
        if (!argv[1].equals("lint")) {
            throw new Args.UsageException("rules: unknown command '" + argv[1] + "' (the command is: rules lint FILE)");
        }
        List<Path> files = new ArrayList<>();
        Duration maxWindow = PatternLint.DEFAULT_MAX_WINDOW;
        for (int i = 2; i < argv.length; i++) {
            String a = argv[i];
            if (a.equals("--max-window")) {
                if (i + 1 >= argv.length) {
                    throw new Args.UsageException("rules lint: --max-window needs a value");
                }
                try {
                    maxWindow = Durations.parse(argv[++i]);
                } catch (IllegalArgumentException e) {
                    throw new Args.UsageException("rules lint: --max-window: " + e.getMessage());
                }
            } else if (a.equals("--help") || a.equals("-h")) {
                out.println(USAGE);
                return 0;
            } else if (a.startsWith("--")) {
                throw new Args.UsageException("rules lint: unknown option " + a);
            } else {
                files.add(Path.of(a));
            }
        }
        if (files.isEmpty()) {
            throw new Args.UsageException("rules lint: give at least one rules file");
        }
        RulesLinter.Result result = RulesLinter.lint(files, maxWindow);
        for (Finding f : result.findings) {
            out.println(f.format());
        }
        int errors = result.errors().size();
        int warnings = result.warnings().size();
        out.printf("%d error%s, %d warning%s in %d file%s (%d pattern%s, %d velocity rule%s)%n",
                errors, errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s",
                files.size(), files.size() == 1 ? "" : "s",
                result.patterns.size(), result.patterns.size() == 1 ? "" : "s",
                result.velocity == null ? 0 : result.velocity.size(),
                result.velocity != null && result.velocity.size() == 1 ? "" : "s");
        return errors > 0 ? 1 : 0;
    }
}
