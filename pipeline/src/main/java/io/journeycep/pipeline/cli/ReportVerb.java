package io.journeycep.pipeline.cli;

import io.journeycep.pipeline.config.Instants;
import io.journeycep.pipeline.config.Secrets;
import io.journeycep.pipeline.report.JourneyGraph;
import io.journeycep.pipeline.report.ReportData;
import io.journeycep.pipeline.report.ReportRenderer;
import io.journeycep.pipeline.report.ReportRepository;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Set;

/**
 * {@code report}: reads the job's PostgreSQL tables and writes the journey report, one self-contained HTML page
 * (README "Journey report"). Needs no Flink: it only reads the database.
 */
public final class ReportVerb {
    static final String USAGE = String.join("\n",
            "Usage: journey-cep.jar report --jdbc-url URL --out FILE [options]",
            "",
            "Reads the job's tables (journey_transitions, segment_membership, segment_changes, alerts) and writes",
            "one self-contained HTML page (no network needed to view it): the journey flow with transition",
            "probabilities, where sessions end, segment sizes and their changes over time, alerts by kind over",
            "time and the top velocity rules. Only reads the database.",
            "",
            "  --jdbc-url URL           the job's PostgreSQL (required)",
            "  --jdbc-user USER         database user",
            "  --jdbc-password-env VAR  environment variable with the password (default JOURNEY_JDBC_PASSWORD,",
            "                           used when set)",
            "  --jdbc-password-file F   file with the password",
            "  --out FILE               the HTML file to write (required)",
            "  --since TIME             only alerts and segment changes at or after TIME (ISO-8601 with a zone,",
            "                           2019-10-01T00:00:00Z, or epoch millis)",
            "  --until TIME             only alerts and segment changes at or before TIME; segment sizes over time",
            "                           then end at TIME",
            "",
            "The transition counts and the current segment members have no time: they are shown whole.");

    private ReportVerb() {}

    static int run(String[] argv) throws Exception {
        return run(argv, System.out);
    }

    /** Runs the verb with {@code argv} (the verb name first), printing to {@code out}; returns the exit code. */
    public static int run(String[] argv, PrintStream out) throws Exception {
        Args args = Args.parse("report", argv, 1,
                Set.of("jdbc-url", "jdbc-user", "jdbc-password-env", "jdbc-password-file", "out", "since", "until"),
                Set.of());
        if (args.has("help")) {
            out.println(USAGE);
            return 0;
        }
        String url = args.require("report", "jdbc-url");
        Path target = Path.of(args.require("report", "out"));
        Instant since = instant(args, "since");
        Instant until = instant(args, "until");
        if (since != null && until != null && since.isAfter(until)) {
            throw new Args.UsageException("report: --since " + since + " is after --until " + until);
        }
        String password;
        if (args.has("jdbc-password-file")) {
            password = Secrets.resolve("report", null, args.get("jdbc-password-file"));
        } else if (args.has("jdbc-password-env")) {
            password = Secrets.resolve("report", args.get("jdbc-password-env"), null);
        } else {
            password = System.getenv("JOURNEY_JDBC_PASSWORD");
        }
        ReportData data;
        try (Connection c = DriverManager.getConnection(url, args.get("jdbc-user"), password)) {
            c.setReadOnly(true);
            data = new ReportRepository(c).load(since, until, Instant.now());
        } catch (SQLException e) {
            // the driver's message names the server and the problem, never the password
            System.err.println("report: cannot read the tables: " + e.getMessage());
            return 1;
        }
        String html = ReportRenderer.render(data);
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".report-", ".html");
        Files.writeString(tmp, html, StandardCharsets.UTF_8);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        long alerts = data.alertCounts().stream().mapToLong(ReportData.AlertCount::count).sum();
        out.printf("wrote %s (%d KB): %,d sessions, %,d alerts, %d segments, %d velocity rules%n", target,
                (html.getBytes(StandardCharsets.UTF_8).length + 1023) / 1024,
                new JourneyGraph(data.transitions()).sessions(), alerts, data.segmentSizes().size(),
                data.velocityRules().size());
        return 0;
    }

    private static Instant instant(Args args, String name) {
        if (!args.has(name)) {
            return null;
        }
        try {
            return Instants.parse(args.get(name));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("report: --" + name + " " + e.getMessage());
        }
    }
}
