package io.journeycep.pipeline.stages.segments;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.pass.UserPassOperator;
import io.journeycep.patterns.segments.SegmentBook;
import io.journeycep.pipeline.stages.pass.PassHarness;

import org.apache.flink.connector.datagen.source.GeneratorFunction;

import java.util.Arrays;
import java.util.List;

/**
 * For the benchmark: feeds events through the user pass with only the segment guest in a test harness (heap state,
 * no watermark, so nothing is due) and measures each user's value serialized as Flink stores it (key not included).
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
        try (PassHarness h = PassHarness.segments(book, sessionGapMs, false)) {
            for (long i = 0; i < count; i++) {
                h.event(events.map(i));
                if (i % 100_000 == 0) {
                    h.harness().getOutput().clear();
                }
            }
            UserPassOperator<?, ?> pass = (UserPassOperator<?, ?>) h.harness().getOperator();
            List<String> users = pass.users();
            int[] sizes = new int[users.size()];
            for (int i = 0; i < sizes.length; i++) {
                sizes[i] = pass.valueBytes(users.get(i));
            }
            Arrays.sort(sizes);
            double mean = Arrays.stream(sizes).average().orElse(0);
            return new Result(sizes.length, mean, sizes.length == 0 ? 0 : sizes[(int) (sizes.length * 0.99)]);
        }
    }
}
