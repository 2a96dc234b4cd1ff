package io.journeycep.pipeline.stages.dedupe;

import io.journeycep.model.JourneyEvent;
import io.journeycep.pipeline.stages.suppression.SuppressionTimeline;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Drops late events and duplicates, per user key (DESIGN §2). Apply on {@code keyBy(JourneyEvent::userKey)} after
 * the watermarks are assigned.
 *
 * <ol>
 *   <li><b>Suppressed</b>: an event of a key whose {@link SuppressionTimeline suppression timeline} suppresses its
 *       timestamp is dropped and counted, before anything else (so it is not even a late event, README "Privacy").
 *   <li><b>Late</b>: an event whose timestamp is ≤ the operator's current watermark is late: it goes to
 *       {@link #LATE_EVENTS} (never silently lost) and is counted. A late event does not enter the dedupe state.
 *   <li><b>Duplicate</b>: an on-time event whose {@code eventId} was already seen <em>for the same user key</em>
 *       within the dedupe horizon is dropped and counted. Ids are scoped per user key: the same id under another
 *       key is a different event (ids only need to be unique per user, and keyed state cannot see other keys).
 *   <li>Otherwise the id is remembered and the event forwarded. An event without an id cannot be deduplicated
 *       and is forwarded as is.
 * </ol>
 *
 * <p>State: one {@code MapState<eventId, Boolean>} per key with a processing-time TTL equal to the horizon,
 * counted from the first sighting (duplicates do not extend it), never returning expired entries. Expired entries
 * are purged by RocksDB's compaction filter (production) or incrementally on the heap backend (tests, local), so
 * nothing grows without bound, and no timers are registered. Flink's state TTL only supports processing time, so
 * the horizon is wall-clock time: in a fast replay of history it spans more event time than 24 h (deduplicates
 * more, holds more ids), never less.
 *
 * <p><b>Erasure markers</b> (README "Privacy") are not events: the key's remembered ids are deleted and the marker goes
 * on, whatever the watermark, uncounted. An erasure leaves the key's suppressions as they are (a {@code suppress} with
 * {@code "delete": true} erases and stays in force).
 *
 * <p><b>Suppression markers</b> ({@code suppress}, {@code unsuppress}) are recorded in the key's timeline ({@value
 * #SUPPRESSION_STATE}, a {@code ValueState} <em>without</em> TTL: unlike the remembered ids, a suppression must outlive
 * any horizon, restarts and savepoints) and go no further. The decision is in event time (the latest request at or
 * before the event's timestamp), taken when the event reaches this stage: an event that arrived before the request did
 * has gone on. With {@code knownSuppressions} (the control records were known when the job was defined: a replay's
 * {@code --control} file, tests) the timelines are complete from the first event on and decide instead of the state,
 * so the outcome does not depend on which of the two sources was read first.
 *
 * <p>Counters: Flink metrics {@code eventsIn}, {@code duplicates}, {@code lateEvents}, {@code suppressedEvents}, and
 * {@code LongCounter} accumulators {@code duplicates}, {@code lateEvents} and {@code suppressedEvents} (summed over
 * subtasks in the {@code JobExecutionResult}). A suppressed event counts in {@code eventsIn} and {@code
 * suppressedEvents}, never as late or duplicate.
 */
public class DedupeAndLateFilter extends KeyedProcessFunction<String, JourneyEvent, JourneyEvent>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;

    /** Events at or behind the watermark when they reach this stage. */
    public static final OutputTag<JourneyEvent> LATE_EVENTS =
            new OutputTag<>("late-events", TypeInformation.of(JourneyEvent.class));

    public static final Duration DEFAULT_HORIZON = Duration.ofHours(24);

    public static final String SEEN_IDS_STATE = "seen-event-ids";
    public static final String METRIC_EVENTS_IN = "eventsIn";
    public static final String METRIC_DUPLICATES = "duplicates";
    public static final String METRIC_LATE_EVENTS = "lateEvents";
    public static final String ACC_DUPLICATES = "duplicates";
    public static final String ACC_LATE_EVENTS = "lateEvents";
    public static final String SUPPRESSION_STATE = "suppression-timeline";
    /** Operator (union list) state: whether any instance ever recorded a suppression. */
    public static final String ANY_SUPPRESSION_STATE = "any-suppression";
    public static final String METRIC_SUPPRESSED = "suppressedEvents";
    public static final String ACC_SUPPRESSED = "suppressedEvents";

    private final Duration horizon;
    /** Per user key, its whole timeline, when every request was known at the start; else {@code null}. */
    private final HashMap<String, SuppressionTimeline> knownSuppressions;

    private transient MapState<String, Boolean> seenIds;
    private transient ValueState<SuppressionTimeline> suppressions;
    /**
     * Whether any instance of this operator ever recorded a suppression (a union list state, so it survives restores
     * and rescaling); until then no event reads {@link #suppressions}, which spares the hot path a state lookup per event
     * in the usual job that has never suppressed anyone.
     */
    private transient ListState<Boolean> anySuppressionState;
    private transient boolean anySuppression;
    private transient Counter suppressed;
    private transient LongCounter suppressedAcc;
    private transient Counter eventsIn;
    private transient Counter duplicates;
    private transient Counter lateEvents;
    private transient LongCounter duplicatesAcc;
    private transient LongCounter lateEventsAcc;

    public DedupeAndLateFilter() {
        this(DEFAULT_HORIZON);
    }

    public DedupeAndLateFilter(Duration horizon) {
        this(horizon, null);
    }

    /**
     * @param knownSuppressions per user key its complete suppression timeline, when every control record was known
     *     when the job was defined (then the timelines decide, not the markers); {@code null}: from markers only
     */
    public DedupeAndLateFilter(Duration horizon, Map<String, SuppressionTimeline> knownSuppressions) {
        Objects.requireNonNull(horizon, "horizon");
        if (horizon.isZero() || horizon.isNegative()) {
            throw new IllegalArgumentException("dedupe horizon must be positive: " + horizon);
        }
        this.horizon = horizon;
        this.knownSuppressions = knownSuppressions == null ? null : new HashMap<>(knownSuppressions);
    }

    /** The suppression timeline of a key: no TTL, see the class comment. */
    public static ValueStateDescriptor<SuppressionTimeline> suppressionDescriptor() {
        return new ValueStateDescriptor<>(SUPPRESSION_STATE, SuppressionTimeline.class);
    }

    /** The state descriptor, with TTL = horizon. */
    public static MapStateDescriptor<String, Boolean> seenIdsDescriptor(Duration horizon) {
        StateTtlConfig ttl = StateTtlConfig.newBuilder(horizon)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .setTtlTimeCharacteristic(StateTtlConfig.TtlTimeCharacteristic.ProcessingTime)
                // heap: check up to 10 entries on every state access and every record
                .cleanupIncrementally(10, true)
                // RocksDB: drop expired entries during compaction, refreshing the time every 1000 entries
                .cleanupInRocksdbCompactFilter(1000)
                .build();
        MapStateDescriptor<String, Boolean> descriptor =
                new MapStateDescriptor<>(SEEN_IDS_STATE, Types.STRING, Types.BOOLEAN);
        descriptor.enableTimeToLive(ttl);
        return descriptor;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        anySuppressionState = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>(ANY_SUPPRESSION_STATE, Types.BOOLEAN));
        for (Boolean recorded : anySuppressionState.get()) {
            anySuppression |= Boolean.TRUE.equals(recorded);
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        anySuppressionState.update(anySuppression ? List.of(Boolean.TRUE) : List.of());
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        seenIds = getRuntimeContext().getMapState(seenIdsDescriptor(horizon));
        suppressions = getRuntimeContext().getState(suppressionDescriptor());
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        eventsIn = metrics.counter(METRIC_EVENTS_IN);
        duplicates = metrics.counter(METRIC_DUPLICATES);
        lateEvents = metrics.counter(METRIC_LATE_EVENTS);
        suppressed = metrics.counter(METRIC_SUPPRESSED);
        // getLongCounter adds the accumulator or returns the one already registered under that name in this task
        // (addAccumulator would throw if a chained operator registered the same name first).
        duplicatesAcc = getRuntimeContext().getLongCounter(ACC_DUPLICATES);
        lateEventsAcc = getRuntimeContext().getLongCounter(ACC_LATE_EVENTS);
        suppressedAcc = getRuntimeContext().getLongCounter(ACC_SUPPRESSED);
    }

    @Override
    public void processElement(JourneyEvent event, Context ctx, Collector<JourneyEvent> out) throws Exception {
        if (event.isErasure()) {
            seenIds.clear(); // the key's ids; a marker is never late and never counted
            out.collect(event);
            return;
        }
        if (event.isSuppression()) {
            SuppressionTimeline timeline = suppressions.value();
            if (timeline == null) {
                timeline = new SuppressionTimeline();
            }
            timeline.record(event.suppression.at, event.suppression.suppress);
            suppressions.update(timeline);
            anySuppression = true;
            return; // recorded here; no other stage keeps suppressions
        }
        eventsIn.inc();
        SuppressionTimeline timeline = knownSuppressions != null ? knownSuppressions.get(ctx.getCurrentKey())
                : anySuppression ? suppressions.value() : null;
        if (timeline != null && timeline.suppresses(event.timestamp)) {
            suppressed.inc();
            suppressedAcc.add(1L);
            return;
        }
        if (event.timestamp <= ctx.timerService().currentWatermark()) {
            lateEvents.inc();
            lateEventsAcc.add(1L);
            ctx.output(LATE_EVENTS, event);
            return;
        }
        String id = event.eventId;
        if (id == null) {
            out.collect(event);
            return;
        }
        if (seenIds.contains(id)) {
            duplicates.inc();
            duplicatesAcc.add(1L);
            return;
        }
        seenIds.put(id, Boolean.TRUE);
        out.collect(event);
    }

    public Duration horizon() {
        return horizon;
    }

    // for tests: the metric counters of this instance (null before open)
    Counter eventsInCounter() {
        return eventsIn;
    }

    Counter duplicatesCounter() {
        return duplicates;
    }

    Counter lateEventsCounter() {
        return lateEvents;
    }

    Counter suppressedCounter() {
        return suppressed;
    }
}
