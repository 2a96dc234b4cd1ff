package io.journeycep.pipeline.workflow;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.spec.BuiltInPatterns;
import io.journeycep.patterns.spec.PatternSpec;
import io.journeycep.patterns.velocity.VelocityRule;
import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.control.ControlMessage;
import io.journeycep.pipeline.control.ControlRecord;
import io.journeycep.pipeline.control.ControlStage;
import io.journeycep.pipeline.ingest.IngestRecord;
import io.journeycep.pipeline.ingest.WallClock;
import io.journeycep.pipeline.privacy.Pseudonymizer;
import io.journeycep.pipeline.rules.JobRules;
import io.journeycep.pipeline.stages.Keys;
import io.journeycep.pipeline.stages.consent.WithheldCounter;
import io.journeycep.pipeline.stages.dedupe.DedupeAndLateFilter;
import io.journeycep.pipeline.stages.drift.DriftStage;
import io.journeycep.pipeline.stages.erasure.ErasureGate;
import io.journeycep.pipeline.stages.erasure.ErasureMarkers;
import io.journeycep.pipeline.stages.identity.IdentityStage;
import io.journeycep.pipeline.stages.journeys.JourneyStage;
import io.journeycep.pipeline.stages.pass.UserPassStage;
import io.journeycep.pipeline.stages.suppression.SuppressionMarkers;
import io.journeycep.pipeline.stages.suppression.SuppressionTimeline;
import io.journeycep.pipeline.stages.time.EventTimeLimit;
import io.journeycep.pipeline.stages.time.EventTimeWatermarks;
import io.journeycep.pipeline.stages.velocity.VelocityStage;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.DriftStat;
import io.journeycep.sinks.ErasureRequest;
import io.journeycep.sinks.RejectedEvent;
import io.journeycep.sinks.SegmentChange;
import io.journeycep.sinks.TransitionCount;
import io.journeycep.sinks.WithheldCount;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.OutputTag;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The job's dataflow (DESIGN §1), with its source and sinks passed in: {@code main} gives it Kafka or files and the
 * Kafka/JDBC sinks; tests give it their own. Every stateful operator has a stable uid.
 *
 * <pre>
 * source (parse inside, watermarks per split) [→ stop event time at until | at the last event] → route rejected ─► dead letters
 *   → keyBy(user) dedupe + late filter ─► late events
 *   → keyBy(anonymous id, else user) identity stitcher (events of a linked anonymous id get its user id; for the
 *     journeys, an anonymous path is held until a link re-keys it or the session gap passes: one stream, each event
 *     routed to the detectors, the journeys or both)
 *   → keyBy(user) ├► user pass (one value and one timer per user): every pattern spec (the built-ins, then the rules
 *                 │    files'), look-back + CEP NFA each ─► alerts ─┐; segments (events and the pass's CART_ABANDONED)
 *                 │    ─► segment changes; journey sessions (the journeys' events) ─┐; triggers consent withheld
 *                 │    → keyBy(day|kind) withheld counter ─► absolute counts ─► triggers_withheld
 *                 │                                    keyBy(from) transition counter → keyBy(session) path scorer ┤
 *                 │                                                     └► absolute counts ─► journey_transitions  │
 *                 └► (the detectors' events) velocity fan-out (one record per wanted dimension)                   │
 *                                               → keyBy(DIMENSION|value) velocity rules ─────────────────────────┴► count alerts → alerts
 *            ▲ broadcast (velocity rule book; segment rules to the user pass)
 * control source → parse control messages   (bad messages, rejected changes ─► dead letters)
 *   [→ a replay's control file: rule changes held until the events' watermark reaches their ts (ControlStage#rulesAtTheirTime)]
 * suppress/unsuppress requests (control topic) → one marker per user key ─► union before dedupe, which keeps them
 *   (no TTL) and drops the suppressed keys' events in event time, before the late check
 * erasure requests (control topic) → one marker per user key ─► union with the events before dedupe; every keyed
 *   stage deletes the key's state and timers; after identity stitching an erasure gate (keyed by user) holds each
 *   marker until the watermark passes its request time; gated markers ─► erasure sinks (rows deleted, request logged)
 *   drift (when drift.enabled): event and CART_ABANDONED metrics → pre-aggregate → keyBy(metric) detector
 *        ─► drift stats, DRIFT alerts (joined before count alerts)
 * </pre>
 *
 * <p>CART_ABANDONED and HIGH_VALUE_BROWSING are pattern specs too ({@link #builtInPatterns}); the rules files of
 * {@code patterns.files} are linted first and fail the start on any error. The velocity branch exists only when
 * {@code velocity.enabled} and there is a rule (config or rules files) or a control source. A control source is always
 * read: besides rule changes it carries erasure requests (README "Privacy"), whose markers, the erasure gates and the
 * erasure sinks exist only with one. With {@code source.files.until} ({@code replay --until}), {@link EventTimeLimit} right after the
 * source drops the events after it and holds every watermark at it, so no event-time timer after it fires. A file
 * source without it ends event time at its greatest event time ({@link EventTimeLimit#atLastEvent()}, at parallelism
 * 1), unless {@code source.files.drain} ({@code replay --drain}) lets the end of the input fire every timer.
 */
public final class JourneyWorkflow {
    public static final String SOURCE_UID = "source-events";
    public static final String DEDUPE_UID = "dedupe-late-filter";
    public static final String ERASURE_MARKERS_UID = "erasure-markers";
    public static final String SUPPRESSION_MARKERS_UID = "suppression-markers";
    public static final String ERASURE_GATE_UID = "erasure-gate";

    private static final OutputTag<RejectedEvent> REJECTED =
            new OutputTag<>("rejected-records", TypeInformation.of(RejectedEvent.class));

    private JourneyWorkflow() {}

    /** Output streams of the workflow, for callers that attach more. */
    public static final class Streams {
        public final DataStream<Alert> alerts;
        public final DataStream<RejectedEvent> deadLetters;
        public final DataStream<RejectedEvent> lateEvents;
        /** Segment ENTER/EXIT changes, {@code null} when segments are off. */
        public final DataStream<SegmentChange> segmentChanges;
        /** Absolute transition counts ({@code journey_transitions}), {@code null} when journeys are off. */
        public final DataStream<TransitionCount> transitions;
        /** Absolute counts of the triggers withheld for consent per kind and day ({@code triggers_withheld}). */
        public final DataStream<WithheldCount> triggersWithheld;

        Streams(DataStream<Alert> alerts, DataStream<RejectedEvent> deadLetters, DataStream<RejectedEvent> lateEvents,
                DataStream<SegmentChange> segmentChanges, DataStream<TransitionCount> transitions,
                DataStream<WithheldCount> triggersWithheld) {
            this.alerts = alerts;
            this.deadLetters = deadLetters;
            this.lateEvents = lateEvents;
            this.segmentChanges = segmentChanges;
            this.transitions = transitions;
            this.triggersWithheld = triggersWithheld;
        }
    }

    /**
     * Whether the end of the input ends event time at the input's last event ({@link EventTimeLimit#atLastEvent()}):
     * for a file source ({@code source.type: files}) without {@code until} and without {@code drain}. Any other bounded
     * source given with another source type (tests) ends, as in Flink, with the end of time.
     */
    public static boolean endsAtLastEvent(JobConfig config) {
        return config.source.type == JobConfig.SourceType.FILES
                && config.source.files.until == null
                && !config.source.files.drain;
    }

    /**
     * Whether the stages count, when the input ends, what is still pending (open pattern matches, open sessions; the
     * replay summary): for a file source that does not drain. Elsewhere the end scan would only cost (benchmarks) or
     * find nothing (drain).
     */
    static boolean countsPendingAtTheEnd(JobConfig config) {
        return config.source.type == JobConfig.SourceType.FILES && !config.source.files.drain;
    }

    /** The workflow without a control topic: the velocity rules are the config's (replays, file runs, tests). */
    public static Streams define(
            StreamExecutionEnvironment env,
            Source<IngestRecord, ?, ?> source,
            WorkflowSinks sinks,
            JobConfig config) {
        return define(env, source, null, sinks, config);
    }

    /**
     * @param controlSource the control topic's records (live velocity and segment rule changes, erasure requests), or
     *     {@code null} for none
     */
    public static Streams define(
            StreamExecutionEnvironment env,
            Source<IngestRecord, ?, ?> source,
            Source<ControlRecord, ?, ?> controlSource,
            WorkflowSinks sinks,
            JobConfig config) {
        JobConfig.EventTime time = config.eventTime;
        Instant until = config.source.files.until;
        SingleOutputStreamOperator<IngestRecord> records = env
                .fromSource(
                        source,
                        EventTimeWatermarks.strategy(
                                time.maxOutOfOrderness, time.idleTimeout, time.quietPeriod, until),
                        "events",
                        TypeInformation.of(IngestRecord.class))
                .uid(SOURCE_UID);
        if (until != null) {
            // replay --until: drop events after it, never forward a watermark beyond it (chained to the source)
            records = records
                    .transform(EventTimeLimit.NAME, TypeInformation.of(IngestRecord.class), new EventTimeLimit(until))
                    .uid(EventTimeLimit.UID);
        } else if (endsAtLastEvent(config)) {
            // a file source without --drain: event time ends at the input's greatest event time; parallelism 1, so it
            // is the whole input's greatest time and not one source subtask's (see EventTimeLimit)
            records = records
                    .transform(EventTimeLimit.LAST_EVENT_NAME, TypeInformation.of(IngestRecord.class),
                            EventTimeLimit.atLastEvent())
                    .uid(EventTimeLimit.LAST_EVENT_UID)
                    .setParallelism(1);
        }

        SingleOutputStreamOperator<JourneyEvent> events = records
                .process(new RouteRejected(REJECTED), TypeInformation.of(JourneyEvent.class))
                .name("route rejected records")
                .uid("route-rejected");
        DataStream<RejectedEvent> deadLetters = events.getSideOutput(REJECTED);

        JobRules rules = JobRules.of(config);
        List<VelocityRule> velocityRules = rules.velocityRules;
        boolean velocityOn = config.velocity.enabled && (!velocityRules.isEmpty() || controlSource != null);
        // erasure requests come only from a control topic
        boolean erasureOn = controlSource != null;
        // always: the user pass takes the control messages as its broadcast input (an empty stream without a topic)
        int segmentHorizonDays = (int) config.segments.horizon.toDays();
        Pseudonymizer controlPseudonymizer = erasureOn ? config.pseudonymizer() : null;
        ControlStage.Output control = ControlStage.apply(events, controlSource, WallClock.system(),
                segmentHorizonDays, controlPseudonymizer);
        deadLetters = deadLetters.union(control.rejected);
        DataStream<JourneyEvent> toDedupe = events;
        // suppressions known before the start (a replay's control file) decide from the first event on
        Map<String, SuppressionTimeline> knownSuppressions = ControlStage.knownMessages(controlSource,
                WallClock.system(), segmentHorizonDays, controlPseudonymizer).map(SuppressionTimeline::byKey)
                .orElse(null);
        if (erasureOn) {
            // one marker per user key of a request joins the events right before dedupe (README "Privacy")
            toDedupe = events.union(control.messages
                    .flatMap(new ErasureMarkers(), TypeInformation.of(JourneyEvent.class))
                    .name("erasure markers")
                    .uid(ERASURE_MARKERS_UID)
                    .setParallelism(1),
                    control.messages
                    .flatMap(new SuppressionMarkers(), TypeInformation.of(JourneyEvent.class))
                    .name("suppression markers")
                    .uid(SUPPRESSION_MARKERS_UID)
                    .setParallelism(1));
        }

        SingleOutputStreamOperator<JourneyEvent> onTime = toDedupe
                .keyBy(new Keys.UserKey())
                .process(new DedupeAndLateFilter(config.dedupe.horizon, knownSuppressions),
                        TypeInformation.of(JourneyEvent.class))
                .name("dedupe and late filter")
                .uid(DEDUPE_UID);
        DataStream<RejectedEvent> late = onTime
                .getSideOutput(DedupeAndLateFilter.LATE_EVENTS)
                .map(new LateToRejected(), TypeInformation.of(RejectedEvent.class))
                .name("late events as dead letters")
                .uid("late-to-rejected");

        // one stream for the pass: the detectors' events and the journeys' re-keyed anonymous paths (JourneyEvent#route)
        DataStream<JourneyEvent> stitched = IdentityStage.apply(onTime, config);
        DataStream<ErasureRequest> erasures = null;
        if (erasureOn) {
            // markers wait here until the watermark passes their request time: every event of the key up to then,
            // from any stitcher instance, is ahead of them from here on
            stitched = DataStreamUtils.reinterpretAsKeyedStream(stitched, new Keys.UserKey())
                    .process(new ErasureGate(), TypeInformation.of(JourneyEvent.class))
                    .name("erasure gate")
                    .uid(ERASURE_GATE_UID);
            erasures = requests(stitched, "erasure requests", "erasure-requests");
        }
        // velocity and drift: the detectors' events (chained, no shuffle)
        DataStream<JourneyEvent> detectorEvents = stitched
                .filter(JourneyEvent::forDetectors)
                .name("events for the detectors")
                .uid("detector-events");

        // rule changes for the user pass (segment rules) and velocity: as they arrive from the control topic; from a
        // replay's control file, each once the events' watermark reaches its ts
        DataStream<ControlMessage> ruleChanges = ControlStage.rulesAtTheirTime(control, events, controlSource);
        List<PatternSpec> patterns = new ArrayList<>(builtInPatterns(config));
        patterns.addAll(rules.userPatterns);
        UserPassStage.Output pass = UserPassStage.apply(stitched, ruleChanges, new UserPassStage.Settings(
                patterns, config.segments.enabled ? config.segments.book() : null,
                config.journeys.sessionGap.toMillis(),
                config.journeys.enabled ? JourneyStage.guestSettings(config.journeys) : null,
                countsPendingAtTheEnd(config), config.consent.settings(), config.groups.settings()));
        DataStream<Alert> detected = pass.alerts;
        // the triggers consent withheld: counted per kind and day, absolute counts ─► triggers_withheld
        DataStream<WithheldCount> triggersWithheld = WithheldCounter.apply(pass.withheld);
        for (NamedSink<WithheldCount> sink : sinks.triggersWithheld()) {
            // forward (chained) to the counter: a kind and day's absolute counts arrive in order
            triggersWithheld.sinkTo(sink.sink()).name(sink.name()).uid("sink-" + sink.name());
        }
        if (velocityOn) {
            VelocityStage.Output velocity = VelocityStage.apply(detectorEvents, velocityRules, ruleChanges);
            detected = detected.union(velocity.alerts);
            deadLetters = deadLetters.union(velocity.rejected);
        }
        List<String> ruleIds = rules.ruleIds(patterns);
        DataStream<TransitionCount> transitions = null;
        DataStream<SegmentChange> segmentChanges = null;
        if (config.journeys.enabled) {
            JourneyStage.Output journeys = JourneyStage.apply(pass.sessions, config.journeys);
            detected = detected.union(journeys.alerts);
            ruleIds.add(io.journeycep.pipeline.stages.journeys.PathScorer.RULE_ID);
            transitions = journeys.transitions;
            for (NamedSink<TransitionCount> sink : sinks.transitions()) {
                // forward (chained) to the counter: a pair's absolute counts arrive in order
                journeys.transitions.sinkTo(sink.sink()).name(sink.name()).uid("sink-" + sink.name());
            }
        }
        if (pass.segmentChanges != null) {
            deadLetters = deadLetters.union(pass.rejected);
            segmentChanges = pass.segmentChanges;
            for (NamedSink<SegmentChange> sink : sinks.segmentChanges()) {
                segmentChanges.sinkTo(sink.sink()).name(sink.name()).uid("sink-" + sink.name());
            }
        }
        DataStream<DriftStat> driftStats = null;
        if (config.drift.enabled) {
            DriftStage.Output drift = DriftStage.apply(detectorEvents, detected, config.drift, WallClock.system());
            detected = detected.union(drift.alerts);
            driftStats = drift.stats;
        }
        DataStream<Alert> alerts = detected
                .map(new AlertCounter(ruleIds), TypeInformation.of(Alert.class))
                .name("count alerts")
                .uid("alert-counter");

        for (NamedSink<Alert> sink : sinks.alerts()) {
            alerts.sinkTo(sink.sink()).name(sink.name()).uid("sink-" + sink.name());
        }
        for (NamedSink<RejectedEvent> sink : sinks.deadLetters()) {
            deadLetters.sinkTo(sink.sink()).name(sink.name()).uid("sink-" + sink.name());
        }
        for (NamedSink<RejectedEvent> sink : sinks.lateEvents()) {
            late.sinkTo(sink.sink()).name(sink.name()).uid("sink-" + sink.name());
        }
        if (driftStats != null) {
            for (NamedSink<DriftStat> sink : sinks.driftStats()) {
                driftStats.sinkTo(sink.sink()).name(sink.name()).uid("sink-" + sink.name());
            }
        }
        if (erasures != null) {
            for (NamedSink<ErasureRequest> sink : sinks.erasures()) {
                erasures.sinkTo(sink.sink()).name(sink.name()).uid("sink-" + sink.name());
            }
        }
        return new Streams(alerts, deadLetters, late, segmentChanges, transitions, triggersWithheld);
    }

    /** One sink record per erasure marker that passed a gate (a request's key may come twice: deletes are idempotent). */
    private static DataStream<ErasureRequest> requests(DataStream<JourneyEvent> gated, String name, String uid) {
        return gated
                .flatMap((JourneyEvent e, org.apache.flink.util.Collector<ErasureRequest> out) -> {
                    if (e.isErasure()) {
                        out.collect(ErasureRequest.of(e.erasure.erasureId, e.erasure.userHash,
                                e.erasure.requestedAt, e.userKey()));
                    }
                }, TypeInformation.of(ErasureRequest.class))
                .name(name)
                .uid(uid);
    }

    /** CART_ABANDONED and HIGH_VALUE_BROWSING: their spec resources with the config's settings applied. */
    public static List<PatternSpec> builtInPatterns(JobConfig config) {
        JobConfig.HighValueBrowsing browsing = config.highValueBrowsing;
        return List.of(
                BuiltInPatterns.cartAbandonment(config.cartAbandonment.viewLookback, config.cartAbandonment.timeout),
                BuiltInPatterns.highValueBrowsing(browsing.minViews, browsing.minPrice, browsing.window));
    }
}
