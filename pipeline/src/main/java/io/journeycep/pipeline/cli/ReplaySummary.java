package io.journeycep.pipeline.cli;

import io.journeycep.pipeline.stages.time.EventTimeLimit;
import io.journeycep.sinks.AlertKind;

import org.apache.flink.api.common.JobExecutionResult;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/** What a replay read and found, from the job's accumulators. */
public final class ReplaySummary {
    public final long accepted;
    public final long rejected;
    public final long duplicates;
    public final long late;
    /** {@code replay --until}: where event time stopped, or {@code null}. */
    public final Instant until;
    /** Accepted records not processed because their event time is after {@link #until}. */
    public final long afterUntil;
    public final Map<AlertKind, Long> alerts = new EnumMap<>(AlertKind.class);
    /** Alerts per rule id (patterns and velocity rules), including the rules that fired none; by rule id. */
    public final Map<String, Long> alertsByRule = new TreeMap<>();
    public final long runtimeMillis;

    /** The accumulator prefix of the per-rule counts (the workflow's alert counter). */
    static final String RULE_PREFIX = "alerts.rule.";

    ReplaySummary(JobExecutionResult result, Instant until) {
        this.until = until;
        afterUntil = count(result, EventTimeLimit.ACC_AFTER_UNTIL);
        accepted = count(result, "eventsAccepted");
        rejected = count(result, "eventsRejected");
        duplicates = count(result, "duplicates");
        late = count(result, "lateEvents");
        for (AlertKind kind : AlertKind.values()) {
            alerts.put(kind, count(result, "alerts." + kind.name()));
        }
        for (Map.Entry<String, Object> e : result.getAllAccumulatorResults().entrySet()) {
            if (e.getKey().startsWith(RULE_PREFIX) && e.getValue() instanceof Number) {
                alertsByRule.put(e.getKey().substring(RULE_PREFIX.length()), ((Number) e.getValue()).longValue());
            }
        }
        runtimeMillis = result.getNetRuntime();
    }

    private static long count(JobExecutionResult result, String name) {
        Object v = result.getAllAccumulatorResults().get(name);
        return v instanceof Number ? ((Number) v).longValue() : 0L;
    }

    public long read() {
        return accepted + rejected + afterUntil;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("  records read     %,10d%n", read()));
        sb.append(String.format("    accepted       %,10d%n", accepted));
        sb.append(String.format("    rejected       %,10d   (dead-letter output, with reason and raw bytes)%n", rejected));
        if (until != null) {
            sb.append(String.format("    after --until  %,10d   (not processed: event time after %s)%n", afterUntil, until));
        }
        sb.append(String.format("  duplicates       %,10d   (dropped)%n", duplicates));
        sb.append(String.format("  late             %,10d   (late-events output)%n", late));
        sb.append("  alerts by kind\n");
        for (Map.Entry<AlertKind, Long> e : alerts.entrySet()) {
            sb.append(String.format("    %-20s %,6d%n", e.getKey().name(), e.getValue()));
        }
        sb.append("  alerts by rule\n");
        for (Map.Entry<String, Long> e : alertsByRule.entrySet()) {
            sb.append(String.format("    %-32s %,6d%n", e.getKey(), e.getValue()));
        }
        sb.append(String.format("  job runtime      %,10d ms%n", runtimeMillis));
        return sb.toString();
    }
}
