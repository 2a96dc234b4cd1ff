package io.journeycep.pipeline.failure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A standalone Flink session cluster as separate processes, driven through the project's own scripts in
 * {@code deploy/standalone/} (a JobManager and a TaskManager JVM from Maven Central jars, flink-conf/config.yaml with
 * local directories): start, kill -9 the TaskManager and start it again, submit the job jar with the Flink CLI, and
 * read the job's state from the REST API.
 */
final class StandaloneCluster implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");

    private final Path root;
    private final Path work;
    private final int restPort;
    private final Map<String, String> env;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    StandaloneCluster(Path root, Path work, int restPort, int rpcPort, String jmMemory, String tmMemory) {
        this.root = root;
        this.work = work;
        this.restPort = restPort;
        this.env = Map.of("FLINK_WORK", work.toString(), "FLINK_REST_PORT", Integer.toString(restPort),
                "FLINK_RPC_PORT", Integer.toString(rpcPort), "JM_MEMORY", jmMemory, "TM_MEMORY", tmMemory,
                // not offline: the cluster's own jars (log4j's 1.2 bridge, say) are not all among the build's, and on
                // a fresh machine ~/.m2 does not hold them yet; jars already there are not fetched again
                "MVN_FLAGS", "");
    }

    Path work() {
        return work;
    }

    /** deploy/standalone/start-cluster.sh: starts what is not running (both at first, the TaskManager after a kill). */
    void start() throws Exception {
        script(Duration.ofMinutes(5), Map.of(), "deploy/standalone/start-cluster.sh");
    }

    /** kill -9 of the TaskManager process (its pid as start-cluster.sh recorded it); returns the pid. */
    long killTaskManager() throws IOException {
        long pid = Long.parseLong(Files.readString(work.resolve("taskmanager.pid")).trim());
        ProcessHandle handle = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no TM " + pid));
        if (!handle.destroyForcibly()) { // SIGKILL
            throw new IllegalStateException("could not kill TaskManager " + pid);
        }
        handle.onExit().join();
        return pid;
    }

    /** Whether the TaskManager process start-cluster.sh recorded is alive. */
    boolean taskManagerAlive() {
        try {
            long pid = Long.parseLong(Files.readString(work.resolve("taskmanager.pid")).trim());
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    /** deploy/standalone/submit.sh ARGS… (flink run -d journey-cep.jar ARGS…); returns the job id. */
    String submit(Map<String, String> extraEnv, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("deploy/standalone/submit.sh"));
        cmd.addAll(List.of(args));
        String out = script(Duration.ofMinutes(5), extraEnv, cmd.toArray(String[]::new));
        Matcher m = JOB_ID.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no job id in the CLI output:\n" + out);
        }
        return m.group(1);
    }

    void cancel(String jobId) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(uri("/jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(20)).build();
        http.send(req, HttpResponse.BodyHandlers.discarding());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            JsonNode job = get("/jobs/" + jobId);
            if (job != null && job.path("state").asText().matches("CANCELED|FAILED|FINISHED")) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("job " + jobId + " not cancelled after 120 s");
    }

    /** GET on the REST API; null when it does not answer (a JobManager busy restarting a job still answers). */
    JsonNode get(String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Job state RUNNING and every task of every vertex RUNNING. */
    boolean allTasksRunning(String jobId) {
        JsonNode job = get("/jobs/" + jobId);
        if (job == null || !"RUNNING".equals(job.path("state").asText())) {
            return false;
        }
        for (JsonNode v : job.path("vertices")) {
            if (v.path("tasks").path("RUNNING").asInt() != v.path("parallelism").asInt()) {
                return false;
            }
        }
        return true;
    }

    /** The latest completed checkpoint: {@code [id, latest_ack_timestamp]}, or {@code [-1, 0]}. */
    long[] latestCompletedCheckpoint(String jobId) {
        JsonNode c = get("/jobs/" + jobId + "/checkpoints");
        JsonNode latest = c == null ? null : c.path("latest").path("completed");
        if (latest == null || latest.isMissingNode() || latest.isNull()) {
            return new long[] {-1, 0};
        }
        return new long[] {latest.path("id").asLong(), latest.path("latest_ack_timestamp").asLong()};
    }

    /** numRestarts of the job (JobManager metric), or -1. */
    long restarts(String jobId) {
        JsonNode m = get("/jobs/" + jobId + "/metrics?get=numRestarts");
        return m != null && m.size() > 0 ? m.get(0).path("value").asLong(-1) : -1;
    }

    /**
     * The lowest input watermark over every subtask of every vertex that is not a source, ignoring subtasks that
     * have none (Long.MIN_VALUE: they only read from the source subtask without a partition, which is idle);
     * {@code Long.MIN_VALUE} when the REST API does not answer.
     */
    long lowestInputWatermark(String jobId) {
        JsonNode job = get("/jobs/" + jobId);
        if (job == null) {
            return Long.MIN_VALUE;
        }
        long lowest = Long.MAX_VALUE;
        for (JsonNode v : job.path("vertices")) {
            if (v.path("name").asText().startsWith("Source:")) {
                continue;
            }
            JsonNode marks = get("/jobs/" + jobId + "/vertices/" + v.path("id").asText() + "/watermarks");
            if (marks == null || marks.isEmpty()) {
                return Long.MIN_VALUE;
            }
            for (JsonNode m : marks) {
                long w = m.path("value").asLong(Long.MIN_VALUE);
                if (w != Long.MIN_VALUE) {
                    lowest = Math.min(lowest, w);
                }
            }
        }
        return lowest == Long.MAX_VALUE ? Long.MIN_VALUE : lowest;
    }

    @Override
    public void close() throws Exception {
        script(Duration.ofMinutes(2), Map.of(), "deploy/standalone/stop-cluster.sh");
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + restPort + path);
    }

    private String script(Duration timeout, Map<String, String> extraEnv, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.environment().putAll(extraEnv);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes(); // the scripts' children write to files, not to this pipe
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " did not finish within " + timeout);
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited with " + p.exitValue() + ":\n" + text);
        }
        return text;
    }
}
