package io.journeycep.patterns.cep;

import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.KeyContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Deletes every timer of the current key from a timer service (erasure, README "Privacy"). Flink has no "timers of a
 * key" lookup, so this walks all of the operator's timers once: fine only because erasures are rare. The current key
 * is the same afterwards.
 */
public final class KeyTimers {
    private KeyTimers() {}

    /** @return how many timers were deleted */
    public static <N> int deleteAll(InternalTimerService<N> timers, KeyContext keyContext) throws Exception {
        Object key = keyContext.getCurrentKey();
        List<Object[]> eventTime = new ArrayList<>();
        List<Object[]> processingTime = new ArrayList<>();
        try {
            // the walk sets the current key to each timer's
            timers.forEachEventTimeTimer((ns, ts) -> {
                if (Objects.equals(key, keyContext.getCurrentKey())) {
                    eventTime.add(new Object[] {ns, ts});
                }
            });
            timers.forEachProcessingTimeTimer((ns, ts) -> {
                if (Objects.equals(key, keyContext.getCurrentKey())) {
                    processingTime.add(new Object[] {ns, ts});
                }
            });
        } finally {
            keyContext.setCurrentKey(key);
        }
        for (Object[] t : eventTime) {
            @SuppressWarnings("unchecked")
            N ns = (N) t[0];
            timers.deleteEventTimeTimer(ns, (Long) t[1]);
        }
        for (Object[] t : processingTime) {
            @SuppressWarnings("unchecked")
            N ns = (N) t[0];
            timers.deleteProcessingTimeTimer(ns, (Long) t[1]);
        }
        return eventTime.size() + processingTime.size();
    }
}
