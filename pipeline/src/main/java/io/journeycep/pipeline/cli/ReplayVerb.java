package io.journeycep.pipeline.cli;

import io.journeycep.pipeline.config.Instants;
import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.config.Secrets;
import io.journeycep.pipeline.control.ControlFile;
import io.journeycep.pipeline.control.ControlMessageParser;
import io.journeycep.pipeline.control.ControlRecord;
import io.journeycep.pipeline.control.ControlSources;
import io.journeycep.pipeline.ingest.WallClock;
import io.journeycep.pipeline.rules.RulesLinter;
import io.journeycep.pipeline.workflow.JourneyWorkflow;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code replay}: a bounded run over files. Event time comes only from the data (no wall-clock fallback, no
 * idleness), and ends at the greatest event time of the input (a team replaying a month wants what happened during
 * that month and the state at its end, not every user walked through every inactivity exit); with {@code --until
 * TIME} ({@code source.files.until}) it stops at TIME instead, and with {@code --drain} ({@code source.files.drain})
 * the end of input advances it to the end of time, so every pending timeout fires. With {@code --control FILE} the
 * control messages of the file ({@link ControlFile}) are fed to the replay as the control topic feeds a live job, each
 * with its {@code ts} as the record's time, in event time ({@link ControlSources#inEventTime}): each enters before event
 * time passes its {@code ts}, and rule changes reach the rule stages when event time reaches it.
 */
public final class ReplayVerb {
    static final String USAGE = String.join("\n",
            "Usage: journey-cep.jar replay --input FILE [--input FILE ...] [options]",
            "",
            "A bounded run over files (JSON lines, or CSV with a column mapping) that ends when the input ends,",
            "writes the tables (and topics when a broker is given) and prints a summary. Event time ends at the",
            "input's last (greatest) event time: the tables show the state as of the last event, and the timeouts",
            "after it (carts not due yet, open sessions, segment exits by inactivity) stay pending, counted in the",
            "summary.",
            "",
            "  --input FILE             input file; repeat for several (required)",
            "  --format jsonl|csv       default: csv for *.csv files, jsonl otherwise",
            "  --mapping NAME|FILE      CSV column mapping: rees46, taobao, retailrocket, or a mapping file",
            "  --jdbc-url URL           PostgreSQL to write alerts and rejected events to (tables are created)",
            "  --jdbc-user USER         database user",
            "  --jdbc-password-env VAR  environment variable with the password (default JOURNEY_JDBC_PASSWORD)",
            "  --jdbc-password-file F   file with the password",
            "  --kafka-bootstrap H:P    also write the Kafka topics (exactly-once)",
            "  --config FILE            a job config for thresholds and topic names (its source is ignored)",
            "  --rules FILE             a rules file (patterns, velocity rules) to try on the history; repeat for",
            "                           several. Its patterns run besides the built-ins (and the config's",
            "                           patterns.files); its velocity rules replace the config's. Linted first.",
            "  --until TIME             stop event time at TIME (ISO-8601 with a zone, 2019-10-01T12:00:00Z, or epoch",
            "                           millis): events after it are not processed (counted in the summary) and no",
            "                           timeout after it fires, so the tables show the state as of TIME. Without it",
            "                           event time ends at the last event.",
            "  --drain                  let the end of the input move event time to the end of time: every pending",
            "                           timeout fires (open carts are abandoned, users walk through every inactivity",
            "                           segment to the horizon's exit). Not with --until.",
            "  --control FILE           control messages to feed the replay as the control topic would: JSON lines,",
            "                           each a message (erasure, suppress, unsuppress, velocity-rule, segment-rule,",
            "                           ...) with its event time in \"ts\" (ISO-8601 with a zone, or epoch millis).",
            "                           Each enters before event time passes its ts; privacy requests and rule",
            "                           changes act when event time reaches it (README \"Replaying control",
            "                           messages\"). Checked before the run.",
            "  --state-backend B        rocksdb (default) or hashmap",
            "  --parallelism N          default 1");

    private ReplayVerb() {}

    static int run(String[] argv) throws Exception {
        Args args = Args.parse(
                "replay",
                argv,
                1,
                Set.of("input", "format", "mapping", "jdbc-url", "jdbc-user", "jdbc-password-env",
                        "jdbc-password-file", "kafka-bootstrap", "config", "state-backend", "parallelism", "rules",
                        "until", "control"),
                Set.of("drain"));
        if (args.has("help")) {
            System.out.println(USAGE);
            return 0;
        }
        if (args.all("input").isEmpty()) {
            throw new Args.UsageException("replay: --input is required");
        }
        if (args.has("drain") && args.has("until")) {
            throw new Args.UsageException("replay: --drain and --until exclude each other (--drain fires every "
                    + "pending timeout, --until stops event time at TIME)");
        }
        JobConfig config = args.has("config") ? JobConfig.load(Path.of(args.get("config"))) : new JobConfig();
        config.source.type = JobConfig.SourceType.FILES;
        config.source.files.paths.clear();
        for (String input : args.all("input")) {
            if (!Files.isReadable(Path.of(input))) {
                throw new Args.UsageException("replay: cannot read input file " + input);
            }
            config.source.files.paths.add(input);
        }
        for (String rules : args.all("rules")) {
            if (!Files.isReadable(Path.of(rules))) {
                throw new Args.UsageException("replay: cannot read rules file " + rules);
            }
            config.patterns.files.add(rules);
        }
        if (!config.patterns.files.isEmpty()) {
            // errors fail the run with the same messages when the job is defined; warnings are shown here
            RulesLinter.lint(config.patterns.files.stream().map(Path::of).collect(Collectors.toList()),
                    config.patterns.maxWindow).warnings().forEach(w -> System.err.println(w.format()));
        }
        if (args.has("until")) {
            try {
                config.source.files.until = Instants.parse(args.get("until"));
            } catch (IllegalArgumentException e) {
                throw new Args.UsageException("replay: --until " + e.getMessage());
            }
        }
        config.source.files.drain = args.has("drain");
        String first = args.all("input").get(0).toLowerCase(Locale.ROOT);
        String format = args.get("format", first.endsWith(".csv") ? "csv" : "jsonl");
        config.source.files.format = JobConfig.FileFormat.valueOf(format.toUpperCase(Locale.ROOT));
        config.source.files.mapping = args.get("mapping", config.source.files.mapping);
        config.outputs.kafka.enabled = args.has("kafka-bootstrap");
        config.outputs.kafka.bootstrapServers = args.get("kafka-bootstrap");
        config.outputs.jdbc.enabled = args.has("jdbc-url");
        config.outputs.jdbc.url = args.get("jdbc-url");
        config.outputs.jdbc.user = args.get("jdbc-user", config.outputs.jdbc.user);
        if (args.has("state-backend")) {
            config.runtime.stateBackend =
                    JobConfig.StateBackend.valueOf(args.get("state-backend").toUpperCase(Locale.ROOT));
        }
        config.runtime.parallelism = Integer.parseInt(args.get("parallelism", "1"));
        String password = null;
        if (config.outputs.jdbc.enabled) {
            String env = args.get("jdbc-password-env", "JOURNEY_JDBC_PASSWORD");
            password = args.has("jdbc-password-file")
                    ? Secrets.resolve("replay", null, args.get("jdbc-password-file"))
                    : System.getenv(env);
        }
        List<ControlRecord> control = List.of();
        if (args.has("control")) {
            Path file = Path.of(args.get("control"));
            if (!Files.isReadable(file)) {
                throw new Args.UsageException("replay: cannot read control file " + file);
            }
            // every line checked now, as the job will parse it: a bad line stops the replay before it starts
            control = ControlFile.read(file, new ControlMessageParser(WallClock.system(),
                    (int) config.segments.horizon.toDays()));
        }
        ReplaySummary summary = replay(config, password, control);
        System.out.println("replay of " + String.join(", ", config.source.files.paths) + " finished, "
                + summary.endOfEventTime());
        System.out.print(summary);
        return 0;
    }

    /** Runs a bounded replay of {@code config}'s file source and returns what it counted. */
    public static ReplaySummary replay(JobConfig config, String jdbcPassword) throws Exception {
        return replay(config, jdbcPassword, List.of());
    }

    /**
     * Runs a bounded replay of {@code config}'s file source, with {@code control} (a {@link ControlFile}'s records, in
     * time order; none: no control stream, as without {@code --control}) as its control topic, and returns what it
     * counted.
     */
    public static ReplaySummary replay(JobConfig config, String jdbcPassword, List<ControlRecord> control)
            throws Exception {
        config.eventTime.quietPeriod = null;
        config.eventTime.idleTimeout = null;
        if (config.runtime.checkpointInterval.compareTo(Duration.ofSeconds(2)) > 0) {
            config.runtime.checkpointInterval = Duration.ofSeconds(2);
        }
        java.util.List<String> errors = config.validate();
        if (!errors.isEmpty()) {
            throw new io.journeycep.pipeline.config.ConfigException("replay: " + String.join("; ", errors));
        }
        Configuration base = JobRunner.localBase();
        base.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        Path checkpoints = JobRunner.useTemporaryCheckpointDirIfUnset(config);
        try {
            StreamExecutionEnvironment env = JobRunner.environment(config, base);
            JourneyWorkflow.define(env, JobRunner.source(config),
                    control.isEmpty() ? null : ControlSources.inEventTime(control),
                    JobRunner.sinks(config, jdbcPassword), config);
            return new ReplaySummary(env.execute("journey-cep replay"), config.source.files.until,
                    config.source.files.drain);
        } finally {
            JobRunner.deleteQuietly(checkpoints);
        }
    }
}
