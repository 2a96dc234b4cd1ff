package io.journeycep.pipeline.stages.segments;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.segments.SegmentBook;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;

import java.util.Arrays;
import java.util.List;

/**
 * For the benchmark: feeds events through {@link SegmentEvaluator} in a test harness (heap state, no watermark, so no
 * timer fires) and measures each user's state value serialized as Flink stores it (key bytes included).
 */
public final class SegmentStateProbe {
    private SegmentStateProbe() {}

    public static final class Result {
        public final long users;
        public final double meanBytes;
        public final int p99Bytes;

        Result(long users, double meanBytes, int p99Bytes) {
            this.users = users;
            this.meanBytes = meanBytes;
            this.p99Bytes = p99Bytes;
        }
    }

    public static Result measure(SegmentBook book, long sessionGapMs, GeneratorFunction<Long, JourneyEvent> events,
            long count) throws Exception {
        try (var h = new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(new SegmentEvaluator(book, sessionGapMs),
                        List.of(SegmentRules.DESCRIPTOR)),
                (SegmentInput in) -> in.userKey, Types.STRING, 1, 1, 0)) {
            h.open();
            h.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.IDLE);
            for (long i = 0; i < count; i++) {
                JourneyEvent e = events.map(i);
                h.processElement(new StreamRecord<>(SegmentInput.of(e), e.timestamp));
                if (i % 100_000 == 0) {
                    h.getOutput().clear();
                }
            }
            KeyedStateBackend<String> backend = ((AbstractStreamOperator<?>) h.getOperator()).getKeyedStateBackend();
            TypeSerializer<SegmentUserState> values =
                    TypeInformation.of(SegmentUserState.class).createSerializer(new SerializerConfigImpl());
            TypeSerializer<String> keys = Types.STRING.createSerializer(new SerializerConfigImpl());
            DataOutputSerializer out = new DataOutputSerializer(1024);
            int[] sizes = new int[1024];
            int[] n = {0};
            var state = backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                    SegmentEvaluator.STATE_DESCRIPTOR);
            try (var stream = backend.getKeys(SegmentEvaluator.STATE, VoidNamespace.INSTANCE)) {
                for (String key : (Iterable<String>) stream::iterator) {
                    backend.setCurrentKey(key);
                    out.clear();
                    keys.serialize(key, out);
                    values.serialize(state.value(), out);
                    if (n[0] == sizes.length) {
                        sizes = Arrays.copyOf(sizes, sizes.length * 2);
                    }
                    sizes[n[0]++] = out.length();
                }
            }
            int[] sorted = Arrays.copyOf(sizes, n[0]);
            Arrays.sort(sorted);
            double mean = Arrays.stream(sorted).average().orElse(0);
            return new Result(n[0], mean, sorted.length == 0 ? 0 : sorted[(int) (sorted.length * 0.99)]);
        }
    }
}
