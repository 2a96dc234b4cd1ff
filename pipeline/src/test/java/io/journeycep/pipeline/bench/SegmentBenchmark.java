package io.journeycep.pipeline.bench;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.segments.SegmentBook;
import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.control.ControlMessage;
import io.journeycep.pipeline.control.ControlStage;
import io.journeycep.pipeline.ingest.WallClock;
import io.journeycep.pipeline.stages.Keys;
import io.journeycep.pipeline.stages.pass.UserPassStage;
import io.journeycep.pipeline.stages.segments.SegmentStateProbe;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

import java.util.List;

/**
 * Events/s of the segment stage (shipped definitions and RFM) on heap or RocksDB over {@link SyntheticClickstream}
 * spread over {@code days} of event time, and the serialized state bytes per user it holds at the end (measured by
 * {@link SegmentStateProbe}: the same operator in a test harness, every user's state value serialized as Flink stores
 * it, before any timer of the horizon fires). Not a test: run it with {@code bash bench/segment-stage.sh}. Arguments:
 * {@code backend(hashmap|rocksdb) events users days}.
 */
public final class SegmentBenchmark {
    private SegmentBenchmark() {}

    public static void main(String[] args) throws Exception {
        String backend = args[0];
        long events = Long.parseLong(args[1]);
        int users = Integer.parseInt(args[2]);
        int days = Integer.parseInt(args[3]);
        long step = Math.max(1, days * 86_400_000L / events);
        JobConfig config = new JobConfig();
        SegmentBook book = config.segments.book();

        StreamExecutionEnvironment env = BenchEnvironment.create(backend);
        env.setParallelism(1);
        DataStream<JourneyEvent> input = env.fromSource(
                new DataGeneratorSource<>(new SyntheticClickstream(users, step), events,
                        TypeInformation.of(JourneyEvent.class)),
                WatermarkStrategy.<JourneyEvent>forMonotonousTimestamps()
                        .withTimestampAssigner((e, t) -> e.timestamp),
                "synthetic clickstream");
        // The job feeds the stage from the per-user dedupe and identity operators: keep a keyed hop before it.
        DataStream<JourneyEvent> byUser = input.keyBy(new Keys.UserKey())
                .process(new CartAbandonmentBenchmark.PassThrough(), TypeInformation.of(JourneyEvent.class));
        DataStream<ControlMessage> control = ControlStage.apply(byUser, null, WallClock.system()).messages;
        UserPassStage.apply(byUser, control, new UserPassStage.Settings(List.of(), book,
                        config.journeys.sessionGap.toMillis(), null, false)).segmentChanges
                .map(new CartAbandonmentBenchmark.CountOutput<>())
                .sinkTo(new DiscardingSink<>());

        long start = System.nanoTime();
        JobExecutionResult result = env.execute("bench segments " + backend);
        double seconds = (System.nanoTime() - start) / 1e9;

        SegmentStateProbe.Result state = SegmentStateProbe.measure(book, config.journeys.sessionGap.toMillis(),
                new SyntheticClickstream(users, step), events);
        System.out.printf("RESULT variant=segments backend=%s events=%d users=%d days=%d seconds=%.1f"
                        + " events_per_s=%.0f changes=%s users_with_state=%d state_bytes_per_user=%.0f"
                        + " state_bytes_p99=%d%n",
                backend, events, users, days, seconds, events / seconds,
                result.getAllAccumulatorResults().get("outputs"), state.users, state.meanBytes, state.p99Bytes);
    }
}
