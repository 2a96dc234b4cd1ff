package io.journeycep.pipeline.bench;

import io.journeycep.model.JourneyEvent;
import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.ingest.EventJson;
import io.journeycep.pipeline.ingest.EventParser;
import io.journeycep.pipeline.ingest.IngestRecord;
import io.journeycep.pipeline.stages.Keys;
import io.journeycep.pipeline.workflow.JourneyWorkflow;
import io.journeycep.pipeline.workflow.WorkflowSinks;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertKind;
import io.journeycep.sinks.SegmentChange;
import io.journeycep.sinks.TransitionCount;

import org.apache.flink.api.common.accumulators.Histogram;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

import java.time.Duration;
import java.util.BitSet;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The whole job graph ({@link JourneyWorkflow#define}, discarding sinks) over {@link SyntheticRiskTraffic}, with a
 * pass-through job as the ceiling. Every generated event is written as JSON and parsed by the job's
 * {@link EventParser} inside the source, as the Kafka and file sources do, in every variant. Not a test: run it with
 * {@code bash bench/workflow.sh} or {@code bash bench/suite.sh}.
 *
 * <p>Arguments: {@code variant backend events [users [rate [parallelism]]]} ({@code rate} 0: as fast as it goes;
 * {@code parallelism} defaults to {@code BENCH_PARALLELISM}, else 1); variants:
 * <ul>
 *   <li>{@code passthrough}: parse, keyBy user, a keyed pass-through, discard (the ceiling);</li>
 *   <li>{@code detectors}: the CEP built-ins and the 4 default velocity rules (identity and segments on as by default;
 *       journeys and drift off);</li>
 *   <li>{@code all}: everything, journeys and drift too; also reports checkpoint durations and the full state size of
 *       the largest checkpoint with the number of distinct users seen up to it (state bytes per active user);</li>
 *   <li>{@code latency}: {@code all} at {@code rate} events/s (a rate-limited generator) with event time = the
 *       event's creation wall time, watermarks without out-of-orderness allowance (the generator is in order) and a
 *       cart-abandonment timeout of {@value #LATENCY_CART_TIMEOUT_S} s; histograms of emit time − event time for the
 *       alerts that do not wait on a timeout (VELOCITY, HIGH_VALUE_BROWSING) and emit time − deadline for
 *       CART_ABANDONED (alerts whose deadline is after the last generated event are left out: the end of the input, not a
 *       passing watermark, fires them).</li>
 * </ul>
 *
 * <p>At a parallelism above 1 every operator runs that many subtasks (one TaskManager with as many slots, {@link
 * BenchCluster}) and each source subtask generates every {@code parallelism}-th event ({@link AsIngestRecords}), so
 * event time advances alike in all of them, as on a Kafka topic with that many partitions. The state bytes per active
 * user are not reported there: the progress counter is not the number of events generated.
 */
public final class WorkflowBenchmark {
    static final int LATENCY_CART_TIMEOUT_S = 10;
    static final String IMMEDIATE = "latency.immediate";
    static final String ABANDONMENT = "latency.abandonment";
    static final String FLUSHED = "latency.flushed-at-end";

    /** Events generated so far in this JVM (sampled by {@link BenchCluster} to place checkpoints in the input). */
    static final AtomicLong GENERATED = new AtomicLong();
    /** Wall-clock time of the first generated event of a {@code latency} run. */
    static final AtomicLong FIRST_EVENT_MS = new AtomicLong();
    /** Wall-clock time of the latest generated event of a {@code latency} run (the watermark never passes it). */
    static final AtomicLong LAST_EVENT_MS = new AtomicLong();
    static final String WARM_UP = "latency.warm-up";

    private WorkflowBenchmark() {}

    public static void main(String[] args) throws Exception {
        System.out.println(run(args));
    }

    /** Runs one variant and returns its RESULT line. */
    static String run(String... args) throws Exception {
        String variant = args[0];
        String backend = args[1];
        long events = Long.parseLong(args[2]);
        int users = args.length > 3 ? Integer.parseInt(args[3]) : 100_000;
        long rate = args.length > 4 ? Long.parseLong(args[4]) : 0;
        int parallelism = args.length > 5 ? Integer.parseInt(args[5])
                : Integer.parseInt(System.getenv().getOrDefault("BENCH_PARALLELISM", "1"));
        if (parallelism < 1 || events % parallelism != 0) {
            throw new IllegalArgumentException("parallelism must be at least 1 and divide the number of events");
        }
        boolean live = variant.equals("latency");
        if (live && rate <= 0) {
            throw new IllegalArgumentException("latency needs a rate (events/s)");
        }

        Configuration conf = BenchEnvironment.configuration(backend);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);

        GENERATED.set(0);
        FIRST_EVENT_MS.set(0);
        LAST_EVENT_MS.set(0);
        // alerts of events in the first quarter of a latency run, at most 10 s, measure JIT and start-up: left out
        long warmUpMs = live ? Math.min(10_000, events * 1000 / rate / 4) : 0;
        AsIngestRecords generator = new AsIngestRecords(new SyntheticRiskTraffic(users, 3), live, events, parallelism);
        DataGeneratorSource<IngestRecord> source = live
                ? new DataGeneratorSource<>(generator, events, RateLimiterStrategy.perSecond(rate),
                        TypeInformation.of(IngestRecord.class))
                : new DataGeneratorSource<>(generator, events, TypeInformation.of(IngestRecord.class));
        JobConfig config = new JobConfig();
        switch (variant) {
            case "passthrough":
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "synthetic records")
                        .map(r -> r.event, TypeInformation.of(JourneyEvent.class))
                        .keyBy(new Keys.UserKey())
                        .process(new CartAbandonmentBenchmark.PassThrough(), TypeInformation.of(JourneyEvent.class))
                        .map(new CartAbandonmentBenchmark.CountOutput<>())
                        .sinkTo(new DiscardingSink<>());
                break;
            case "all":
            case "detectors":
            case "latency":
                config.journeys.enabled = !variant.equals("detectors");
                config.drift.enabled = !variant.equals("detectors");
                if (live) {
                    config.eventTime.maxOutOfOrderness = Duration.ZERO;
                    config.cartAbandonment.timeout = Duration.ofSeconds(LATENCY_CART_TIMEOUT_S);
                }
                WorkflowSinks sinks = new WorkflowSinks()
                        .alerts("discard-alerts", new DiscardingSink<>())
                        .deadLetters("discard-dead-letters", new DiscardingSink<>())
                        .lateEvents("discard-late", new DiscardingSink<>())
                        .segmentChanges("discard-segment-changes", new DiscardingSink<>())
                        .transitions("discard-transitions", new DiscardingSink<>())
                        .driftStats("discard-drift-stats", new DiscardingSink<>());
                JourneyWorkflow.Streams out = JourneyWorkflow.define(env, source, sinks, config);
                out.alerts.map(live ? new LatencyProbe(warmUpMs) : new CartAbandonmentBenchmark.CountOutput<>())
                        .sinkTo(new DiscardingSink<>());
                if (!live) {
                    fingerprint(out);
                }
                break;
            default:
                throw new IllegalArgumentException("variant: passthrough | detectors | all | latency");
        }

        BenchCluster.Run run = BenchCluster.execute(env, conf, "bench workflow " + variant + " " + backend,
                GENERATED::get);
        StringBuilder line = new StringBuilder(String.format(
                "RESULT variant=%s backend=%s events=%d users=%d parallelism=%d seconds=%.1f active_seconds=%.1f"
                        + " events_per_s=%.0f outputs=%s alerts_by_kind=%s",
                variant, backend, events, users, parallelism, run.seconds, run.activeSeconds, events / run.activeSeconds,
                run.accumulator("outputs"),
                alertsByKind(run)));
        line.append(run.checkpointFields());
        if (run.eventsAtLargest >= 0 && parallelism == 1) {
            line.append(" active_users=").append(activeUsers(users, run.eventsAtLargest));
        }
        if (live) {
            line.append(" rate=").append(rate).append(" cart_timeout_s=").append(LATENCY_CART_TIMEOUT_S)
                    .append(" out_of_orderness_ms=0");
            line.append(percentiles("immediate", run.accumulator(IMMEDIATE)));
            line.append(percentiles("abandonment", run.accumulator(ABANDONMENT)));
            line.append(" flushed_at_end=").append(run.accumulator(FLUSHED))
                    .append(" warm_up_ms=").append(warmUpMs).append(" warm_up_alerts=").append(run.accumulator(WARM_UP));
        }
        return line.toString() + "\n" + OutputFingerprint.lines(run.result.getAllAccumulatorResults()).trim();
    }

    /** Fingerprints of the alerts (by kind), segment changes (by segment and action) and transition rows. */
    private static void fingerprint(JourneyWorkflow.Streams out) {
        out.alerts.map(new OutputFingerprint<>("alerts", new AlertIdentity())).name("fingerprint alerts")
                .sinkTo(new DiscardingSink<>());
        if (out.segmentChanges != null) {
            out.segmentChanges.map(new OutputFingerprint<>("segment-changes", new ChangeIdentity()))
                    .name("fingerprint segment changes").sinkTo(new DiscardingSink<>());
        }
        if (out.transitions != null) {
            out.transitions.map(new OutputFingerprint<>("transitions", new TransitionIdentity()))
                    .name("fingerprint transitions").sinkTo(new DiscardingSink<>());
        }
    }

    private static final class AlertIdentity implements OutputFingerprint.Identity<Alert> {
        @Override
        public String kind(Alert a) {
            return a.kind.name();
        }

        @Override
        public String id(Alert a) {
            return a.alertId;
        }
    }

    private static final class ChangeIdentity implements OutputFingerprint.Identity<SegmentChange> {
        @Override
        public String kind(SegmentChange c) {
            return c.action.name();
        }

        @Override
        public String id(SegmentChange c) {
            return c.changeId + "|" + c.enteredAt;
        }
    }

    private static final class TransitionIdentity implements OutputFingerprint.Identity<TransitionCount> {
        @Override
        public String kind(TransitionCount t) {
            return "rows";
        }

        @Override
        public String id(TransitionCount t) {
            return t.fromState + ">" + t.toState + "=" + t.count + "@" + t.updatedAt;
        }
    }

    /** Distinct users among the first {@code events} events of {@link SyntheticRiskTraffic}. */
    static long activeUsers(int users, long events) {
        BitSet seen = new BitSet(users);
        for (long i = 0; i < events; i++) {
            seen.set((int) SyntheticRiskTraffic.userOf(i, users));
        }
        return seen.cardinality();
    }

    /** {@code name_n}, {@code name_p50_ms}, {@code name_p99_ms}, {@code name_max_ms} of a histogram accumulator. */
    @SuppressWarnings("unchecked")
    private static String percentiles(String name, Object histogram) {
        TreeMap<Integer, Integer> h = histogram == null ? new TreeMap<>() : (TreeMap<Integer, Integer>) histogram;
        long n = 0;
        for (int c : h.values()) {
            n += c;
        }
        return String.format(" %s_n=%d %s_p50_ms=%d %s_p99_ms=%d %s_max_ms=%d", name, n, name, quantile(h, n, 0.50),
                name, quantile(h, n, 0.99), name, h.isEmpty() ? -1 : h.lastKey());
    }

    private static long quantile(TreeMap<Integer, Integer> h, long n, double q) {
        if (n == 0) {
            return -1;
        }
        long rank = (long) Math.ceil(q * n);
        long seen = 0;
        for (Map.Entry<Integer, Integer> e : h.entrySet()) {
            seen += e.getValue();
            if (seen >= rank) {
                return e.getKey();
            }
        }
        return h.lastKey();
    }

    private static String alertsByKind(BenchCluster.Run run) {
        StringBuilder b = new StringBuilder();
        run.result.getAllAccumulatorResults().forEach((name, value) -> {
            if (name.startsWith("alerts.") && !name.startsWith("alerts.rule.") && !"0".equals(String.valueOf(value))) {
                b.append(b.length() == 0 ? "" : ",").append(name.substring("alerts.".length())).append('=').append(value);
            }
        });
        return b.length() == 0 ? "-" : b.toString();
    }

    /**
     * The generator's events as the records a source emits: written as JSON and parsed by the job's parser. With
     * {@code live}, an event's time is the wall-clock time at which it is generated.
     *
     * <p>At a parallelism {@code p} above 1, Flink's generator source gives each subtask a contiguous range of
     * {@code total / p} indices; index {@code k·total/p + j} becomes event {@code j·p + k}, so that subtask {@code k}
     * generates events {@code k, k+p, k+2p, …}: the same events as at parallelism 1, with event time advancing at the
     * same pace in every subtask (contiguous ranges would put the second subtask's events {@code total/p · 3 ms}
     * ahead in event time, and every event-time stage would buffer them until the watermark caught up).
     */
    static final class AsIngestRecords implements GeneratorFunction<Long, IngestRecord> {
        private static final long serialVersionUID = 1L;
        private final SyntheticRiskTraffic events;
        private final boolean live;
        private final long perSubtask;
        private final int parallelism;
        private final EventParser parser = EventParser.withDefaults();

        AsIngestRecords(SyntheticRiskTraffic events, boolean live, long total, int parallelism) {
            this.events = events;
            this.live = live;
            this.perSubtask = total / parallelism;
            this.parallelism = parallelism;
        }

        /** The event that generator index {@code index} stands for (see the class comment). */
        long eventOf(long index) {
            return parallelism == 1 ? index : (index % perSubtask) * parallelism + index / perSubtask;
        }

        @Override
        public IngestRecord map(Long index) {
            long event = eventOf(index);
            JourneyEvent e = events.map(event);
            if (live) {
                e.timestamp = System.currentTimeMillis();
                FIRST_EVENT_MS.compareAndSet(0, e.timestamp);
                LAST_EVENT_MS.set(e.timestamp);
            }
            GENERATED.lazySet(index + 1);
            return parser.parseJson(EventJson.toFlatJson(e), "bench", event + 1);
        }
    }

    /** Records emit-time latencies of the alerts in histogram accumulators (see the class comment). */
    static final class LatencyProbe extends RichMapFunction<Alert, Alert> {
        private final long warmUpMs;
        private transient LongCounter warmUp;
        private transient Histogram immediate;
        private transient Histogram abandonment;
        private transient LongCounter flushed;
        private transient LongCounter outputs;

        LatencyProbe(long warmUpMs) {
            this.warmUpMs = warmUpMs;
        }

        @Override
        public void open(OpenContext ctx) {
            warmUp = getRuntimeContext().getLongCounter(WARM_UP);
            immediate = getRuntimeContext().getHistogram(IMMEDIATE);
            abandonment = getRuntimeContext().getHistogram(ABANDONMENT);
            flushed = getRuntimeContext().getLongCounter(FLUSHED);
            outputs = getRuntimeContext().getLongCounter("outputs");
        }

        @Override
        public Alert map(Alert alert) {
            long now = System.currentTimeMillis();
            outputs.add(1);
            boolean abandoned = alert.kind == AlertKind.CART_ABANDONED;
            if (!abandoned && alert.kind != AlertKind.VELOCITY && alert.kind != AlertKind.HIGH_VALUE_BROWSING) {
                return alert; // PATH_ANOMALY waits on the session gap, DRIFT on its bucket
            }
            // the same JVM (MiniCluster): the generator's static is visible here
            long cause = abandoned ? alert.windowEnd - LATENCY_CART_TIMEOUT_S * 1000L : alert.eventTime;
            if (cause < FIRST_EVENT_MS.get() + warmUpMs) {
                warmUp.add(1);
            } else if (!abandoned) {
                immediate.add((int) Math.max(0, Math.min(Integer.MAX_VALUE, now - alert.eventTime)));
            } else if (alert.windowEnd > LAST_EVENT_MS.get()) {
                // the input ended before its deadline: the end of input fired it (before or after the deadline), not
                // a watermark passing it (which follows the events' times, and stops with them)
                flushed.add(1);
            } else {
                abandonment.add((int) Math.min(Integer.MAX_VALUE, now - alert.windowEnd));
            }
            return alert;
        }
    }
}
