package io.journeycep.pipeline.bench;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionJobVertex;
import org.apache.flink.runtime.checkpoint.TaskStateStats;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.util.stats.StatsSummarySnapshot;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Runs a benchmark job on a MiniCluster of its own (one TaskManager with a slot per subtask of the job's parallelism,
 * {@link BenchEnvironment}'s settings and managed memory per slot, a free REST port), so that besides the job's result it can read the checkpoint statistics the web UI shows
 * ({@code /jobs/<id>/checkpoints}): the count, end-to-end durations and the full state size of the largest completed
 * checkpoint. Events/s are timed from submission to the job's end (MiniCluster start-up excluded, job start-up
 * included). An optional progress counter (events generated so far) is sampled every 100 ms, so that the input
 * position at the largest checkpoint is known.
 */
final class BenchCluster {
    private BenchCluster() {}

    /** What one run measured. */
    static final class Run {
        JobExecutionResult result;
        double seconds;
        /**
         * Seconds from the last progress sample before the first event was generated to the job's end: the time the
         * input took, without the job's start-up (deploying tasks, opening RocksDB); {@link #seconds} without a
         * progress counter.
         */
        double activeSeconds;
        long checkpoints;
        long checkpointP50Ms = -1;
        long checkpointMaxMs = -1;
        /** Full state size of the largest completed checkpoint (all operators; RocksDB: its SST files), bytes. */
        long largestStateBytes = -1;
        /** Events generated when that checkpoint was triggered (-1 without a progress counter). */
        long eventsAtLargest = -1;
        /**
         * Per task, the longest synchronous part (the task thread blocked: RocksDB's native checkpoint), barrier
         * alignment and start delay (trigger to the first barrier's arrival) of any completed checkpoint, ms, the six
         * worst tasks: {@code name:sync/alignment/delay,…}.
         */
        String checkpointStalls = "-";
        /** That checkpoint's state size per task (operator chain), largest first: {@code name:bytes,…}. */
        String stateByTask = "-";
        /**
         * Every completed checkpoint in trigger order, {@code durationMs@eventsGeneratedAtTrigger}: tells the
         * checkpoints taken under load from those taken after the input ended (while the end of input fires timers).
         */
        String checkpointTimeline = "-";
        /**
         * The longest completed checkpoint triggered while the input was still being generated (under load), and the
         * longest triggered after it ended (while the end of input fires every pending timer); -1 if none.
         */
        long checkpointMaxUnderLoadMs = -1;
        long checkpointMaxAfterInputMs = -1;

        /** Progress samples {wall ms, progress}, and the wall time the job ended. */
        List<long[]> samples = List.of();
        long endMs;

        /**
         * Events/s from the first sample at or past {@code from} to the job's end, {@code total} events in all: the
         * rate once warmed up (JIT, caches), -1 without samples there.
         */
        double rateAfter(long from, long total) {
            for (long[] s : samples) {
                if (s[1] >= from) {
                    return endMs > s[0] ? (total - s[1]) * 1000.0 / (endMs - s[0]) : -1;
                }
            }
            return -1;
        }

        Object accumulator(String name) {
            return result.getAllAccumulatorResults().get(name);
        }

        /** The checkpoint fields of a RESULT line. */
        String checkpointFields() {
            return String.format(" checkpoints=%d checkpoint_p50_ms=%d checkpoint_max_ms=%d state_bytes=%d"
                    + " events_at_state=%d state_by_task=%s checkpoint_stalls_ms=%s checkpoint_timeline=%s"
                    + " checkpoint_max_under_load_ms=%d checkpoint_max_after_input_ms=%d",
                    checkpoints, checkpointP50Ms, checkpointMaxMs, largestStateBytes, eventsAtLargest, stateByTask,
                    checkpointStalls, checkpointTimeline, checkpointMaxUnderLoadMs, checkpointMaxAfterInputMs);
        }
    }

    static Run execute(StreamExecutionEnvironment env, Configuration conf, String name) throws Exception {
        return execute(env, conf, name, null);
    }

    static Run execute(StreamExecutionEnvironment env, Configuration conf, String name, LongSupplier progress)
            throws Exception {
        Configuration clusterConf = new Configuration(conf);
        clusterConf.set(RestOptions.BIND_PORT, "0"); // other benchmarks or tests may run on this machine
        // every checkpoint of the run, not the web UI's last 10 (a long run's largest may be older)
        clusterConf.set(WebOptions.CHECKPOINTS_HISTORY_SIZE, 10_000);
        // one slot per subtask of the widest operator (slot sharing puts one subtask of every operator in a slot), each
        // with the managed memory BenchEnvironment gives a slot: the TaskManager's is split evenly among its slots
        int slots = Math.max(1, env.getParallelism());
        clusterConf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE,
                MemorySize.ofMebiBytes(conf.get(TaskManagerOptions.MANAGED_MEMORY_SIZE).getMebiBytes() * slots));
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(name);
        MiniClusterConfiguration mc = new MiniClusterConfiguration.Builder()
                .setConfiguration(clusterConf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .build();
        Run run = new Run();
        List<long[]> samples = new ArrayList<>(); // {wall ms, progress}
        try (MiniCluster cluster = new MiniCluster(mc)) {
            cluster.start();
            long start = System.nanoTime();
            JobID id = cluster.submitJob(graph).get().getJobID();
            java.util.concurrent.CompletableFuture<JobResult> done = cluster.requestJobResult(id);
            while (!done.isDone()) {
                if (progress != null) {
                    samples.add(new long[] {System.currentTimeMillis(), progress.getAsLong()});
                }
                try {
                    done.get(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException stillRunning) {
                    // sample again
                }
            }
            JobResult result = done.get();
            run.seconds = (System.nanoTime() - start) / 1e9;
            run.activeSeconds = run.seconds;
            run.endMs = System.currentTimeMillis();
            run.samples = samples;
            long beforeFirst = -1;
            for (long[] sample : samples) {
                if (sample[1] > 0) {
                    break;
                }
                beforeFirst = sample[0];
            }
            if (beforeFirst > 0) {
                run.activeSeconds = Math.min(run.seconds, (System.currentTimeMillis() - beforeFirst) / 1e3);
            }
            run.result = result.toJobExecutionResult(BenchCluster.class.getClassLoader());
            AccessExecutionGraph graphRun = cluster.getArchivedExecutionGraph(id).get();
            CheckpointStatsSnapshot stats = graphRun.getCheckpointStatsSnapshot();
            if (stats != null) {
                run.checkpoints = stats.getCounts().getNumberOfCompletedCheckpoints();
                StatsSummarySnapshot durations = stats.getSummaryStats().getEndToEndDurationStats();
                if (durations.getCount() > 0) {
                    run.checkpointP50Ms = Math.round(durations.getQuantile(0.5));
                    run.checkpointMaxMs = durations.getMaximum();
                }
                run.checkpointStalls = stalls(graphRun, stats);
                List<String> timeline = new ArrayList<>();
                long inputEnd = samples.isEmpty() ? -1 : samples.get(samples.size() - 1)[1];
                List<AbstractCheckpointStats> completed = new ArrayList<>();
                stats.getHistory().getCheckpoints().stream()
                        .filter(c -> c.getStatus() == CheckpointStatsStatus.COMPLETED)
                        .sorted(java.util.Comparator.comparingLong(AbstractCheckpointStats::getTriggerTimestamp))
                        .forEach(completed::add);
                for (AbstractCheckpointStats c : completed) {
                    long at = progressAt(samples, c.getTriggerTimestamp());
                    timeline.add(c.getEndToEndDuration() + "@" + at);
                    if (progress != null && at >= 0 && at < inputEnd) {
                        run.checkpointMaxUnderLoadMs = Math.max(run.checkpointMaxUnderLoadMs, c.getEndToEndDuration());
                    } else if (progress != null && at >= 0) {
                        run.checkpointMaxAfterInputMs = Math.max(run.checkpointMaxAfterInputMs,
                                c.getEndToEndDuration());
                    }
                }
                run.checkpointTimeline = timeline.isEmpty() ? "-" : String.join(",", timeline);
                AbstractCheckpointStats largest = null;
                for (AbstractCheckpointStats c : stats.getHistory().getCheckpoints()) {
                    if (c.getStatus() == CheckpointStatsStatus.COMPLETED
                            && (largest == null || c.getStateSize() > largest.getStateSize())) {
                        largest = c;
                    }
                }
                if (largest != null) {
                    run.largestStateBytes = largest.getStateSize();
                    run.eventsAtLargest = progressAt(samples, largest.getTriggerTimestamp());
                    run.stateByTask = byTask(graphRun, largest);
                }
            }
        }
        return run;
    }

    /** See {@link Run#checkpointStalls}. */
    private static String stalls(AccessExecutionGraph graph, CheckpointStatsSnapshot stats) {
        java.util.Map<String, long[]> worst = new java.util.HashMap<>(); // task → {sync, alignment, start delay}
        for (AbstractCheckpointStats c : stats.getHistory().getCheckpoints()) {
            if (c.getStatus() != CheckpointStatsStatus.COMPLETED) {
                continue;
            }
            for (TaskStateStats t : c.getAllTaskStateStats()) {
                AccessExecutionJobVertex v = graph.getJobVertex(t.getJobVertexId());
                String name = shortName(v == null ? t.getJobVertexId().toString() : v.getName());
                long[] w = worst.computeIfAbsent(name, k -> new long[3]);
                for (org.apache.flink.runtime.checkpoint.SubtaskStateStats s : t.getSubtaskStats()) {
                    if (s != null) {
                        w[0] = Math.max(w[0], s.getSyncCheckpointDuration());
                        w[1] = Math.max(w[1], s.getAlignmentDuration());
                        w[2] = Math.max(w[2], s.getCheckpointStartDelay());
                    }
                }
            }
        }
        List<String> parts = new ArrayList<>();
        worst.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue()[0] + b.getValue()[1] + b.getValue()[2],
                        a.getValue()[0] + a.getValue()[1] + a.getValue()[2]))
                .limit(6)
                .forEach(e -> parts.add(e.getKey() + ":" + e.getValue()[0] + "/" + e.getValue()[1] + "/"
                        + e.getValue()[2]));
        return parts.isEmpty() ? "-" : String.join(",", parts);
    }

    private static String shortName(String name) {
        name = name.replaceAll("[^A-Za-z0-9-]+", "_");
        return name.length() > 60 ? name.substring(0, 60) : name;
    }

    /** {@code name:bytes,…} per task of a checkpoint, largest first (names shortened, without spaces or commas). */
    private static String byTask(AccessExecutionGraph graph, AbstractCheckpointStats checkpoint) {
        List<String> parts = new ArrayList<>();
        checkpoint.getAllTaskStateStats().stream()
                .filter(t -> t.getStateSize() > 0)
                .sorted(java.util.Comparator.comparingLong(TaskStateStats::getStateSize).reversed())
                .forEach(t -> {
                    AccessExecutionJobVertex v = graph.getJobVertex(t.getJobVertexId());
                    parts.add(shortName(v == null ? t.getJobVertexId().toString() : v.getName()) + ":"
                            + t.getStateSize());
                });
        return parts.isEmpty() ? "-" : String.join(",", parts);
    }

    /** The last sampled progress at or before {@code time} (-1 if none). */
    private static long progressAt(List<long[]> samples, long time) {
        long at = -1;
        for (long[] s : samples) {
            if (s[0] <= time) {
                at = s[1];
            }
        }
        return at;
    }
}
