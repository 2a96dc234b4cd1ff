package io.journeycep.pipeline.control;

import io.journeycep.sinks.RejectedEvent;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.Objects;

/**
 * Parses control records ({@link ControlMessageParser}): valid messages go on (to be broadcast), bad ones to the
 * {@link ControlStage#REJECTED} side output as dead letters. Counts {@value #METRIC_PARSED} and
 * {@value #METRIC_REJECTED}.
 */
final class ParseControl extends ProcessFunction<ControlRecord, ControlMessage> {
    private static final long serialVersionUID = 1L;
    static final String METRIC_PARSED = "controlMessagesParsed";
    static final String METRIC_REJECTED = "controlMessagesRejected";

    private final ControlMessageParser parser;
    private final OutputTag<RejectedEvent> rejected;
    private transient Counter parsedCount;
    private transient Counter rejectedCount;

    ParseControl(ControlMessageParser parser, OutputTag<RejectedEvent> rejected) {
        this.parser = Objects.requireNonNull(parser);
        this.rejected = Objects.requireNonNull(rejected);
    }

    @Override
    public void open(OpenContext openContext) {
        parsedCount = getRuntimeContext().getMetricGroup().counter(METRIC_PARSED);
        rejectedCount = getRuntimeContext().getMetricGroup().counter(METRIC_REJECTED);
    }

    @Override
    public void processElement(ControlRecord record, Context ctx, Collector<ControlMessage> out) {
        ControlMessageParser.Result result = parser.parse(record);
        if (result.isAccepted()) {
            parsedCount.inc();
            out.collect(result.message);
        } else {
            rejectedCount.inc();
            ctx.output(rejected, result.rejected);
        }
    }
}
