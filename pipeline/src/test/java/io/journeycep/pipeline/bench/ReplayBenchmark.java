package io.journeycep.pipeline.bench;

import io.journeycep.pipeline.ingest.EventJson;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The {@code replay} verb ("backtests are fast and never fail") over a JSON-lines file of {@link SyntheticRiskTraffic},
 * the input {@link WorkflowBenchmark} streams, so that its rate stands next to the full pipeline's streaming rate. Not
 * a test: {@code bash bench/suite.sh} runs it.
 *
 * <p>Modes:
 * <ul>
 *   <li>{@code write-jsonl FILE events users}: writes the generator's first {@code events} events to FILE, one
 *       {@link EventJson#toFlatJson} line each (what the streaming benchmark parses, as a file);</li>
 *   <li>{@code replay FILE events users}: runs {@code io.journeycep.pipeline.cli.JourneyCepMain replay --input FILE
 *       --config C} as a user would, in a JVM of its own (this JVM's flags and class path; its exit code is part of
 *       the result), and prints a RESULT line.</li>
 * </ul>
 *
 * <p>What runs: the verb's own job (FileSource, the job's parser, every stage), parallelism 1, RocksDB, its own
 * checkpointing (the verb caps the interval at 2 s), no JDBC URL and no Kafka bootstrap: the verb then defines no sink
 * at all, every stage still runs and counts into the accumulators its summary prints, and nothing is written. The
 * config C turns drift on, which the streaming benchmark's full pipeline also runs (the job's default is off), and
 * otherwise only says what the verb's options say (a file source, no outputs), because the verb loads it as a whole
 * job's config and that validation asks for a source and for outputs that are configured or disabled. No
 * {@code --until}, no {@code --drain}: whatever the verb does at the end of input by default is what is timed (the
 * summary's own words about it, if any, are reported).
 *
 * <p>Timing: the verb cannot say when it read its first record, so this JVM watches the verb's JVM read the file: every
 * 20 ms it looks for a descriptor of the file among {@code /proc/PID/fd} and its read position in {@code
 * /proc/PID/fdinfo} (Linux). The run is timed from the last look before the file had been read from (the job had
 * started: MiniCluster, tasks, RocksDB) to the moment the verb prints {@code replay of … finished} (its job has ended;
 * the JVM's exit and the clean-up after it are left out). Without {@code /proc}, or if the whole file was read between
 * two looks, the verb's job runtime (submission to end, job start included) is used instead and {@code
 * timed_from=submission} says so.
 */
public final class ReplayBenchmark {
    static final String VERB_MAIN = "io.journeycep.pipeline.cli.JourneyCepMain";
    private static final Pattern FINISHED = Pattern.compile("^replay of .* finished.*");
    private static final Pattern COUNT = Pattern.compile("^\\s+([A-Za-z_ -]+?)\\s+([0-9,]+)(\\s.*)?$");
    private static final Pattern RUNTIME = Pattern.compile("^\\s*job runtime\\s+([0-9,]+) ms.*");
    private static final long LOOK_EVERY_MS = 20;

    private ReplayBenchmark() {}

    public static void main(String[] args) throws Exception {
        System.out.println(run(args));
    }

    static String run(String... args) throws Exception {
        switch (args[0]) {
            case "write-jsonl": {
                long started = System.nanoTime();
                long bytes = writeJsonl(Path.of(args[1]), Long.parseLong(args[2]), Integer.parseInt(args[3]));
                return String.format(Locale.ROOT, "RESULT variant=write-jsonl file=%s events=%s users=%s bytes=%d"
                        + " seconds=%.1f", args[1], args[2], args[3], bytes, (System.nanoTime() - started) / 1e9);
            }
            case "replay":
                return replay(Path.of(args[1]), Long.parseLong(args[2]), Integer.parseInt(args[3]));
            default:
                throw new IllegalArgumentException("mode: write-jsonl FILE EVENTS USERS | replay FILE EVENTS USERS");
        }
    }

    /** Writes events 0 … events-1 of {@code SyntheticRiskTraffic(users, 3)} as JSON lines; returns the file's size. */
    static long writeJsonl(Path file, long events, int users) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path partial = Files.createTempFile(parent, file.getFileName().toString(), ".partial");
        SyntheticRiskTraffic traffic = new SyntheticRiskTraffic(users, 3);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 16)) {
            for (long i = 0; i < events; i++) {
                out.write(EventJson.toFlatJson(traffic.map(i)));
                out.write('\n');
            }
        }
        // a file that is there is complete (a run killed while writing leaves only the .partial)
        Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return Files.size(file);
    }

    /** Runs the verb over {@code file} and returns the RESULT line (see the class comment for what is timed). */
    static String replay(Path file, long events, int users) throws Exception {
        Path input = file.toRealPath(); // as /proc/PID/fd links name it
        Path config = Files.createTempFile("journey-bench-replay", ".yaml");
        // JobConfig.load validates the file as a whole job's config, although the verb replaces its source and outputs
        // with its options: so a file source and no outputs here (the verb's flags say the same)
        Files.writeString(config, String.join("\n",
                "source:",
                "  type: files",
                "  files:",
                "    paths: [\"" + input + "\"]",
                "outputs:",
                "  kafka:",
                "    enabled: false",
                "  jdbc:",
                "    enabled: false",
                "drift:                 # the streaming benchmark's full pipeline runs drift too",
                "  enabled: true",
                ""));
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(VERB_MAIN);
        command.addAll(List.of("replay", "--input", input.toString(), "--config", config.toString()));

        long start = System.nanoTime();
        Process verb = new ProcessBuilder(command).redirectErrorStream(true).start();
        VerbOutput output = new VerbOutput(verb, System.out);
        output.start();
        ReadWatch watch = new ReadWatch(verb.pid(), input);
        long lastUnread = start;
        long firstRead = 0;
        boolean readSeen = false;
        while (verb.isAlive() && !readSeen) {
            long now = System.nanoTime();
            switch (watch.look()) {
                case UNREAD:
                    lastUnread = now;
                    break;
                case READ:
                    firstRead = lastUnread;
                    readSeen = true;
                    break;
                case UNKNOWN:
                    break;
            }
            if (output.finished) {
                break; // the job ended before a look saw the file read: timed from submission instead
            }
            if (!readSeen) {
                verb.waitFor(LOOK_EVERY_MS, TimeUnit.MILLISECONDS);
            }
        }
        verb.waitFor();
        long exited = System.nanoTime();
        output.join();
        Files.deleteIfExists(config);
        int exitCode = verb.exitValue();

        boolean timedFromFirstRead = readSeen && output.finished;
        double seconds = timedFromFirstRead ? (output.finishedAt - firstRead) / 1e9 : output.runtimeMs / 1e3;
        long read = output.count("records read");
        boolean completed = exitCode == 0 && output.finished && read == events;
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "RESULT variant=replay file=%s events=%d users=%d bytes=%d completed=%s exit_code=%d records_read=%d"
                        + " accepted=%d rejected=%d late=%d duplicates=%d seconds=%.1f events_per_s=%.0f"
                        + " timed_from=%s start_seconds=%.1f wall_seconds=%.1f job_runtime_ms=%d alerts_by_kind=%s"
                        + " event_time_end=%s",
                input.getFileName(), events, users, Files.size(input), completed ? "yes" : "no", exitCode, read,
                output.count("accepted"), output.count("rejected"), output.count("late"), output.count("duplicates"),
                seconds, seconds > 0 && read > 0 ? read / seconds : 0.0, timedFromFirstRead ? "first-read" : "submission",
                timedFromFirstRead ? (firstRead - start) / 1e9 : -1.0, (exited - start) / 1e9, output.runtimeMs,
                output.alertsByKind(),
                output.eventTimeEnd == null ? "-" : URLEncoder.encode(output.eventTimeEnd, StandardCharsets.UTF_8)));
        if (!completed) {
            line.append(" failure=").append(URLEncoder.encode(output.failure(), StandardCharsets.UTF_8));
        }
        return line.toString();
    }

    /** Whether the verb's JVM has read from the input file yet, from {@code /proc} (Linux). */
    enum Look { UNREAD, READ, UNKNOWN }

    /** Looks through {@code /proc/PID/fd} for the input file and its read position. */
    static final class ReadWatch {
        private final Path fds;
        private final Path fdinfo;
        private final Path input;
        private boolean seenOpen;

        ReadWatch(long pid, Path input) {
            this.fds = Path.of("/proc", String.valueOf(pid), "fd");
            this.fdinfo = Path.of("/proc", String.valueOf(pid), "fdinfo");
            this.input = input;
        }

        Look look() {
            if (!Files.isDirectory(fds)) {
                return Look.UNKNOWN;
            }
            boolean open = false;
            try (Stream<Path> list = Files.list(fds)) {
                for (Path fd : (Iterable<Path>) list::iterator) {
                    Path target;
                    try {
                        target = Files.readSymbolicLink(fd);
                    } catch (IOException | UnsupportedOperationException closedMeanwhile) {
                        continue;
                    }
                    if (!target.equals(input)) {
                        continue;
                    }
                    open = true;
                    if (position(fdinfo.resolve(fd.getFileName())) > 0) {
                        return Look.READ;
                    }
                }
            } catch (IOException | java.io.UncheckedIOException processGone) {
                return Look.UNKNOWN;
            }
            if (open) {
                seenOpen = true;
                return Look.UNREAD;
            }
            // open earlier, closed now: it was read (the whole file between two looks) — not before it was opened
            return seenOpen ? Look.READ : Look.UNREAD;
        }

        private static long position(Path info) {
            try {
                for (String l : Files.readAllLines(info)) {
                    if (l.startsWith("pos:")) {
                        return Long.parseLong(l.substring(4).trim());
                    }
                }
            } catch (IOException | NumberFormatException closedMeanwhile) {
                // the descriptor was closed between the listing and this read
            }
            return 0;
        }
    }

    /**
     * Copies the verb's output to {@code echo} and picks out the time its {@code replay of … finished} line came, the
     * summary's counts, its job runtime and any line about where event time ended.
     */
    static final class VerbOutput extends Thread {
        private final Process verb;
        private final PrintStream echo;
        private final java.util.Map<String, Long> counts = new java.util.LinkedHashMap<>();
        private final java.util.Map<String, Long> alerts = new java.util.LinkedHashMap<>();
        private final java.util.ArrayDeque<String> tail = new java.util.ArrayDeque<>();
        /** {@link System#nanoTime} when the {@code finished} line came; read it once {@link #finished}. */
        volatile long finishedAt;
        volatile boolean finished;
        volatile long runtimeMs = -1;
        volatile String eventTimeEnd;
        /** The first {@code Exception in thread "main"} line: why the verb failed, if it did. */
        volatile String fatal;

        VerbOutput(Process verb, PrintStream echo) {
            super("replay verb output");
            setDaemon(true);
            this.verb = verb;
            this.echo = echo;
        }

        @Override
        public void run() {
            String section = "counts"; // the summary: counts, then "alerts by kind", then "alerts by rule"
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(verb.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = in.readLine(); l != null; l = in.readLine()) {
                    long now = System.nanoTime();
                    echo.println(l);
                    synchronized (tail) {
                        tail.addLast(l);
                        if (tail.size() > 5) {
                            tail.removeFirst();
                        }
                    }
                    if (fatal == null && l.startsWith("Exception in thread \"main\"")) {
                        fatal = l.substring("Exception in thread \"main\"".length()).trim();
                    }
                    if (!finished && FINISHED.matcher(l).matches()) {
                        finishedAt = now;
                        finished = true;
                    }
                    if (!finished) {
                        continue; // the job's log before the summary
                    }
                    String lower = l.toLowerCase(Locale.ROOT);
                    if (eventTimeEnd == null && !section.equals("rules")
                            && (lower.contains("event time") || lower.contains("drain"))) {
                        eventTimeEnd = l.trim();
                    }
                    Matcher runtime = RUNTIME.matcher(l);
                    if (runtime.matches()) {
                        runtimeMs = Long.parseLong(runtime.group(1).replace(",", ""));
                        section = "after";
                        continue;
                    }
                    if (l.trim().startsWith("alerts by")) {
                        section = l.trim().equals("alerts by kind") ? "kinds" : "rules";
                        continue;
                    }
                    Matcher count = COUNT.matcher(l);
                    if (count.matches()) {
                        long value = Long.parseLong(count.group(2).replace(",", ""));
                        String name = count.group(1).trim();
                        if (section.equals("kinds")) {
                            alerts.put(name, value);
                        } else if (section.equals("counts")) {
                            counts.putIfAbsent(name, value);
                        }
                    }
                }
            } catch (IOException e) {
                echo.println("replay bench: reading the verb's output failed: " + e);
            }
        }

        long count(String name) {
            return counts.getOrDefault(name, -1L);
        }

        /** {@code KIND=n,…} of the kinds with alerts, as WorkflowBenchmark's {@code alerts_by_kind}. */
        String alertsByKind() {
            StringBuilder b = new StringBuilder();
            alerts.forEach((kind, n) -> {
                if (n > 0) {
                    b.append(b.length() == 0 ? "" : ",").append(kind).append('=').append(n);
                }
            });
            return b.length() == 0 ? "-" : b.toString();
        }

        /** Why the verb failed: its main thread's exception, else its last lines. */
        String failure() {
            if (fatal != null) {
                return fatal;
            }
            synchronized (tail) {
                return String.join(" / ", tail);
            }
        }
    }
}
