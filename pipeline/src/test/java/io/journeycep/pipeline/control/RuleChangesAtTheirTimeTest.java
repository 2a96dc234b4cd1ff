package io.journeycep.pipeline.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.Erasure;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/** Rule messages of a replay's control file are held until the watermark reaches their ts, then go before it. */
class RuleChangesAtTheirTimeTest {

    private static ControlMessage velocity(String id) {
        return ControlMessage.velocityRuleRemoved(id, 2, "file:c.jsonl", 1, null);
    }

    private static ControlMessage segment(String id) {
        return ControlMessage.segmentRuleRemoved(id, 2, "file:c.jsonl", 2, null);
    }

    /** The output in order: "<type> <rule id or erasure>@<ts>" and "wm:<ts>". */
    @SuppressWarnings("unchecked")
    private static List<String> output(OneInputStreamOperatorTestHarness<ControlMessage, ControlMessage> h) {
        List<String> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof Watermark w) {
                out.add("wm:" + w.getTimestamp());
            } else {
                StreamRecord<ControlMessage> r = (StreamRecord<ControlMessage>) o;
                out.add(r.getValue().type + " " + (r.getValue().ruleId == null ? "-" : r.getValue().ruleId) + "@"
                        + r.getTimestamp());
            }
        }
        return out;
    }

    @Test
    void ruleMessagesWaitForTheWatermarkAndGoBeforeItOthersPassAtOnce() throws Exception {
        try (OneInputStreamOperatorTestHarness<ControlMessage, ControlMessage> h =
                new OneInputStreamOperatorTestHarness<>(new RuleChangesAtTheirTime())) {
            h.open();
            h.processWatermark(new Watermark(100));
            h.processElement(velocity("at-or-behind"), 100); // at the watermark: at once
            h.processElement(velocity("v"), 200);
            h.processElement(ControlMessage.erasure(new Erasure(), "file:c.jsonl", 3), 250); // not a rule: at once
            h.processElement(segment("s"), 300);
            assertThat(output(h)).containsExactly("wm:100", "velocity-rule-removed at-or-behind@100",
                    "erasure -@250");
            h.processWatermark(new Watermark(199)); // before the first held one: nothing yet
            h.processWatermark(new Watermark(250)); // reaches 200
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            assertThat(output(h)).containsExactly("wm:100", "velocity-rule-removed at-or-behind@100",
                    "erasure -@250", "wm:199", "velocity-rule-removed v@200", "wm:250", "segment-rule-removed s@300",
                    "wm:" + Long.MAX_VALUE);
        }
    }

    @Test
    void heldMessagesSurviveACheckpoint() throws Exception {
        OperatorSubtaskState snapshot;
        try (OneInputStreamOperatorTestHarness<ControlMessage, ControlMessage> h =
                new OneInputStreamOperatorTestHarness<>(new RuleChangesAtTheirTime())) {
            h.open();
            h.processWatermark(new Watermark(100));
            h.processElement(velocity("v"), 200);
            h.processElement(segment("s"), 300);
            snapshot = h.snapshot(1L, 1L);
        }
        try (OneInputStreamOperatorTestHarness<ControlMessage, ControlMessage> h =
                new OneInputStreamOperatorTestHarness<>(new RuleChangesAtTheirTime())) {
            h.initializeState(snapshot);
            h.open();
            h.processWatermark(new Watermark(200));
            assertThat(output(h)).containsExactly("velocity-rule-removed v@200", "wm:200");
            h.processWatermark(new Watermark(300));
            assertThat(output(h)).containsExactly("velocity-rule-removed v@200", "wm:200",
                    "segment-rule-removed s@300", "wm:300");
        }
    }
}
