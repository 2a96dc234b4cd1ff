package io.journeycep.patterns.pass;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.cep.Arrivals;
import io.journeycep.patterns.cep.KeyCounts;
import io.journeycep.patterns.cep.KeyTimers;
import io.journeycep.patterns.cep.SingleValueCepStateStore;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.cep.time.TimerService;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.function.FunctionWithException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The user's pass (issue 14): one keyed operator, keyed by user, that runs every detector of a user as a guest
 * ({@link UserGuest}) over <b>one value per user</b> and <b>one timer per user</b>.
 *
 * <p>For an event the host loads the user's value once, hands the event to each guest, writes the value once and arms
 * the timer for the earliest time any guest needs ({@link UserGuest#nextDue}); when the timer fires it hands the
 * watermark to each guest, writes once and re-arms. The timer is moved only earlier: a later timer left registered
 * fires into guests that have nothing due and costs one read. What a guest emits on the main output reaches the
 * guests after it in the same pass ({@link UserGuest#onPassOutput}), whether or not a guest holds it back from the
 * operator's output ({@link UserGuest#releases}, consent).
 *
 * <p>Why: before, the pattern specs (a look-back and a CEP operator each) and the segment evaluator were separate
 * keyed operators, each reading and writing its own state and registering a timer for nearly every event, and the
 * segment evaluator got the CART_ABANDONED alerts through a second shuffle. Timers and state reads were the largest
 * costs of every stateful task (docs/BENCHMARKS.md, issue 14); here an event costs one read, one write and at most one
 * timer registration for all of them.
 *
 * <p>An event the watermark has not passed yet waits on the heap ({@link Arrivals}) until it does; then the user's
 * waiting events go to the guests as they arrived, followed by the watermark, in one read and one write of the user's
 * value and without a timer of their own. Everything waiting is handed to the guests before a checkpoint barrier,
 * before a control message and at the end of the input, so state and checkpoints hold every event as before.
 *
 * <p>The second input is broadcast (rule changes, {@link UserGuest#onControl}); it is never keyed.
 *
 * <p>An erasure marker (README "Privacy") deletes the user's whole value and timers and emits nothing.
 *
 * <p>With {@link #countingPendingAtTheEnd}, when the input ends it counts per guest the users with pending work into
 * the guest's accumulator ({@link UserGuest#pendingAccumulator}; a replay's "open carts", "segment timers").
 */
public class UserPassOperator<OUT, CTRL> extends AbstractStreamOperator<OUT>
        implements TwoInputStreamOperator<JourneyEvent, CTRL, OUT>, Triggerable<String, VoidNamespace> {
    private static final long serialVersionUID = 1L;

    /** Accumulator prefix of the pattern guests' pending count: users with a started match at the end, per pattern. */
    public static final String ACC_OPEN_MATCHES_PREFIX = "openMatches.";
    /** The timer service's name. */
    static final String TIMERS = "user-pass";
    /**
     * At most this many arrivals held on the heap per subtask ({@link Arrivals}); more are handed to the guests at once.
     * About the events of 5 s (the default out-of-orderness) at 10k events/s per subtask, some tens of MB.
     */
    static final int MAX_ARRIVALS = 50_000;

    private final List<UserGuest.Factory<OUT, CTRL>> factories;
    private boolean countPendingAtTheEnd;

    private transient SingleValueCepStateStore store;
    private transient ValueState<Long> armed;
    private transient List<UserGuest<OUT, CTRL>> guests;
    private transient InternalTimerService<VoidNamespace> timers;
    private transient TimestampedCollector<OUT> collector;
    private transient UserGuest.Emitter<OUT> emitter;
    private transient List<LongCounter> pending;
    private transient Arrivals<String, JourneyEvent> arrivals;

    /** @param guests the guests, in the order they run in a pass */
    public UserPassOperator(List<UserGuest.Factory<OUT, CTRL>> guests) {
        this.factories = new ArrayList<>(guests);
        Set<String> slices = new HashSet<>();
        for (UserGuest.Factory<OUT, CTRL> guest : guests) {
            if (!slices.add(guest.sliceName())) {
                throw new IllegalArgumentException("two guests of the user pass share the name " + guest.sliceName());
            }
        }
    }

    /** Counts, when the input ends, the users with pending work per guest (a replay's summary). */
    public UserPassOperator<OUT, CTRL> countingPendingAtTheEnd() {
        this.countPendingAtTheEnd = true;
        return this;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        store = new SingleValueCepStateStore(context.getKeyedStateStore(), this::getCurrentKey);
        UserGuest.Setup setup = new UserGuest.Setup() {
            @Override
            public SerializerConfig serializers() {
                return getExecutionConfig().getSerializerConfig();
            }

            @Override
            public OperatorStateStore operatorState() {
                return context.getOperatorStateStore();
            }

            @Override
            public TimerService processingTime() {
                return () -> getProcessingTimeService().getCurrentProcessingTime();
            }

            @Override
            public int subtaskIndex() {
                return getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
            }

            @Override
            public String currentUser() {
                return (String) getCurrentKey();
            }
        };
        guests = new ArrayList<>();
        for (UserGuest.Factory<OUT, CTRL> factory : factories) {
            guests.add(factory.create(store.prefixed(factory.sliceName() + "/"), setup));
        }
        armed = store.getState(new ValueStateDescriptor<>("armed-timer", LongSerializer.INSTANCE));
    }

    @Override
    public void open() throws Exception {
        super.open();
        timers = getInternalTimerService(TIMERS, VoidNamespaceSerializer.INSTANCE, this);
        arrivals = new Arrivals<>(e -> e.timestamp);
        collector = new TimestampedCollector<>(output);
        emitter = new UserGuest.Emitter<>() {
            @Override
            public void emit(OUT value, long timestamp) {
                if (released(value, timestamp)) {
                    collector.setAbsoluteTimestamp(timestamp);
                    collector.collect(value);
                }
                try {
                    for (UserGuest<OUT, CTRL> guest : guests) {
                        guest.onPassOutput(value, timestamp);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("a guest of the user pass failed on " + value, e);
                }
            }

            @Override
            public <X> void emit(OutputTag<X> tag, X value, long timestamp) {
                if (released(value, timestamp)) {
                    output.collect(tag, new StreamRecord<>(value, timestamp));
                }
            }
        };
        for (UserGuest<OUT, CTRL> guest : guests) {
            guest.open(getRuntimeContext());
        }
        if (countPendingAtTheEnd) {
            pending = new ArrayList<>();
            for (UserGuest<OUT, CTRL> guest : guests) {
                LongCounter counter = null;
                if (guest.pendingAccumulator() != null) {
                    counter = new LongCounter();
                    getRuntimeContext().addAccumulator(guest.pendingAccumulator(), counter);
                }
                pending.add(counter);
            }
        }
    }

    /**
     * Whether every guest lets {@code record} leave the operator ({@link UserGuest#releases}); the first guest that
     * holds it back is told ({@link UserGuest#withheld}).
     */
    private boolean released(Object record, long timestamp) {
        try {
            for (UserGuest<OUT, CTRL> guest : guests) {
                if (!guest.releases(record, timestamp)) {
                    guest.withheld(record, timestamp, emitter);
                    return false;
                }
            }
            return true;
        } catch (Exception e) {
            throw new IllegalStateException("a guest of the user pass failed on " + record, e);
        }
    }

    @Override
    public void processElement1(StreamRecord<JourneyEvent> element) throws Exception {
        JourneyEvent event = element.getValue();
        String user = (String) getCurrentKey();
        if (event.isErasure()) {
            arrivals.drop(user);
            store.clearCurrentKey();
            KeyTimers.deleteAll(timers, this);
            return;
        }
        long watermark = timers.currentWatermark();
        if (event.timestamp > watermark || arrivals.has(user)) {
            arrivals.add(user, event, watermark);
            if (arrivals.size() > MAX_ARRIVALS) {
                handOverArrivals();
            }
            return;
        }
        handToGuests(event, watermark);
        arm();
        store.flush();
    }

    private void handToGuests(JourneyEvent event, long watermark) throws Exception {
        for (UserGuest<OUT, CTRL> guest : guests) {
            if (guest.takes(event)) {
                guest.onEvent(event, watermark, emitter);
            }
        }
    }

    /**
     * Before the timers due at {@code mark} fire: each user whose earliest held arrival the watermark passes gets its
     * arrivals handed to the guests, each with the watermark it arrived under, and then the watermark, as the user's
     * timer would have given it; one read and one write of the user's value for all of it.
     */
    @Override
    public void processWatermark(Watermark mark) throws Exception {
        long watermark = mark.getTimestamp();
        arrivals.takeDue(watermark, (user, held) -> {
            setCurrentKey(user);
            for (Arrivals.Arrival<JourneyEvent> a : held) {
                handToGuests(a.record, a.watermark);
            }
            for (UserGuest<OUT, CTRL> guest : guests) {
                guest.onWatermark(watermark, emitter);
            }
            arm();
            store.flush();
        });
        super.processWatermark(mark);
    }

    /**
     * Hands every held arrival to the guests as it arrived (they keep it in the user's value and arm the user's timer),
     * so that nothing is only on the heap: before a checkpoint barrier, a control message and the end of the input.
     */
    private void handOverArrivals() throws Exception {
        if (arrivals.size() == 0) {
            return;
        }
        Object before = getCurrentKey();
        arrivals.takeAll((user, held) -> {
            setCurrentKey(user);
            for (Arrivals.Arrival<JourneyEvent> a : held) {
                handToGuests(a.record, a.watermark);
            }
            arm();
            store.flush();
        });
        if (before != null) {
            setCurrentKey(before);
        }
    }

    /** Records emitted here precede the barrier, so the checkpoint holds every arrival in the users' values. */
    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        handOverArrivals();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void processElement2(StreamRecord<CTRL> element) throws Exception {
        handOverArrivals(); // a rule change meets every user's events where it met them before arrivals were held
        UserGuest.ControlContext<OUT> context = new UserGuest.ControlContext<>() {
            @Override
            public long currentWatermark() {
                return timers.currentWatermark();
            }

            @Override
            public UserGuest.Emitter<OUT> output() {
                return emitter;
            }

            @Override
            public void forEachUser(UserGuest.UserAction action) throws Exception {
                Object before = getCurrentKey();
                List<String> users = KeyCounts.keys(getKeyedStateBackend(), SingleValueCepStateStore.STATE_NAME);
                for (String user : users) {
                    setCurrentKey(user);
                    action.run(user);
                    arm();
                    store.flush();
                }
                if (before != null) {
                    setCurrentKey(before);
                }
            }
        };
        for (UserGuest<OUT, CTRL> guest : guests) {
            guest.onControl(element.getValue(), context);
        }
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        Long armedAt = armed.value();
        if (armedAt != null && armedAt == timer.getTimestamp()) {
            armed.clear();
        }
        long watermark = timers.currentWatermark();
        for (UserGuest<OUT, CTRL> guest : guests) {
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
        for (UserGuest<OUT, CTRL> guest : guests) {
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
        handOverArrivals(); // a replay that ends event time at its last event: what is still ahead stays pending
        super.finish();
        if (pending != null) {
            long[] counts = new long[guests.size()];
            KeyCounts.keysWith(getKeyedStateBackend(), SingleValueCepStateStore.STATE_NAME, () -> {
                for (int i = 0; i < guests.size(); i++) {
                    if (pending.get(i) != null && guests.get(i).hasPending()) {
                        counts[i]++;
                    }
                }
                return false;
            });
            store.flush(); // nothing changed: only forgets the last user read
            for (int i = 0; i < counts.length; i++) {
                if (pending.get(i) != null) {
                    pending.get(i).add(counts[i]);
                }
            }
        }
    }

    /**
     * The size in bytes of {@code user}'s value as the backend stores it (key not included; 0 without one), for state
     * probes in benchmarks. Leaves {@code user} the current key.
     */
    public int valueBytes(String user) throws Exception {
        handOverArrivals();
        setCurrentKey(user);
        int bytes = store.serializedSize();
        store.flush(); // nothing changed: only forgets the user read
        return bytes;
    }

    /**
     * {@code user}'s states that hold a value, by name ({@code <slice>/<state>}), as the backend stores them, for
     * state probes in tests. Leaves {@code user} the current key.
     */
    public java.util.Map<String, Object> statesOf(String user) throws Exception {
        handOverArrivals();
        setCurrentKey(user);
        java.util.Map<String, Object> states = store.presentStates();
        store.flush(); // nothing changed: only forgets the user read
        return states;
    }

    /**
     * What {@code read} gets from the first guest of type {@code guest} with {@code user}'s value loaded, for state
     * probes in tests. Leaves {@code user} the current key and changes nothing.
     */
    public <G, R> R readGuest(String user, Class<G> guest, FunctionWithException<G, R, Exception> read)
            throws Exception {
        handOverArrivals();
        setCurrentKey(user);
        try {
            for (UserGuest<OUT, CTRL> g : guests) {
                if (guest.isInstance(g)) {
                    return read.apply(guest.cast(g));
                }
            }
            throw new IllegalArgumentException("no guest of type " + guest.getName() + " in the user pass");
        } finally {
            store.flush(); // nothing changed: only forgets the user read
        }
    }

    /** The users of this subtask that have a value, for state probes. */
    public List<String> users() throws Exception {
        handOverArrivals();
        return KeyCounts.keys(getKeyedStateBackend(), SingleValueCepStateStore.STATE_NAME);
    }

    @Override
    public void close() throws Exception {
        if (guests != null) {
            for (UserGuest<OUT, CTRL> guest : guests) {
                guest.close();
            }
        }
        super.close();
    }
}
