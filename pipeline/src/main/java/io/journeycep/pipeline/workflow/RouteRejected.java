package io.journeycep.pipeline.workflow;

import io.journeycep.model.JourneyEvent;
import io.journeycep.pipeline.ingest.IngestRecord;
import io.journeycep.sinks.RejectReason;
import io.journeycep.sinks.RejectedEvent;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.HashMap;
import java.util.Map;

/** Splits the source's parse results: events go on, rejections go to the dead-letter side output. */
final class RouteRejected extends ProcessFunction<IngestRecord, JourneyEvent> {
    private static final long serialVersionUID = 1L;
    static final String EVENTS_ACCEPTED = "eventsAccepted";
    static final String EVENTS_REJECTED = "eventsRejected";
    static final String REJECTED_PREFIX = "eventsRejected.";

    private final OutputTag<RejectedEvent> rejectedTag;
    private transient LongCounter acceptedTotal;
    private transient LongCounter rejectedTotal;
    private transient Counter acceptedMetric;
    private transient Counter rejectedMetric;
    private transient Map<String, Counter> rejectedByReason;

    RouteRejected(OutputTag<RejectedEvent> rejectedTag) {
        this.rejectedTag = rejectedTag;
    }

    @Override
    public void open(OpenContext openContext) {
        acceptedTotal = new LongCounter();
        rejectedTotal = new LongCounter();
        getRuntimeContext().addAccumulator(EVENTS_ACCEPTED, acceptedTotal);
        getRuntimeContext().addAccumulator(EVENTS_REJECTED, rejectedTotal);
        acceptedMetric = getRuntimeContext().getMetricGroup().counter(EVENTS_ACCEPTED);
        rejectedMetric = getRuntimeContext().getMetricGroup().counter(EVENTS_REJECTED);
        getRuntimeContext().getMetricGroup().meter("eventsAcceptedPerSecond", new MeterView(acceptedMetric));
        rejectedByReason = new HashMap<>();
        for (RejectReason reason : RejectReason.values()) { // eventsRejected.TOO_LARGE, …
            rejectedByReason.put(reason.name(),
                    getRuntimeContext().getMetricGroup().counter(REJECTED_PREFIX + reason.name()));
        }
    }

    @Override
    public void processElement(IngestRecord record, Context ctx, Collector<JourneyEvent> out) {
        if (record.isAccepted()) {
            acceptedTotal.add(1);
            acceptedMetric.inc();
            out.collect(record.event);
        } else {
            rejectedTotal.add(1);
            rejectedMetric.inc();
            Counter byReason = rejectedByReason.get(record.rejected.reason);
            if (byReason != null) {
                byReason.inc();
            }
            ctx.output(rejectedTag, record.rejected);
        }
    }
}
