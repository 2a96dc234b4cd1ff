package io.journeycep.pipeline.stages.drift;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Phase one of the drift metrics: sums the contributions that reach this subtask per (metric, bucket), without a
 * shuffle, and emits each sum once the watermark passes the bucket's last millisecond (timestamp = that
 * millisecond, ahead of the watermark that closed it, so the sum is never late downstream). Phase two
 * ({@link DriftDetector}, keyed by metric) adds the subtasks' sums. A contribution for a bucket that has already
 * closed here (only a CART_ABANDONED alert timed at the very last millisecond of a bucket can be one) counts in the
 * first open bucket. Open sums are operator state (a list, redistributed on rescale: phase two adds them anyway).
 */
public class DriftPreAggregator extends AbstractStreamOperator<MetricPartial>
        implements OneInputStreamOperator<MetricPartial, MetricPartial> {
    private static final long serialVersionUID = 1L;

    private final long bucketMillis;
    private transient Map<String, MetricPartial> open;
    private transient ListState<MetricPartial> checkpointed;
    private transient long watermark;

    public DriftPreAggregator(long bucketMillis) {
        this.bucketMillis = bucketMillis;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        open = new HashMap<>();
        watermark = Long.MIN_VALUE;
        checkpointed = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("drift-open-partials", TypeInformation.of(MetricPartial.class)));
        if (context.isRestored()) {
            for (MetricPartial p : checkpointed.get()) {
                merge(p);
            }
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        checkpointed.update(new ArrayList<>(open.values()));
    }

    @Override
    public void processElement(StreamRecord<MetricPartial> element) {
        MetricPartial p = element.getValue();
        if (p.bucketStart + bucketMillis - 1 <= watermark) {
            long next = Math.floorDiv(watermark + 1, bucketMillis) * bucketMillis;
            p = new MetricPartial(p.metric, next, p.numerator, p.denominator);
        }
        merge(p);
    }

    private void merge(MetricPartial p) {
        String key = p.metric + '\u0000' + p.bucketStart;
        MetricPartial sum = open.get(key);
        if (sum == null) {
            open.put(key, new MetricPartial(p.metric, p.bucketStart, p.numerator, p.denominator));
        } else {
            sum.add(p);
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        long wm = mark.getTimestamp();
        if (wm > watermark) {
            watermark = wm;
            List<MetricPartial> closed = new ArrayList<>();
            open.values().removeIf(p -> {
                if (p.bucketStart + bucketMillis - 1 <= wm) {
                    closed.add(p);
                    return true;
                }
                return false;
            });
            closed.sort((a, b) -> a.bucketStart != b.bucketStart
                    ? Long.compare(a.bucketStart, b.bucketStart) : a.metric.compareTo(b.metric));
            for (MetricPartial p : closed) {
                output.collect(new StreamRecord<>(p, p.bucketStart + bucketMillis - 1));
            }
        }
        super.processWatermark(mark);
    }

    /** Open sums, for tests. */
    int openBuckets() {
        return open.size();
    }
}
