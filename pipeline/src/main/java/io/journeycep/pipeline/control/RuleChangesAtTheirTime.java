package io.journeycep.pipeline.control;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.util.ArrayList;
import java.util.List;

/**
 * Holds each rule message (velocity and segment rules and their removals) of a control stream in event time ({@link
 * ControlSources#inEventTime}, a replay's {@code --control} file) until the watermark reaches its time (its {@code
 * ts}), then emits it, before forwarding that watermark. Its input is the control messages together with a stream
 * that carries only the events' watermarks, so the watermark here is the events' event time (the control file's own
 * watermark is behind it only until the file has been read). Other messages (privacy requests, which have their own
 * gates) pass at once. Parallelism 1, so the rule stages see the messages in one order. The held messages are operator
 * state, so a checkpoint keeps them.
 *
 * <p>What "takes effect at {@code ts}" means downstream: the rule stages get the change once the events' watermark
 * has reached {@code ts}, and judge by it every event they receive after it. The watermark trails the greatest event
 * time read by {@code event-time.max-out-of-orderness} (and is emitted periodically), so events read shortly after
 * {@code ts} may still reach the rule stages before the change and be judged by the old rule; events after {@code ts}
 * by more than that bound and the in-flight time of the stages are judged by the new one. Events travel to the rule
 * stages on another path (dedupe, identity stitching), so events before {@code ts} still in flight when the change is
 * sent may be judged by the new rule.
 */
public final class RuleChangesAtTheirTime extends AbstractStreamOperator<ControlMessage>
        implements OneInputStreamOperator<ControlMessage, ControlMessage> {
    private static final long serialVersionUID = 1L;
    public static final String UID = "control-rules-at-their-time";
    public static final String NAME = "rule changes at their time";

    /** Held rule messages with their times, in arrival (= {@code ts}) order. */
    private transient List<StreamRecord<ControlMessage>> held;
    private transient ListState<ControlMessage> heldState;
    private transient ListState<Long> heldTimes;
    /** The last watermark received ({@code Long.MIN_VALUE} before the first, also after a restore). */
    private transient long lastWatermark;

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        heldState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("held-rule-messages", TypeInformation.of(ControlMessage.class)));
        heldTimes = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("held-rule-message-times", Long.class));
        held = new ArrayList<>();
        lastWatermark = Long.MIN_VALUE;
        List<ControlMessage> messages = new ArrayList<>();
        heldState.get().forEach(messages::add);
        List<Long> times = new ArrayList<>();
        heldTimes.get().forEach(times::add);
        for (int i = 0; i < messages.size() && i < times.size(); i++) {
            held.add(new StreamRecord<>(messages.get(i), times.get(i)));
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        heldState.update(held.stream().map(StreamRecord::getValue).toList());
        heldTimes.update(held.stream().map(StreamRecord::getTimestamp).toList());
    }

    @Override
    public void processElement(StreamRecord<ControlMessage> element) {
        ControlMessage m = element.getValue();
        boolean rule = m.isVelocity() || m.isSegment();
        if (!rule || !element.hasTimestamp() || element.getTimestamp() <= lastWatermark) {
            output.collect(element);
        } else {
            held.add(new StreamRecord<>(m, element.getTimestamp()));
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        lastWatermark = mark.getTimestamp();
        if (!held.isEmpty()) {
            List<StreamRecord<ControlMessage>> later = new ArrayList<>();
            for (StreamRecord<ControlMessage> r : held) {
                if (r.getTimestamp() <= mark.getTimestamp()) {
                    output.collect(r);
                } else {
                    later.add(r);
                }
            }
            held = later;
        }
        super.processWatermark(mark);
    }
}
