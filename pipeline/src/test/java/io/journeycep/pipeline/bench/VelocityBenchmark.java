package io.journeycep.pipeline.bench;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.velocity.VelocityRule;
import io.journeycep.pipeline.control.ControlMessage;
import io.journeycep.pipeline.control.ControlStage;
import io.journeycep.pipeline.ingest.WallClock;
import io.journeycep.pipeline.stages.Keys;
import io.journeycep.pipeline.stages.velocity.VelocityStage;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

import java.util.ArrayList;
import java.util.List;

/**
 * Events/s of the velocity stage (fan-out per wanted dimension, keyBy dimension value, sliding windows) with
 * the 4 default rules or 100 rules (25 variants of each default: thresholds +0…+4, windows ×1…×3), on heap or
 * RocksDB, over {@link SyntheticRiskTraffic}. Not a test: run it with {@code bash bench/velocity-stage.sh}.
 * Arguments: {@code rules(4|100) backend(hashmap|rocksdb) events [users]}.
 */
public final class VelocityBenchmark {
    private VelocityBenchmark() {}

    public static void main(String[] args) throws Exception {
        int ruleCount = Integer.parseInt(args[0]);
        String backend = args[1];
        long events = Long.parseLong(args[2]);
        int users = args.length > 3 ? Integer.parseInt(args[3]) : 100_000;
        List<VelocityRule> rules = rules(ruleCount);

        StreamExecutionEnvironment env = BenchEnvironment.create(backend);
        env.setParallelism(1);

        DataStream<JourneyEvent> input = env.fromSource(
                new DataGeneratorSource<>(new SyntheticRiskTraffic(users, 3), events,
                        TypeInformation.of(JourneyEvent.class)),
                WatermarkStrategy.<JourneyEvent>forMonotonousTimestamps()
                        .withTimestampAssigner((e, t) -> e.timestamp),
                "synthetic risk traffic");
        // The job feeds the stage from the per-user dedupe operator: keep that shape.
        DataStream<JourneyEvent> byUser = input.keyBy(new Keys.UserKey())
                .process(new CartAbandonmentBenchmark.PassThrough(), TypeInformation.of(JourneyEvent.class));
        // no control topic: the empty control stream the job builds then (ControlStage, uid control-none)
        DataStream<ControlMessage> control = ControlStage.apply(byUser, null, WallClock.system()).messages;
        VelocityStage.apply(byUser, rules, control).alerts
                .map(new CartAbandonmentBenchmark.CountOutput<>())
                .sinkTo(new DiscardingSink<>());

        long start = System.nanoTime();
        JobExecutionResult result = env.execute("bench velocity " + ruleCount + " rules " + backend);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("RESULT variant=velocity-%d-rules backend=%s events=%d users=%d seconds=%.1f"
                        + " events_per_s=%.0f outputs=%s%n",
                ruleCount, backend, events, users, seconds, events / seconds,
                result.getAllAccumulatorResults().get("outputs"));
    }

    /** The 4 defaults, or 25 variants of each (ids {@code <default>-NN}). */
    static List<VelocityRule> rules(int count) {
        if (count == 4) {
            return VelocityRule.defaults();
        }
        if (count % 4 != 0) {
            throw new IllegalArgumentException("rules: a multiple of 4");
        }
        List<VelocityRule> rules = new ArrayList<>();
        for (int k = 0; k < count / 4; k++) {
            for (VelocityRule base : VelocityRule.defaults()) {
                VelocityRule r = base.copy();
                r.ruleId = String.format("%s-%02d", base.ruleId, k);
                r.threshold = base.threshold + k % 5;
                r.windowMs = base.windowMs * (1 + k % 3);
                rules.add(r.requireValid());
            }
        }
        return rules;
    }
}
