package io.journeycep.pipeline.stages.pass;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.cep.KeyCounts;
import io.journeycep.patterns.cep.SingleValueCepStateStore;
import io.journeycep.patterns.pass.UserGuest;
import io.journeycep.patterns.pass.UserPassOperator;
import io.journeycep.patterns.segments.SegmentBook;
import io.journeycep.patterns.spec.PatternSpec;
import io.journeycep.pipeline.control.ControlMessage;
import io.journeycep.pipeline.stages.consent.ConsentSettings;
import io.journeycep.pipeline.stages.groups.GroupSettings;
import io.journeycep.pipeline.stages.journeys.ClosedSession;
import io.journeycep.pipeline.stages.journeys.JourneyGuest;
import io.journeycep.pipeline.stages.journeys.SessionTransition;
import io.journeycep.pipeline.stages.segments.SegmentGuest;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.RejectedEvent;
import io.journeycep.sinks.SegmentChange;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

import java.util.ArrayList;
import java.util.List;

import javax.annotation.Nullable;

/**
 * The user pass ({@link UserPassOperator}) in a keyed two-input test harness, as {@link UserPassStage} builds it: the
 * consent guest, the pattern guests, the segment guest, the group guest, then the journeys; the control input idle,
 * as {@code ControlWatermarks} makes it in the job.
 */
public final class PassHarness implements AutoCloseable {
    private final KeyedTwoInputStreamOperatorTestHarness<String, JourneyEvent, ControlMessage, Alert> harness;

    private PassHarness(KeyedTwoInputStreamOperatorTestHarness<String, JourneyEvent, ControlMessage, Alert> harness) {
        this.harness = harness;
    }

    public static PassHarness patterns(List<PatternSpec> specs, boolean rocksDb) throws Exception {
        return of(specs, null, 0, rocksDb, null);
    }

    public static PassHarness segments(SegmentBook book, long sessionGapMs, boolean rocksDb) throws Exception {
        return of(List.of(), book, sessionGapMs, rocksDb, null);
    }

    public static PassHarness journeys(JourneyGuest.Settings journeys, boolean rocksDb) throws Exception {
        return of(List.of(), null, 0, journeys, ConsentSettings.defaults(), GroupSettings.defaults(), rocksDb, null);
    }

    /** @param snapshot state to restore, or {@code null} */
    public static PassHarness of(List<PatternSpec> specs, @Nullable SegmentBook book, long sessionGapMs,
            boolean rocksDb, @Nullable OperatorSubtaskState snapshot) throws Exception {
        return of(specs, book, sessionGapMs, null, ConsentSettings.defaults(), GroupSettings.defaults(), rocksDb,
                snapshot);
    }

    /** With the consent and group settings given; @param snapshot state to restore, or {@code null} */
    public static PassHarness of(List<PatternSpec> specs, @Nullable SegmentBook book, long sessionGapMs,
            ConsentSettings consent, GroupSettings groups, boolean rocksDb, @Nullable OperatorSubtaskState snapshot)
            throws Exception {
        return of(specs, book, sessionGapMs, null, consent, groups, rocksDb, snapshot);
    }

    /**
     * @param journeys the journeys' settings, or {@code null} for none
     * @param snapshot state to restore, or {@code null}
     */
    public static PassHarness of(List<PatternSpec> specs, @Nullable SegmentBook book, long sessionGapMs,
            @Nullable JourneyGuest.Settings journeys, ConsentSettings consent, GroupSettings groups, boolean rocksDb,
            @Nullable OperatorSubtaskState snapshot) throws Exception {
        List<UserGuest.Factory<Alert, ControlMessage>> guests =
                UserPassStage.guests(specs, book, sessionGapMs, journeys, consent, groups);
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(new UserPassOperator<>(guests), JourneyEvent::userKey,
                (ControlMessage m) -> "", Types.STRING);
        if (rocksDb) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        h.setup();
        if (snapshot != null) {
            h.initializeState(snapshot);
        }
        h.open();
        h.processWatermarkStatus2(WatermarkStatus.IDLE);
        return new PassHarness(h);
    }

    public void event(JourneyEvent e) throws Exception {
        harness.processElement1(new StreamRecord<>(e, e.timestamp));
    }

    public void control(ControlMessage m) throws Exception {
        harness.processElement2(new StreamRecord<>(m));
    }

    public void watermark(long time) throws Exception {
        harness.processWatermark1(new Watermark(time));
    }

    public List<Alert> alerts() {
        List<Alert> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof StreamRecord<?> r && r.getValue() instanceof Alert a) {
                out.add(a);
            }
        }
        return out;
    }

    public List<SegmentChange> segmentChanges() {
        List<SegmentChange> out = new ArrayList<>();
        var records = harness.getSideOutput(SegmentGuest.CHANGES);
        if (records != null) {
            records.forEach(r -> out.add(r.getValue()));
        }
        return out;
    }

    public List<RejectedEvent> rejected() {
        return side(SegmentGuest.REJECTED);
    }

    /** The triggers the consent guest withheld, in the order withheld. */
    public List<io.journeycep.pipeline.stages.consent.WithheldTrigger> withheld() {
        return side(io.journeycep.pipeline.stages.consent.ConsentGuest.WITHHELD);
    }

    /** The journeys' distinct transitions of closed sessions, in the order emitted. */
    public List<SessionTransition> transitions() {
        return side(JourneyGuest.TRANSITIONS);
    }

    /** The journeys' closed sessions long enough to score, in the order emitted. */
    public List<ClosedSession> closedSessions() {
        return side(JourneyGuest.CLOSED_SESSIONS);
    }

    private <T> List<T> side(org.apache.flink.util.OutputTag<T> tag) {
        List<T> out = new ArrayList<>();
        var records = harness.getSideOutput(tag);
        if (records != null) {
            records.forEach(r -> out.add(r.getValue()));
        }
        return out;
    }

    public int eventTimeTimers() {
        return harness.numEventTimeTimers();
    }

    public int processingTimeTimers() {
        return harness.numProcessingTimeTimers();
    }

    /** Users that hold a value in the pass (heap and RocksDB alike). */
    public long usersWithState() {
        AbstractStreamOperator<?> operator = (AbstractStreamOperator<?>) harness.getOperator();
        return KeyCounts.keysWith(operator.getKeyedStateBackend(), SingleValueCepStateStore.STATE_NAME);
    }

    /** Per user of the pass: the states that hold a value, by name ({@code <slice>/<state>}). */
    public java.util.Map<String, java.util.Map<String, Object>> statesByUser() throws Exception {
        UserPassOperator<?, ?> operator = (UserPassOperator<?, ?>) harness.getOperator();
        java.util.Map<String, java.util.Map<String, Object>> out = new java.util.TreeMap<>();
        for (String user : operator.users()) {
            out.put(user, operator.statesOf(user));
        }
        return out;
    }

    /** What {@code read} gets from the pass's guest of type {@code guest} for {@code user}'s value. */
    @SuppressWarnings("unchecked")
    public <G, R> R readGuest(String user, Class<G> guest,
            org.apache.flink.util.function.FunctionWithException<G, R, Exception> read) throws Exception {
        return ((UserPassOperator<Alert, ControlMessage>) harness.getOperator()).readGuest(user, guest, read);
    }

    /** The value of the pass's accumulator {@code name} ({@code null} when not registered). */
    public Object accumulator(String name) {
        var accumulator = ((AbstractStreamOperator<?>) harness.getOperator()).getRuntimeContext().getAccumulator(name);
        return accumulator == null ? null : accumulator.getLocalValue();
    }

    /**
     * What the runtime does before a checkpoint barrier ({@code prepareSnapshotPreBarrier}): the events the watermark
     * has not passed, which wait on the heap, go into the users' values, as the checkpoint holds them.
     */
    public void beforeBarrier() throws Exception {
        harness.prepareSnapshotPreBarrier(0L);
    }

    /** A checkpoint as the runtime takes it: {@code prepareSnapshotPreBarrier}, then the snapshot. */
    public OperatorSubtaskState snapshot() throws Exception {
        harness.prepareSnapshotPreBarrier(0L);
        return harness.snapshot(0L, 0L);
    }

    public KeyedTwoInputStreamOperatorTestHarness<String, JourneyEvent, ControlMessage, Alert> harness() {
        return harness;
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }
}
