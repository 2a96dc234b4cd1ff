package io.journeycep.pipeline.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.ingest.EventParser;
import io.journeycep.pipeline.ingest.EventSources;
import io.journeycep.pipeline.ingest.InputFormat;
import io.journeycep.pipeline.ingest.ParserSettings;
import io.journeycep.pipeline.stages.time.EventTimeLimit;
import io.journeycep.pipeline.testing.CollectingSink;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertKind;
import io.journeycep.sinks.RejectedEvent;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * {@code replay --until TIME} ({@code source.files.until}) on a MiniCluster: a cart abandonment whose 30-min deadline
 * is after TIME does not fire (it does without --until), one whose deadline is before TIME fires in both, and events
 * after TIME are not processed (counted). (That they do not move the source's watermark either is shown on the
 * generator, EventTimeLimitTest: on a MiniCluster it would depend on when the periodic watermark falls.)
 */
class UntilWorkflowTest {
    private static final long MIN = 60_000L;
    private static final long T0 = 1_700_000_000_000L;
    private static final Instant UNTIL = Instant.ofEpochMilli(T0 + 60 * MIN);

    @TempDir
    Path dir;

    private static String event(String id, String type, String user, long offsetMillis) {
        return String.format(
                "{\"event_id\":\"%s\",\"event_type\":\"%s\",\"user_id\":\"%s\",\"ts\":%d,\"item_id\":\"p-%s\","
                        + "\"price\":10.0}",
                id, type, user, T0 + offsetMillis, id);
    }

    private record Result(List<Alert> alerts, List<RejectedEvent> deadLetters, List<RejectedEvent> late,
            JobExecutionResult job) {
        List<String> abandoned() {
            return alerts.stream().filter(a -> a.kind == AlertKind.CART_ABANDONED).map(a -> a.subjectKey).sorted()
                    .toList();
        }
    }

    private Result run(Instant until) throws Exception {
        List<String> lines = List.of(
                // deadline 1 min + 30 min, before TIME: fires with and without --until
                event("early-v", "view", "early", 0),
                event("early-c", "cart_add", "early", MIN),
                "not json: rejected records have no event time and reach the dead letters either way",
                // deadline 55 min + 30 min, after TIME: fires only without --until
                event("late-v", "view", "late", 50 * MIN),
                event("late-c", "cart_add", "late", 55 * MIN),
                // at TIME: processed (a view; nothing to fire)
                event("at-v", "view", "at", 60 * MIN),
                // after TIME: an abandonment that --until does not see at all
                event("after-v", "view", "after", 60 * MIN + 1),
                event("after-c", "cart_add", "after", 61 * MIN),
                // far later
                event("end", "view", "zz", 5 * 60 * MIN));
        Path file = dir.resolve(until == null ? "all.jsonl" : "until.jsonl");
        Files.write(file, lines, StandardCharsets.UTF_8);

        JobConfig config = new JobConfig();
        config.source.type = JobConfig.SourceType.FILES;
        config.source.files.until = until;
        config.eventTime.quietPeriod = null;
        config.eventTime.idleTimeout = null;
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        CollectingSink<Alert> alerts = new CollectingSink<>();
        CollectingSink<RejectedEvent> dead = new CollectingSink<>();
        CollectingSink<RejectedEvent> late = new CollectingSink<>();
        JourneyWorkflow.define(
                env,
                EventSources.files(List.of(file), InputFormat.JSONL, null, new EventParser(ParserSettings.defaults())),
                new WorkflowSinks().alerts("alerts", alerts).deadLetters("dead", dead).lateEvents("late", late),
                config);
        JobExecutionResult job = env.execute("until workflow test");
        return new Result(alerts.results(), dead.results(), late.results(), job);
    }

    private static long accumulator(JobExecutionResult job, String name) {
        Object v = job.getAllAccumulatorResults().get(name);
        return v == null ? 0 : ((Number) v).longValue();
    }

    @Test
    void untilStopsEventTimeTimeoutsAfterItDoNotFire() throws Exception {
        Result all = run(null);
        assertThat(all.abandoned()).as("the end of input flushes every timeout").containsExactly("after", "early", "late");
        assertThat(all.late).isEmpty();
        assertThat(all.deadLetters).hasSize(1);
        assertThat(accumulator(all.job, EventTimeLimit.ACC_AFTER_UNTIL)).isZero();
        assertThat(accumulator(all.job, RouteRejected.EVENTS_ACCEPTED)).isEqualTo(8);

        Result until = run(UNTIL);
        assertThat(until.abandoned())
                .as("only the deadline before TIME fires: 'late' is pending at TIME, 'after' is not processed")
                .containsExactly("early");
        Alert early = until.alerts.stream().filter(a -> a.subjectKey.equals("early")).findFirst().orElseThrow();
        Alert earlyAll = all.alerts.stream().filter(a -> a.subjectKey.equals("early")).findFirst().orElseThrow();
        assertThat(early.alertId).as("the same alert as without --until").isEqualTo(earlyAll.alertId);
        assertThat(early.windowEnd).isEqualTo(T0 + 31 * MIN);
        assertThat(until.late).isEmpty();
        assertThat(until.deadLetters).as("rejected records pass").hasSize(1);
        assertThat(accumulator(until.job, EventTimeLimit.ACC_AFTER_UNTIL)).as("after-v, after-c, end").isEqualTo(3);
        assertThat(accumulator(until.job, RouteRejected.EVENTS_ACCEPTED)).as("processed").isEqualTo(5);
    }
}
