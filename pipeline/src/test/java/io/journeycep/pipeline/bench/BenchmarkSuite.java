package io.journeycep.pipeline.bench;

import org.apache.flink.runtime.util.EnvironmentInformation;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Issue 7's benchmark suite: runs the measurements below, each in its own JVM, and writes their tables into
 * {@code docs/BENCHMARKS.md} between {@value #BEGIN} and {@value #END} (the rest of the file is kept). Run it with
 * {@code bash bench/suite.sh}; sizes come from the environment (see {@link Sizes#fromEnv}).
 *
 * <ol>
 *   <li>for each user count: the pass-through job (parse, keyBy user, discard) and the full pipeline
 *       ({@link WorkflowBenchmark} {@code passthrough} and {@code all}, RocksDB), with the full pipeline's checkpoint
 *       durations and state bytes per active user;</li>
 *   <li>the same two jobs at parallelism {@code PARALLELISM} (default 2) for the first user count, one row in the
 *       throughput table with events/s per core, so that users see how the job scales on the machine the suite ran on
 *       (the bars stay judged at parallelism 1);</li>
 *   <li>for each user count: the {@code replay} verb over the same events as a JSON-lines file ({@link
 *       ReplayBenchmark}: the file written once into target/bench-suite, the verb run as a user runs it), its rate with
 *       job start left out and whether it completed, next to the full pipeline's streaming rate ("backtests are fast
 *       and never fail": the bar is that it completes at no less than the streaming rate);</li>
 *   <li>the cart-abandonment CEP stage against vanilla Flink CEP on RocksDB, same input ({@link
 *       CartAbandonmentBenchmark} {@code stage}, {@code vanilla-operator}, {@code vanilla-cep});</li>
 *   <li>event → alert latency of the full pipeline at half the full pipeline's rate measured in step 1 ({@link
 *       WorkflowBenchmark} {@code latency}).</li>
 * </ol>
 *
 * A measurement that fails or exceeds {@code TIMEOUT} seconds becomes a row that says so. {@link #run} with
 * {@code fork = false} runs everything in this JVM (the smoke test).
 */
public final class BenchmarkSuite {
    static final String BEGIN = "<!-- suite:begin -->";
    static final String END = "<!-- suite:end -->";

    private BenchmarkSuite() {}

    /** The suite's sizes. */
    static final class Sizes {
        boolean quick;
        long events;
        List<Integer> users;
        long cepEvents;
        int cepUsers;
        long latencySeconds;
        int latencyUsers;
        /** Events/s of the latency run; 0: half the full pipeline's rate at the first user count. */
        long latencyRate;
        long timeoutSeconds;
        /** Parallelism of the scaling pair (pass-through and full pipeline at the first user count); 1: none. */
        int parallelism;

        /**
         * {@code QUICK=1} for a smoke run; {@code EVENTS}, {@code USERS_LIST} (space-separated), {@code CEP_EVENTS},
         * {@code CEP_USERS}, {@code LATENCY_SECONDS}, {@code LATENCY_USERS} (default: the first user count), {@code LATENCY_RATE}, {@code TIMEOUT}
         * (seconds per measurement), {@code PARALLELISM} (of the scaling pair, default 2; 1 leaves it out) override a
         * size.
         */
        static Sizes fromEnv(Map<String, String> env) {
            Sizes s = new Sizes();
            s.quick = "1".equals(env.get("QUICK"));
            s.events = Long.parseLong(env.getOrDefault("EVENTS", s.quick ? "100000" : "1000000"));
            s.users = new ArrayList<>();
            for (String u : env.getOrDefault("USERS_LIST", s.quick ? "10000 100000" : "100000 1000000").trim()
                    .split("\\s+")) {
                s.users.add(Integer.parseInt(u));
            }
            s.cepEvents = Long.parseLong(env.getOrDefault("CEP_EVENTS", s.quick ? "10000" : "60000"));
            s.cepUsers = Integer.parseInt(env.getOrDefault("CEP_USERS", "100000"));
            s.latencySeconds = Long.parseLong(env.getOrDefault("LATENCY_SECONDS", s.quick ? "30" : "120"));
            s.latencyUsers = Integer.parseInt(env.getOrDefault("LATENCY_USERS", String.valueOf(s.users.get(0))));
            s.latencyRate = Long.parseLong(env.getOrDefault("LATENCY_RATE", "0"));
            s.timeoutSeconds = Long.parseLong(env.getOrDefault("TIMEOUT", "1800"));
            s.parallelism = Integer.parseInt(env.getOrDefault("PARALLELISM", "2"));
            return s;
        }

        String describe() {
            return String.format(Locale.ROOT, "%sEVENTS=%d USERS_LIST=\"%s\" CEP_EVENTS=%d CEP_USERS=%d"
                            + " LATENCY_SECONDS=%d LATENCY_USERS=%d%s PARALLELISM=%d", quick ? "QUICK=1 " : "", events,
                    String.join(" ", users.stream().map(String::valueOf).toList()), cepEvents, cepUsers,
                    latencySeconds, latencyUsers, latencyRate > 0 ? " LATENCY_RATE=" + latencyRate : "", parallelism);
        }
    }

    /** One measurement: its RESULT fields, or why there are none. */
    static final class Result {
        final String name;
        final Map<String, String> fields;
        final String failure;

        Result(String name, Map<String, String> fields, String failure) {
            this.name = name;
            this.fields = fields;
            this.failure = failure;
        }

        boolean ok() {
            return failure == null;
        }

        double num(String key) {
            String v = fields.get(key);
            return v == null || v.equals("null") ? Double.NaN : Double.parseDouble(v);
        }

        String get(String key) {
            return fields.getOrDefault(key, "–");
        }
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/BENCHMARKS.md");
        Sizes sizes = Sizes.fromEnv(System.getenv());
        Path logs = Path.of("target", "bench-suite");
        Files.createDirectories(logs);
        String markdown = run(sizes, true, logs);
        replaceSection(out, markdown);
        System.out.println(markdown);
        System.out.println("written to " + out + " (between " + BEGIN + " and " + END + ")");
    }

    /** Runs every measurement and returns the suite's markdown section (markers included). */
    static String run(Sizes sizes, boolean fork, Path logs) throws Exception {
        String started = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"));
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        List<Result[]> throughput = new ArrayList<>();
        for (int users : sizes.users) {
            String n = String.valueOf(sizes.events);
            String u = String.valueOf(users);
            throughput.add(new Result[] {
                measure(fork, logs, "passthrough-" + users, sizes, "WorkflowBenchmark", "passthrough", "rocksdb", n, u),
                measure(fork, logs, "full-" + users, sizes, "WorkflowBenchmark", "all", "rocksdb", n, u)});
        }
        Result[] scaled = null;
        if (sizes.parallelism > 1) {
            String n = String.valueOf(sizes.events);
            String u = String.valueOf(sizes.users.get(0));
            String p = String.valueOf(sizes.parallelism);
            scaled = new Result[] {
                measure(fork, logs, "passthrough-" + u + "-p" + p, sizes, "WorkflowBenchmark", "passthrough", "rocksdb",
                        n, u, "0", p),
                measure(fork, logs, "full-" + u + "-p" + p, sizes, "WorkflowBenchmark", "all", "rocksdb", n, u, "0",
                        p)};
        }
        List<Result> replays = new ArrayList<>();
        for (int users : sizes.users) {
            replays.add(replay(fork, logs, sizes, users));
        }
        String ce = String.valueOf(sizes.cepEvents);
        String cu = String.valueOf(sizes.cepUsers);
        Result stage = measure(fork, logs, "cep-stage", sizes, "CartAbandonmentBenchmark", "stage", "rocksdb", ce, cu);
        Result operator = measure(fork, logs, "cep-vanilla-operator", sizes, "CartAbandonmentBenchmark",
                "vanilla-operator", "rocksdb", ce, cu);
        Result vanilla = measure(fork, logs, "cep-vanilla", sizes, "CartAbandonmentBenchmark", "vanilla-cep",
                "rocksdb", ce, cu);
        long rate = sizes.latencyRate;
        Result full = throughput.get(0)[1];
        if (rate <= 0 && full.ok()) {
            rate = Math.max(1, Math.round(full.num("events_per_s") / 2));
        }
        Result latency = rate <= 0
                ? new Result("latency", Map.of(), "no sustainable rate: the full pipeline run failed")
                : measure(fork, logs, "latency", sizes, "WorkflowBenchmark", "latency", "rocksdb",
                        String.valueOf(rate * sizes.latencySeconds), String.valueOf(sizes.latencyUsers),
                        String.valueOf(rate));
        return render(sizes, started, load, throughput, scaled, replays, new Result[] {stage, operator, vanilla},
                latency);
    }

    /**
     * Writes the throughput runs' input for {@code users} to a JSON-lines file in {@code logs} (target/bench-suite)
     * and times the {@code replay} verb over it ({@link ReplayBenchmark}).
     */
    private static Result replay(boolean fork, Path logs, Sizes sizes, int users) {
        String name = "replay-" + users;
        Path file = logs.resolve("replay-" + sizes.events + "-events-" + users + "-users.jsonl");
        try {
            System.out.println("suite: " + name + ": writing " + file);
            ReplayBenchmark.writeJsonl(file, sizes.events, users);
        } catch (IOException e) {
            System.out.println("suite: " + name + " failed: " + e);
            return new Result(name, Map.of(), "writing " + file + ": " + e.getMessage());
        }
        return measure(fork, logs, name, sizes, "ReplayBenchmark", "replay", file.toString(),
                String.valueOf(sizes.events), String.valueOf(users));
    }

    private static Result measure(boolean fork, Path logs, String name, Sizes sizes, String main, String... args) {
        System.out.println("suite: " + name + " (" + main + " " + String.join(" ", args) + ")");
        try {
            String line;
            if (fork) {
                line = forked(logs.resolve(name + ".log"), sizes.timeoutSeconds, main, args);
            } else {
                line = switch (main) {
                    case "WorkflowBenchmark" -> WorkflowBenchmark.run(args);
                    case "ReplayBenchmark" -> ReplayBenchmark.run(args);
                    default -> CartAbandonmentBenchmark.run(args);
                };
            }
            System.out.println(line);
            return new Result(name, parse(line), null);
        } catch (Exception e) {
            System.out.println("suite: " + name + " failed: " + e.getMessage());
            return new Result(name, Map.of(), e.getMessage());
        }
    }

    /** Runs one benchmark in a JVM of its own, with this JVM's flags and class path; returns its RESULT line. */
    private static String forked(Path log, long timeoutSeconds, String main, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BenchmarkSuite.class.getPackageName() + "." + main);
        command.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new IOException("did not finish in " + timeoutSeconds + " s");
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        for (String l : lines) {
            if (l.startsWith("RESULT ")) {
                return l;
            }
        }
        throw new IOException("exit code " + p.exitValue() + ", no RESULT line (see " + log + ")");
    }

    /** The {@code key=value} fields of a RESULT line. */
    static Map<String, String> parse(String line) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String token : line.trim().split("\\s+")) {
            int eq = token.indexOf('=');
            if (eq > 0) {
                fields.put(token.substring(0, eq), token.substring(eq + 1));
            }
        }
        return fields;
    }

    // ------------------------------------------------------------------------------------------------ rendering

    static String render(Sizes sizes, String started, double load, List<Result[]> throughput, Result[] scaled,
            List<Result> replays, Result[] cep, Result latency) {
        StringBuilder md = new StringBuilder();
        md.append(BEGIN).append('\n');
        md.append("## Benchmark suite (issue 7)").append(sizes.quick ? ": smoke run (QUICK=1), not a measurement" : "")
                .append("\n\n");
        md.append("Written by `bash bench/suite.sh` (`BenchmarkSuite`); do not edit by hand, re-run it. Sizes: `")
                .append(sizes.describe()).append("`.\n\n");
        long ramGiB = Math.round(((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize() / (1024.0 * 1024 * 1024));
        md.append(String.format(Locale.ROOT, "- Machine: %d cores, %d GiB RAM, %s %s; started %s UTC, load average %.1f"
                        + " at the start.%n", Runtime.getRuntime().availableProcessors(), ramGiB,
                System.getProperty("java.vm.name"), System.getProperty("java.version"), started, load));
        md.append(String.format(Locale.ROOT, "- Flink %s MiniCluster, one JVM per measurement, parallelism 1 (but"
                        + " where a row says otherwise), RocksDB (incremental checkpoints, bloom filters, RocksDB"
                        + " timers), %s managed memory per slot, 10 ms buffer"
                        + " timeout and 50 ms watermark interval, aligned EXACTLY_ONCE"
                        + " checkpoints every %d s to a local directory.%n",
                EnvironmentInformation.getVersion(), BenchEnvironment.MANAGED_MEMORY.getMebiBytes() + " MB", BenchEnvironment.CHECKPOINT_INTERVAL.toSeconds()));
        md.append("- Input: `SyntheticRiskTraffic` (one event every 3 ms of event time; 60 % view, 10 % cart add,"
                + " 5 % purchase, 12 % login, 8 % login failed, 5 % payment failed), written as JSON and parsed by the"
                + " job's parser in the source. Events/s = input events / wall time from the first generated event"
                + " to the job's end (job start-up, which a short run would otherwise be mostly made of, excluded;"
                + " sampled every 100 ms).\n\n");

        md.append("### Throughput: full pipeline against pass-through\n\n");
        md.append("| users | events | pass-through events/s | full pipeline events/s | full / pass-through | alerts"
                + " | bar | met |\n|---:|---:|---:|---:|---:|---|---|---|\n");
        for (int i = 0; i < throughput.size(); i++) {
            Result pass = throughput.get(i)[0];
            Result full = throughput.get(i)[1];
            double ratio = full.num("events_per_s") / pass.num("events_per_s");
            md.append(row(fmt(sizes.users.get(i)), fmt(sizes.events), rate(pass), rate(full),
                    Double.isNaN(ratio) ? "–" : pct(ratio), full.ok() ? alerts(full.get("alerts_by_kind")) : "–",
                    "≥ 20 %", met(ratio, r -> r >= 0.20)));
        }
        int cores = Runtime.getRuntime().availableProcessors();
        if (scaled != null) {
            Result pass = scaled[0];
            Result full = scaled[1];
            double ratio = full.num("events_per_s") / pass.num("events_per_s");
            Result fullAt1 = throughput.get(0)[1];
            String alerts = !full.ok() ? "–" : fullAt1.ok() && sameAlerts(full, fullAt1)
                    ? "as at parallelism 1" : alerts(full.get("alerts_by_kind")) + " (**not** as at parallelism 1)";
            md.append(row(fmt(sizes.users.get(0)) + " at parallelism " + sizes.parallelism, fmt(sizes.events),
                    scaledRate(pass, throughput.get(0)[0], sizes.parallelism, cores),
                    scaledRate(full, fullAt1, sizes.parallelism, cores), Double.isNaN(ratio) ? "–" : pct(ratio),
                    alerts, "judged at parallelism 1", "n/a"));
        }
        md.append("\nPass-through: source (generate + parse), keyBy user, a keyed pass-through, discard. Full pipeline:"
                + " `JourneyWorkflow.define` with every stage on (dedupe, identity stitching, CART_ABANDONED and"
                + " HIGH_VALUE_BROWSING CEP stages, the 4 default velocity rules, journeys with PATH_ANOMALY, segments"
                + " with RFM, drift), RocksDB, incremental checkpoints. **Sinks are discarding sinks**, not the Kafka"
                + " (exactly-once, transactional) and JDBC sinks: Kafka and PostgreSQL are not measured here (see"
                + " \"Recovery\" for a run with them).");
        if (scaled != null) {
            md.append(String.format(Locale.ROOT, " The row at parallelism %d runs the same jobs with every operator at"
                    + " %d subtasks (one TaskManager with %d slots, each with the managed memory above; source subtask"
                    + " k of %d generates events k, k + %<d, k + 2·%<d, …, so event time advances alike in all of them,"
                    + " as on a topic with %<d partitions), on the same %d-core machine as everything else here. The"
                    + " alerts are compared with those at parallelism 1 (same events, same event time). Per core: events/s"
                    + " divided by the parallelism (by the machine's cores when the parallelism exceeds them; at"
                    + " parallelism 1 the events/s of the rows above). The bars are judged at parallelism 1.",
                    sizes.parallelism, sizes.parallelism, sizes.parallelism, sizes.parallelism, cores));
        }
        md.append("\n\n");

        md.append("### Replay (backtest) against streaming: full pipeline\n\n");
        md.append("| users | events | file MB | replay events/s | replay s | job start s (left out) | completed |"
                + " streaming events/s | replay / streaming | alerts | bar | met |\n"
                + "|---:|---:|---:|---:|---:|---:|---|---:|---:|---|---|---|\n");
        List<String> eventTimeEnds = new ArrayList<>();
        for (int i = 0; i < replays.size(); i++) {
            Result r = replays.get(i);
            Result streaming = throughput.get(i)[1];
            boolean completed = r.ok() && "yes".equals(r.get("completed"));
            double ratio = completed ? r.num("events_per_s") / streaming.num("events_per_s") : Double.NaN;
            String alerts = !completed ? "–" : streaming.ok() && sameAlerts(r, streaming)
                    ? "as streaming" : alerts(r.get("alerts_by_kind")) + " (streaming: "
                            + (streaming.ok() ? alerts(streaming.get("alerts_by_kind")) : "–") + ")";
            boolean fromFirstRead = "first-read".equals(r.get("timed_from"));
            md.append(row(fmt(sizes.users.get(i)), fmt(sizes.events),
                    r.ok() ? String.format(Locale.ROOT, "%.0f", r.num("bytes") / 1e6) : "–",
                    completed ? fmt(Math.round(r.num("events_per_s"))) : "–",
                    completed ? String.format(Locale.ROOT, "%.1f%s", r.num("seconds"), fromFirstRead ? "" : " (from submission)") : "–",
                    completed && fromFirstRead ? String.format(Locale.ROOT, "%.1f", r.num("start_seconds")) : "–",
                    !r.ok() ? "**no**: " + r.failure.replace('|', '/') : completed ? "yes" : notCompleted(r),
                    rate(streaming), Double.isNaN(ratio) ? "–" : String.format(Locale.ROOT, "%.2f×", ratio), alerts,
                    "completes, ≥ streaming", !r.ok() || !completed ? "**not met**" : met(ratio, x -> x >= 1)));
            if (r.ok()) {
                String end = r.get("event_time_end");
                eventTimeEnds.add(fmt(sizes.users.get(i)) + " users: " + (end.equals("-")
                        ? "the verb's summary does not say"
                        : "\"" + java.net.URLDecoder.decode(end, StandardCharsets.UTF_8) + "\""));
            }
        }
        md.append("\nThe throughput runs' input (the same `SyntheticRiskTraffic` events, ").append(fmt(sizes.events))
                .append(" per user count) written once per user count as JSON lines (`EventJson.toFlatJson`, one event"
                + " a line) to `target/bench-suite/`, then the real verb in a JVM of its own, as a user runs it:"
                + " `java -cp … io.journeycep.pipeline.cli.JourneyCepMain replay --input FILE --config C`"
                + " (`ReplayBenchmark`), where C only turns drift on, as in the full pipeline above. No JDBC URL and no"
                + " Kafka: the verb then defines no sink, runs every stage and writes nothing (its summary counts"
                + " records and alerts from accumulators); parallelism 1, RocksDB, the verb's checkpointing (every"
                + " 2 s, against 10 s in the streaming runs), no `--until`, no `--drain`. **Replay s** runs from the"
                + " last look before the verb's JVM had read from the file (looks every 20 ms at `/proc/PID/fd` and"
                + " `fdinfo`: the descriptor of the file and its read position) to the verb's `replay of … finished`"
                + " line (its job has ended; JVM exit and clean-up left out); events/s = records the summary read /"
                + " replay s. **Job start s** is the JVM start, MiniCluster and job start before that first read."
                + " \"(from submission)\" marks a run where no look saw the file read: its time is then the verb's job"
                + " runtime, job start included. Completed: exit code 0, the finished line, and as many records read"
                + " as the file has lines. Streaming events/s: the full pipeline row of the first table for the same"
                + " user count. Event time at the end of the input, as the verb's summary put it: ")
                .append(eventTimeEnds.isEmpty() ? "–" : String.join("; ", eventTimeEnds)).append(".\n\n");

        md.append("### CEP stage against vanilla Flink CEP (RocksDB, cart abandonment)\n\n");
        md.append("| comparison | events | stage events/s (whole input / second half) | vanilla events/s (whole"
                + " input / second half) | speed-up (whole input / second half) | stage matches | vanilla matches |"
                + " equal | bar | met |\n|---|---:|---:|---:|---:|---:|---:|---|---|---|\n");
        Result stage = cep[0];
        for (int i = 1; i < cep.length; i++) {
            Result v = cep[i];
            double speedUp = stage.num("events_per_s") / v.num("events_per_s");
            double half = stage.num("second_half_events_per_s") / v.num("second_half_events_per_s");
            String label = i == 1
                    ? "same look-back and compiled pattern on Flink's stock `CepOperator`"
                    : "vanilla pattern `view → cart → not purchase, within 30 min` (a `view` step in CEP)";
            boolean same = stage.ok() && v.ok() && stage.get("outputs").equals(v.get("outputs"));
            String equal = !stage.ok() || !v.ok() ? "–" : same ? "yes" : i == 1 ? "**no**" : "no (other semantics)";
            // the stock operator's count differs only when it misses timeouts: its speed then measures less work
            String met = i == 1 && !same ? "n/a: not the same result" : met(speedUp, s -> s >= 50);
            md.append(row(label, fmt(sizes.cepEvents), rates(stage), rates(v),
                    Double.isNaN(speedUp) ? "–" : String.format(Locale.ROOT, "%.1f× / %.1f×", speedUp, half),
                    num(stage.get("outputs")), num(v.get("outputs")), equal, "≥ 50×", met));
        }
        md.append("\nInput: `SyntheticClickstream` (").append(fmt(sizes.cepUsers)).append(" users, 80 % view, 12 % cart"
                + " add, 5 % purchase, 3 % login), keyed pass-through, then the stage. The stage is what the job runs"
                + " (the user pass with the cart pattern only: look-back and Flink CEP NFA in one value per user). The"
                + " first row runs the same look-back rules, compiled pattern, comparator, skip strategy and alert"
                + " function on Flink's own `CepOperator` and state layout. Flink 2.2.1's operator registers no timer"
                + " where a `PREVIOUS_AND_CURRENT` window closes (which the user pass is due at, README \"How"
                + " the CEP stage is built\"), so an abandonment whose user sends nothing later is never reported: its"
                + " count is lower wherever users go quiet, and its speed then measures less work, so the bar is not"
                + " judged on it. The second row is what a CEP user would write (the pattern measured in"
                + " `shared/notes`, the origin of the 50× bar): `within` counts from the view, there are no episodes"
                + " of several cart adds, so its count can differ slightly from the stage's. Rates are counted where"
                + " the stage (or vanilla CEP) takes the events, behind the same chained pass-through: over the whole"
                + " input from the first event taken (job start-up left out: the stage's whole run lasts a few seconds,"
                + " vanilla CEP's minutes), and over the input's second half, where more users have state. The bar is"
                + " judged on the whole input.\n\n");

        md.append("### Event → alert latency at half the sustainable rate (full pipeline, RocksDB)\n\n");
        md.append("| alerts | rate events/s | users | alerts measured | p50 ms | p99 ms | max ms | bar | met |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---|---|\n");
        md.append(row("VELOCITY and HIGH_VALUE_BROWSING: emit − event creation", num(latency.get("rate")),
                num(latency.get("users")), num(latency.get("immediate_n")), ms(latency, "immediate_p50_ms"),
                ms(latency, "immediate_p99_ms"), ms(latency, "immediate_max_ms"), "p99 ≤ 250 ms",
                met(msValue(latency, "immediate_p99_ms"), v -> v <= 250)));
        md.append(row("CART_ABANDONED: emit − deadline", num(latency.get("rate")), num(latency.get("users")),
                num(latency.get("abandonment_n")), ms(latency, "abandonment_p50_ms"), ms(latency, "abandonment_p99_ms"),
                ms(latency, "abandonment_max_ms"), "p99 ≤ 1,000 ms",
                met(msValue(latency, "abandonment_p99_ms"), v -> v <= 1000)));
        if (!latency.ok()) {
            md.append("\nThe latency run failed: ").append(latency.failure).append('\n');
        }
        md.append("\nA rate-limited generator (").append(sizes.latencySeconds).append(" s at half the full pipeline's"
                + " rate of the first row above, unless `LATENCY_RATE` is set) stamps each event with its creation"
                + " wall time as event time. Watermarks: no out-of-orderness allowance (the generator is in order;"
                + " the job's default is 5 s, which every event-time alert would wait on), watermarks every 50 ms and"
                + " a 10 ms network buffer timeout (flink-conf/config.yaml); cart-abandonment timeout ").append(WorkflowBenchmark.LATENCY_CART_TIMEOUT_S)
                .append(" s so that deadlines pass during the run. Left out: alerts caused in the first quarter of the"
                        + " run (at most 10 s; JIT and start-up), CART_ABANDONED whose deadline is after the last"
                        + " generated event (the end of the input fires those, not a passing watermark), PATH_ANOMALY (waits on the session gap) and DRIFT (on its bucket).")
                .append(latency.ok() ? String.format(" This run: %s warm-up alerts, %s flushed at the end.",
                        latency.get("warm_up_alerts"), latency.get("flushed_at_end")) : "").append("\n\n");

        md.append("### State per active user and checkpoints (full pipeline, RocksDB)\n\n");
        md.append("| users | active users | state bytes | bytes per active user | bar | met | checkpoints |"
                + " checkpoint p50 ms | checkpoint max ms under load | bar | met | checkpoint max ms after the input"
                + " ended |\n|---:|---:|---:|---:|---|---|---:|---:|---:|---|---|---:|\n");
        for (int i = 0; i < throughput.size(); i++) {
            Result full = throughput.get(i)[1];
            double perUser = full.num("state_bytes") / full.num("active_users");
            double underLoad = full.num("checkpoint_max_under_load_ms");
            md.append(row(fmt(sizes.users.get(i)), num(full.get("active_users")), num(full.get("state_bytes")),
                    Double.isNaN(perUser) || perUser < 0 ? "–" : String.format(Locale.ROOT, "%.0f", perUser),
                    "≤ 1,024 B", met(perUser, b -> b >= 0 && b <= 1024), full.get("checkpoints"),
                    full.get("checkpoint_p50_ms"), num(full.get("checkpoint_max_under_load_ms")), "≤ 10,000 ms",
                    met(underLoad, d -> d >= 0 && d <= 10_000), num(full.get("checkpoint_max_after_input_ms"))));
        }
        md.append("\nState bytes: the full state size of the largest completed checkpoint (every operator and stage,"
                + " timers included; on RocksDB the SST files it references as RocksDB wrote them, compressed, with"
                + " overwritten values and tombstones not yet compacted away; the web UI's checkpoint \"full size\"),"
                + " divided by the distinct users of the input generated up to that checkpoint's trigger. Velocity"
                + " keys (IP, device, card) count towards their users. Durations: end to end, every completed"
                + " checkpoint of the run; under load: those triggered while the input was still being generated;"
                + " after the input ended: those taken while the end of the input fires every pending timer at once"
                + " (a live stream has no such moment; a replay has it only with `--drain`).\n");
        md.append("\nWhere the state is, by task (bytes of the largest checkpoint), and the worst checkpoint stalls"
                + " (ms: synchronous part, barrier alignment, start delay from the trigger to the first barrier):\n\n");
        for (int i = 0; i < throughput.size(); i++) {
            Result full = throughput.get(i)[1];
            if (full.ok()) {
                md.append("- ").append(fmt(sizes.users.get(i))).append(" users: ")
                        .append(String.valueOf(full.get("state_by_task")).replace(",", ", ")).append("; stalls ")
                        .append(String.valueOf(full.get("checkpoint_stalls_ms")).replace(",", ", ")).append('\n');
            }
        }
        List<String> failures = new ArrayList<>();
        for (Result[] pair : throughput) {
            failures.add(failure(pair[0]));
            failures.add(failure(pair[1]));
        }
        if (scaled != null) {
            failures.add(failure(scaled[0]));
            failures.add(failure(scaled[1]));
        }
        for (Result r : replays) {
            failures.add(failure(r));
        }
        for (Result r : cep) {
            failures.add(failure(r));
        }
        failures.add(failure(latency));
        failures.removeIf(f -> f == null);
        if (!failures.isEmpty()) {
            md.append("\nDid not produce a number: ").append(String.join("; ", failures)).append(".\n");
        }
        md.append(END).append('\n');
        return md.toString();
    }

    private static String failure(Result r) {
        return r.ok() ? null : r.name + " (" + r.failure + ")";
    }

    /** A latency field in ms; NaN when there was no alert to measure (the field is -1). */
    private static double msValue(Result r, String key) {
        double v = r.num(key);
        return v < 0 ? Double.NaN : v;
    }

    private static String ms(Result r, String key) {
        double v = msValue(r, key);
        return Double.isNaN(v) ? "–" : fmt((long) v);
    }

    /** {@code A=1,B=2} as {@code A 1, B 2}. */
    private static String alerts(String byKind) {
        List<String> out = new ArrayList<>();
        for (String kv : byKind.split(",")) {
            String[] p = kv.split("=", 2);
            out.add(p.length == 2 ? p[0] + " " + num(p[1]) : kv);
        }
        return String.join(", ", out);
    }

    /** Why a replay did not complete: exit code, records read (or no summary) and the verb's error, shortened. */
    private static String notCompleted(Result r) {
        String read = r.num("records_read") >= 0 ? num(r.get("records_read")) + " records read" : "no summary";
        String why = java.net.URLDecoder.decode(r.get("failure"), StandardCharsets.UTF_8).replace('|', '/');
        return "**no** (exit code " + r.get("exit_code") + ", " + read + ": "
                + (why.length() > 200 ? why.substring(0, 200) + "…" : why) + ")";
    }

    /** Whether two runs found as many alerts of each kind (their {@code alerts_by_kind} lists, in any order). */
    private static boolean sameAlerts(Result a, Result b) {
        return new java.util.TreeSet<>(Arrays.asList(a.get("alerts_by_kind").split(",")))
                .equals(new java.util.TreeSet<>(Arrays.asList(b.get("alerts_by_kind").split(","))));
    }

    /** Events/s at a parallelism above 1, per core and against parallelism 1 ({@code atOne}). */
    private static String scaledRate(Result r, Result atOne, int parallelism, int cores) {
        if (!r.ok()) {
            return rate(r);
        }
        double perSecond = r.num("events_per_s");
        double speedUp = perSecond / atOne.num("events_per_s");
        return String.format(Locale.ROOT, "%s (%s per core%s)", fmt(Math.round(perSecond)),
                fmt(Math.round(perSecond / Math.min(parallelism, cores))),
                Double.isNaN(speedUp) ? "" : String.format(Locale.ROOT, ", %.2f× parallelism 1", speedUp));
    }

    private static String rates(Result r) {
        return r.ok() ? rate(r) + " / " + fmt(Math.round(r.num("second_half_events_per_s"))) : rate(r);
    }

    private static String rate(Result r) {
        return r.ok() ? fmt(Math.round(r.num("events_per_s"))) : "did not finish: " + r.failure;
    }

    private static String met(double value, java.util.function.DoublePredicate bar) {
        return Double.isNaN(value) ? "–" : bar.test(value) ? "met" : "**not met**";
    }

    private static String pct(double ratio) {
        return String.format(Locale.ROOT, "%.1f %%", ratio * 100);
    }

    /** A whole number of a RESULT field with thousands separators; anything else as it is. */
    private static String num(String value) {
        return value.matches("-?[0-9]+") ? fmt(Long.parseLong(value)) : value;
    }

    static String fmt(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String row(String... cells) {
        return "| " + String.join(" | ", cells) + " |\n";
    }

    /** Replaces the suite's section of {@code file} (between the markers) with {@code section}, or appends it. */
    static void replaceSection(Path file, String section) throws IOException {
        String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        String updated;
        if (begin >= 0 && end > begin) {
            int after = end + END.length();
            if (after < text.length() && text.charAt(after) == '\n') {
                after++;
            }
            updated = text.substring(0, begin) + section + text.substring(after);
        } else {
            updated = text + (text.isEmpty() || text.endsWith("\n\n") ? "" : text.endsWith("\n") ? "\n" : "\n\n")
                    + section;
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, updated, StandardCharsets.UTF_8);
    }
}
