package io.journeycep.patterns.pass;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.cep.KeyCounts;
import io.journeycep.patterns.cep.KeyTimers;
import io.journeycep.patterns.cep.SingleValueCepStateStore;
import io.journeycep.patterns.spec.CompiledPattern;
import io.journeycep.patterns.spec.PatternSpec;
import io.journeycep.patterns.spec.SpecStep;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.time.TimerService;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The user's pass (issue 14): one keyed operator, keyed by user, that runs every detector of a user as a guest
 * ({@link UserGuest}) over <b>one value per user</b> and <b>one timer per user</b>.
 *
 * <p>For an event the host loads the user's value once, hands the event to each guest, writes the value once and arms
 * the timer for the earliest time any guest needs ({@link UserGuest#nextDue}); when the timer fires it hands the
 * watermark to each guest, writes once and re-arms. The timer is moved only earlier: a later timer left registered
 * fires into a guest that has nothing due and costs one read. Today the guests are the pattern specs ({@link
 * PatternGuest}: look-back and Flink CEP NFA each); each keeps its own slice of the value.
 *
 * <p>Why: before, every pattern was a look-back operator and a CEP operator, each with its own states and a timer
 * per event (held step, cleanup, element, window), and timers were the largest cost of every stateful task
 * (docs/BENCHMARKS.md, issue 14). Here an event costs one read, one write and at most one timer registration.
 *
 * <p>An erasure marker (README "Privacy") deletes the user's whole value and timers and emits nothing.
 *
 * <p>With {@link #countingPendingAtTheEnd}, when the input ends it counts per guest the users with a pending match
 * into the accumulator {@value #ACC_OPEN_MATCHES_PREFIX}{@code <pattern id>} (a replay's "open carts").
 */
public class UserPassOperator<OUT> extends AbstractStreamOperator<OUT>
        implements OneInputStreamOperator<JourneyEvent, OUT>, Triggerable<String, VoidNamespace> {
    private static final long serialVersionUID = 1L;

    /** Accumulator prefix of {@link #countingPendingAtTheEnd}: users with a started match at the end, per pattern. */
    public static final String ACC_OPEN_MATCHES_PREFIX = "openMatches.";
    /** The timer service's name. */
    static final String TIMERS = "user-pass";

    /** Makes the function that turns a pattern's matches into output records. */
    public interface MatchFunctions<OUT> extends Serializable {
        PatternProcessFunction<SpecStep, OUT> forPattern(PatternSpec spec);
    }

    private final List<PatternSpec> patterns;
    private final MatchFunctions<OUT> functions;
    private boolean countPendingAtTheEnd;

    private transient SingleValueCepStateStore store;
    private transient ValueState<Long> armed;
    private transient List<PatternGuest<OUT>> guests;
    private transient InternalTimerService<VoidNamespace> timers;
    private transient TimestampedCollector<OUT> collector;
    private transient UserGuest.Emitter<OUT> emitter;
    private transient List<LongCounter> pending;

    public UserPassOperator(List<PatternSpec> patterns, MatchFunctions<OUT> functions) {
        this.patterns = new ArrayList<>(patterns);
        this.functions = functions;
        for (PatternSpec spec : patterns) {
            CompiledPattern.compile(spec); // fails the job definition, not the job, on a bad spec
        }
    }

    /** Counts, when the input ends, the users with a started match per pattern (a replay's pending work). */
    public UserPassOperator<OUT> countingPendingAtTheEnd() {
        this.countPendingAtTheEnd = true;
        return this;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        store = new SingleValueCepStateStore(context.getKeyedStateStore(), this::getCurrentKey);
        var serializers = getExecutionConfig().getSerializerConfig();
        var stepSerializer = TypeInformation.of(SpecStep.class).createSerializer(serializers);
        var refSerializer = TypeInformation.of(LookbackRef.class).createSerializer(serializers);
        TimerService processingTime = () -> getProcessingTimeService().getCurrentProcessingTime();
        guests = new ArrayList<>();
        for (PatternSpec spec : patterns) {
            guests.add(new PatternGuest<>(CompiledPattern.compile(spec), functions.forPattern(spec),
                    store.prefixed(spec.id + "/"), stepSerializer, refSerializer, processingTime));
        }
        armed = store.getState(new ValueStateDescriptor<>("armed-timer", LongSerializer.INSTANCE));
    }

    @Override
    public void open() throws Exception {
        super.open();
        timers = getInternalTimerService(TIMERS, VoidNamespaceSerializer.INSTANCE, this);
        collector = new TimestampedCollector<>(output);
        emitter = (value, timestamp) -> {
            collector.setAbsoluteTimestamp(timestamp);
            collector.collect(value);
        };
        for (PatternGuest<OUT> guest : guests) {
            guest.open(getRuntimeContext());
        }
        if (countPendingAtTheEnd) {
            pending = new ArrayList<>();
            for (PatternGuest<OUT> guest : guests) {
                LongCounter counter = new LongCounter();
                getRuntimeContext().addAccumulator(ACC_OPEN_MATCHES_PREFIX + guest.id(), counter);
                pending.add(counter);
            }
        }
    }

    @Override
    public void processElement(StreamRecord<JourneyEvent> element) throws Exception {
        JourneyEvent event = element.getValue();
        if (event.isErasure()) {
            store.clearCurrentKey();
            KeyTimers.deleteAll(timers, this);
            return;
        }
        long watermark = timers.currentWatermark();
        for (PatternGuest<OUT> guest : guests) {
            guest.onEvent(event, watermark);
        }
        arm();
        store.flush();
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        Long armedAt = armed.value();
        if (armedAt != null && armedAt == timer.getTimestamp()) {
            armed.clear();
        }
        long watermark = timers.currentWatermark();
        for (PatternGuest<OUT> guest : guests) {
            guest.onWatermark(watermark, emitter);
        }
        arm();
        store.flush();
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {}

    /** Registers the user's timer at the earliest due time if no earlier one is armed; forgets it when nothing is due. */
    private void arm() throws Exception {
        long due = Long.MAX_VALUE;
        for (PatternGuest<OUT> guest : guests) {
            due = Math.min(due, guest.nextDue());
        }
        Long armedAt = armed.value();
        if (due == Long.MAX_VALUE) {
            if (armedAt != null) {
                armed.clear();
            }
        } else if (armedAt == null || due < armedAt) {
            timers.registerEventTimeTimer(VoidNamespace.INSTANCE, due);
            armed.update(due);
        }
    }

    @Override
    public void finish() throws Exception {
        super.finish();
        if (pending != null) {
            long[] counts = new long[guests.size()];
            KeyCounts.keysWith(getKeyedStateBackend(), SingleValueCepStateStore.STATE_NAME, () -> {
                for (int i = 0; i < guests.size(); i++) {
                    if (guests.get(i).hasPending()) {
                        counts[i]++;
                    }
                }
                return false;
            });
            store.flush(); // nothing changed: only forgets the last user read
            for (int i = 0; i < counts.length; i++) {
                pending.get(i).add(counts[i]);
            }
        }
    }

    @Override
    public void close() throws Exception {
        if (guests != null) {
            for (PatternGuest<OUT> guest : guests) {
                guest.close();
            }
        }
        super.close();
    }
}
