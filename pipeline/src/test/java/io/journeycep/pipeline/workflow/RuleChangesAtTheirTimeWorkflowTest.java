package io.journeycep.pipeline.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.control.ControlRecord;
import io.journeycep.pipeline.control.ControlSources;
import io.journeycep.pipeline.ingest.EventParser;
import io.journeycep.pipeline.ingest.IngestRecord;
import io.journeycep.pipeline.ingest.ParserSettings;
import io.journeycep.pipeline.testing.CollectingSink;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertKind;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A velocity rule added by a control stream in event time (a replay's {@code --control} file) takes effect when event
 * time reaches its {@code ts}: the searches before it are judged without the rule, those after it with it. The events
 * are read at 40 a second, with other traffic around the rule's time, so (as in a replay of a longer history) the
 * events before it have reached the rule stages when the watermark (periodic) passes it, and the rule has reached them
 * before the events after it.
 */
class RuleChangesAtTheirTimeWorkflowTest {
    private static final long MIN = 60_000L;
    private static final long T0 = 1_700_000_000_000L;

    private static String event(String id, String type, String user, long minute) {
        return String.format("{\"event_id\":\"%s\",\"event_type\":\"%s\",\"user_id\":\"%s\",\"ts\":%d}", id, type,
                user, T0 + minute * MIN);
    }

    @Test
    void aVelocityRuleAddedAtTsFiresOnlyForEventsAfterIt() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 3; i++) { // 3 searches in 3 minutes, before the rule exists: no alert
            lines.add(event("early-" + i, "search", "early", i));
        }
        fillers(lines, 3, 27); // the early searches reach the rule stages before event time reaches the rule
        fillers(lines, 31, 100); // the rule reaches them before the later searches
        for (int i = 0; i < 3; i++) { // the same after the rule's time: one alert
            lines.add(event("late-" + i, "search", "later", 140 + i));
        }
        lines.add(event("end", "view", "filler-end", 300));
        String rule = "{\"type\":\"velocity-rule\",\"rule\":{\"rule-id\":\"searches-per-user\",\"version\":1,"
                + "\"event-types\":[\"search\"],\"dimension\":\"user\",\"aggregate\":\"count\",\"threshold\":3,"
                + "\"window\":\"10m\",\"severity\":\"high\"}}";
        List<ControlRecord> control = List.of(ControlRecord.of("file:control.jsonl", 1, null,
                rule.getBytes(StandardCharsets.UTF_8), T0 + 30 * MIN));

        JobConfig config = new JobConfig();
        config.eventTime.quietPeriod = null;
        config.eventTime.idleTimeout = null;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        CollectingSink<Alert> alerts = new CollectingSink<>();
        JourneyWorkflow.define(env,
                new DataGeneratorSource<>(new Lines(lines), lines.size(), RateLimiterStrategy.perSecond(40),
                        TypeInformation.of(IngestRecord.class)),
                ControlSources.inEventTime(control),
                new WorkflowSinks().alerts("alerts", alerts).deadLetters("dead", new CollectingSink<>())
                        .lateEvents("late", new CollectingSink<>()),
                config);
        env.execute("rule changes at their time");

        assertThat(alerts.results()).filteredOn(a -> a.kind == AlertKind.VELOCITY)
                .extracting(a -> a.ruleId + " " + a.subjectKey)
                .containsExactly("searches-per-user later");
    }

    /**
     * A segment rule (a purchase within 1 day) added on day 3 judges the users when event time reaches it: the buyer of
     * day 0 is no member then and never was one under it (in force from the start, the rule would have made her enter
     * on day 0 and exit on day 1); a purchase after the rule's time makes a member.
     */
    @Test
    void aSegmentRuleAddedAtTsJudgesTheUsersWhenEventTimeReachesIt() throws Exception {
        long day = 24 * 60;
        List<String> lines = new ArrayList<>();
        lines.add(event("buy", "purchase", "early-buyer", 0));
        fillers(lines, 1, 3 * day - 1); // the purchase reaches the user pass before event time reaches the rule
        fillers(lines, 3 * day + 1, 3 * day + 100); // the rule reaches it before the later purchase
        lines.add(event("buy-2", "purchase", "later-buyer", 3 * day + 120));
        String rule = "{\"type\":\"segment-rule\",\"segment\":{\"id\":\"BOUGHT_TODAY\",\"version\":1,"
                + "\"when\":{\"count\":[\"purchase\"],\"within\":\"1d\",\"more-than\":0}}}";
        List<ControlRecord> control = List.of(ControlRecord.of("file:control.jsonl", 1, null,
                rule.getBytes(StandardCharsets.UTF_8), T0 + 3 * day * MIN));

        JobConfig config = new JobConfig();
        config.eventTime.quietPeriod = null;
        config.eventTime.idleTimeout = null;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        CollectingSink<io.journeycep.sinks.SegmentChange> changes = new CollectingSink<>();
        JourneyWorkflow.define(env,
                new DataGeneratorSource<>(new Lines(lines), lines.size(), RateLimiterStrategy.perSecond(40),
                        TypeInformation.of(IngestRecord.class)),
                ControlSources.inEventTime(control),
                new WorkflowSinks().alerts("alerts", new CollectingSink<>()).segmentChanges("segments", changes)
                        .deadLetters("dead", new CollectingSink<>()).lateEvents("late", new CollectingSink<>()),
                config);
        env.execute("segment rule at its time");

        assertThat(changes.results()).filteredOn(c -> c.segment.equals("BOUGHT_TODAY"))
                .extracting(c -> c.action + " " + c.userId)
                .containsExactly("ENTER later-buyer", "EXIT later-buyer"); // the EXIT: the end of input ends time
    }

    /**
     * 60 views of other users spread over minutes {@code from} to {@code to}: at 40 events a second, a second and a
     * half of reading, time for the records read before them to travel through every stage (network buffers are
     * flushed every 100 ms).
     */
    private static void fillers(List<String> lines, long from, long to) {
        for (int i = 0; i < 60; i++) {
            long minute = from + (to - from) * i / 59;
            lines.add(event("filler-" + from + "-" + i, "view", "filler-" + from + "-" + i, minute));
        }
    }

    private static final class Lines implements GeneratorFunction<Long, IngestRecord> {
        private static final long serialVersionUID = 1L;
        private final ArrayList<String> lines;
        private final EventParser parser = new EventParser(ParserSettings.defaults());

        Lines(List<String> lines) {
            this.lines = new ArrayList<>(lines);
        }

        @Override
        public IngestRecord map(Long index) {
            return parser.parseJson(lines.get(Math.toIntExact(index)).getBytes(StandardCharsets.UTF_8),
                    "file:events.jsonl", index + 1);
        }
    }
}
