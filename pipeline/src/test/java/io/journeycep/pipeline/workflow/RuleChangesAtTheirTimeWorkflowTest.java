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
 * are read at 40 a second, so the watermark (periodic) passes the rule's time while the events between it and the
 * later searches are read, as in a replay of a longer history.
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
        for (int i = 0; i < 40; i++) { // a second of other traffic, after the rule's time (minute 30)
            lines.add(event("filler-" + i, "view", "filler-" + i, 31 + i));
        }
        for (int i = 0; i < 3; i++) { // the same after the rule's time: one alert
            lines.add(event("late-" + i, "search", "later", 80 + i));
        }
        lines.add(event("end", "view", "filler-end", 200));
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
