package io.journeycep.pipeline.bench;

import io.journeycep.model.JourneyEvent;
import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.ingest.IngestRecord;
import io.journeycep.pipeline.stages.patterns.PatternStage;
import io.journeycep.pipeline.workflow.JourneyWorkflow;
import io.journeycep.pipeline.workflow.WorkflowSinks;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;


/**
 * Events/s of the whole job graph ({@link JourneyWorkflow#define}, discarding sinks) over {@link SyntheticRiskTraffic}
 * as parsed records, with a pass-through job as the ceiling. Not a test: run it with {@code bash bench/workflow.sh}.
 * Arguments: {@code variant backend events [users]}; variants: {@code passthrough} (keyBy user + discard),
 * {@code detectors} (the CEP built-ins and the 4 default velocity rules; journeys and drift off), {@code all} (plus
 * journeys and drift).
 */
public final class WorkflowBenchmark {
    private WorkflowBenchmark() {}

    public static void main(String[] args) throws Exception {
        String variant = args[0];
        String backend = args[1];
        long events = Long.parseLong(args[2]);
        int users = args.length > 3 ? Integer.parseInt(args[3]) : 100_000;

        StreamExecutionEnvironment env = BenchEnvironment.create(backend);
        env.setParallelism(1);

        DataGeneratorSource<IngestRecord> source = new DataGeneratorSource<>(
                new AsIngestRecords(new SyntheticRiskTraffic(users, 3)), events,
                TypeInformation.of(IngestRecord.class));
        JobConfig config = new JobConfig();
        switch (variant) {
            case "passthrough":
                env.fromSource(source, org.apache.flink.api.common.eventtime.WatermarkStrategy.noWatermarks(),
                                "synthetic records")
                        .map(r -> r.event, TypeInformation.of(JourneyEvent.class))
                        .keyBy(new PatternStage.UserKey())
                        .process(new CartAbandonmentBenchmark.PassThrough(), TypeInformation.of(JourneyEvent.class))
                        .map(new CartAbandonmentBenchmark.CountOutput<>())
                        .sinkTo(new DiscardingSink<>());
                break;
            case "all":
            case "detectors":
                config.journeys.enabled = variant.equals("all");
                config.drift.enabled = variant.equals("all");
                WorkflowSinks sinks = new WorkflowSinks()
                        .alerts("discard-alerts", new DiscardingSink<>())
                        .deadLetters("discard-dead-letters", new DiscardingSink<>())
                        .lateEvents("discard-late", new DiscardingSink<>());
                JourneyWorkflow.Streams out = JourneyWorkflow.define(env, source, sinks, config);
                out.alerts.map(new CartAbandonmentBenchmark.CountOutput<>()).sinkTo(new DiscardingSink<>());
                break;
            default:
                throw new IllegalArgumentException("variant: passthrough | detectors | all");
        }

        long start = System.nanoTime();
        JobExecutionResult result = env.execute("bench workflow " + variant + " " + backend);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("RESULT variant=%s backend=%s events=%d users=%d seconds=%.1f events_per_s=%.0f outputs=%s"
                        + " alerts_by_kind=%s%n",
                variant, backend, events, users, seconds, events / seconds,
                result.getAllAccumulatorResults().get("outputs"), alertsByKind(result));
    }

    private static String alertsByKind(JobExecutionResult result) {
        StringBuilder b = new StringBuilder();
        result.getAllAccumulatorResults().forEach((name, value) -> {
            if (name.startsWith("alerts.") && !name.startsWith("alerts.rule.") && !"0".equals(String.valueOf(value))) {
                b.append(b.length() == 0 ? "" : ",").append(name.substring("alerts.".length())).append('=').append(value);
            }
        });
        return b.length() == 0 ? "-" : b.toString();
    }

    /** The generator's events as the parsed records a source emits. */
    static final class AsIngestRecords implements GeneratorFunction<Long, IngestRecord> {
        private static final long serialVersionUID = 1L;
        private final SyntheticRiskTraffic events;

        AsIngestRecords(SyntheticRiskTraffic events) {
            this.events = events;
        }

        @Override
        public IngestRecord map(Long index) {
            return IngestRecord.accepted(events.map(index));
        }
    }
}
