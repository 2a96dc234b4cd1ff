package io.journeycep.pipeline.cli;

import io.journeycep.patterns.pass.UserPassOperator;
import io.journeycep.pipeline.stages.consent.ConsentGuest;
import io.journeycep.pipeline.stages.journeys.JourneyGuest;
import io.journeycep.pipeline.stages.segments.SegmentGuest;
import io.journeycep.pipeline.stages.time.EventTimeLimit;
import io.journeycep.sinks.AlertKind;

import org.apache.flink.api.common.JobExecutionResult;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a replay read and found, from the job's accumulators: also where event time ended and what was still pending
 * then. Every count is the job's own; a count the job did not report (an operator not in the job, or a run restored
 * from a checkpoint, where a running count cannot be trusted) is {@code null} and not printed.
 */
public final class ReplaySummary {
    public final long accepted;
    public final long rejected;
    public final long duplicates;
    public final long late;
    /** Events dropped because their user was suppressed at their time ({@code suppress} messages). */
    public final long suppressed;
    /** {@code replay --until}: where event time stopped, or {@code null}. */
    public final Instant until;
    /** Accepted records not processed because their event time is after {@link #until}. */
    public final long afterUntil;
    /** {@code replay --drain}: the end of the input moved event time to the end of time. */
    public final boolean drain;
    /**
     * Where event time ended (the watermark at the end of the input): {@link #until}, or the greatest accepted event
     * time; {@code null} with {@code --drain} (the end of time) or when there was no accepted event.
     */
    public final Instant eventTimeEnd;
    /** Users with an open cart episode at the end (its CART_ABANDONED deadline not reached), or {@code null}. */
    public final Long openCarts;
    /** Open journey sessions at the end (not closed, not scored, their transitions not counted), or {@code null}. */
    public final Long openSessions;
    /** Users whose segment timer (the next membership change by time passing) is still pending, or {@code null}. */
    public final Long segmentTimersPending;
    /**
     * Triggers the user's pass did not send because the user had not granted their consent category (README
     * "Consent"), or {@code null}; not in {@link #alerts}.
     */
    public final Long withheld;
    public final Map<AlertKind, Long> alerts = new EnumMap<>(AlertKind.class);
    /** Alerts per rule id (patterns and velocity rules), including the rules that fired none; by rule id. */
    public final Map<String, Long> alertsByRule = new TreeMap<>();
    public final long runtimeMillis;

    /** The accumulator prefix of the per-rule counts (the workflow's alert counter). */
    static final String RULE_PREFIX = "alerts.rule.";

    ReplaySummary(JobExecutionResult result, Instant until, boolean drain) {
        this.until = until;
        this.drain = drain;
        afterUntil = count(result, EventTimeLimit.ACC_AFTER_UNTIL);
        Long end = optional(result, EventTimeLimit.ACC_EVENT_TIME_END);
        eventTimeEnd = drain || end == null || end == Long.MIN_VALUE ? null : Instant.ofEpochMilli(end);
        openCarts = optional(result, UserPassOperator.ACC_OPEN_MATCHES_PREFIX + "cart-abandonment");
        openSessions = optional(result, JourneyGuest.ACC_OPEN_SESSIONS);
        segmentTimersPending = optional(result, SegmentGuest.ACC_TIMERS_PENDING);
        withheld = optional(result, ConsentGuest.ACC_WITHHELD);
        accepted = count(result, "eventsAccepted");
        rejected = count(result, "eventsRejected");
        duplicates = count(result, "duplicates");
        late = count(result, "lateEvents");
        suppressed = count(result, io.journeycep.pipeline.stages.dedupe.DedupeAndLateFilter.ACC_SUPPRESSED);
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

    private static Long optional(JobExecutionResult result, String name) {
        Object v = result.getAllAccumulatorResults().get(name);
        return v instanceof Number ? ((Number) v).longValue() : null;
    }

    /** The end of the first line: where event time ended. */
    String endOfEventTime() {
        if (drain) {
            return "event time ran to the end of time (--drain: every pending timeout fired)";
        }
        if (until != null) {
            return "event time stopped at " + until;
        }
        return eventTimeEnd == null
                ? "no accepted event, so event time did not start"
                : "event time ended at " + eventTimeEnd + " (the last event)";
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
        if (suppressed > 0) {
            sb.append(String.format("  suppressed       %,10d   (dropped: the user was suppressed at their time)%n",
                    suppressed));
        }
        if (drain) {
            sb.append("  event time ended at the end of time   (--drain: every pending timeout fired)\n");
        } else if (eventTimeEnd != null) {
            sb.append(String.format("  event time ended at %s   (%s)%n", eventTimeEnd,
                    until != null ? "--until" : "the last event; --drain fires the timeouts after it"));
        }
        if (!drain && (openCarts != null || openSessions != null || segmentTimersPending != null)) {
            sb.append("  pending when event time ended\n");
            if (openCarts != null) {
                sb.append(String.format("    open carts     %,10d   (CART_ABANDONED deadline not reached)%n", openCarts));
            }
            if (openSessions != null) {
                sb.append(String.format("    open sessions  %,10d   (journey sessions not closed, not scored)%n",
                        openSessions));
            }
            if (segmentTimersPending != null) {
                sb.append(String.format("    segment timers %,10d   (users with a membership change still due)%n",
                        segmentTimersPending));
            }
        }
        if (withheld != null && withheld > 0) {
            sb.append(String.format("  withheld         %,10d   (marketing triggers without the user's consent: not"
                    + " sent)%n", withheld));
        }
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
