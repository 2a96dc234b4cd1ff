package io.journeycep.pipeline.stages.suppression;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One user key's suppression requests in event time: each {@code suppress} or {@code unsuppress} at its request time.
 * Whether an event at {@code t} is suppressed is decided by the latest request at or before {@code t} (of two at the
 * same time, the one recorded last): an event before the first {@code suppress}, or at or after a later {@code
 * unsuppress}, is not. So the answer depends on the requests' times, not on when they were read, and a user
 * suppressed and unsuppressed several times has each interval kept.
 *
 * <p>Size: one entry per request about the user. Requests are rare operator actions (a person's privacy request), so
 * the entries of a key are few; they are never dropped by time (a suppression has no end but an {@code unsuppress})
 * and go only when the key's timeline is replaced. A Flink POJO (arrays), and {@link Serializable} so a timeline known
 * when the job is defined can travel in an operator.
 */
public class SuppressionTimeline implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The requests' times, ascending (equal times in the order recorded). */
    public long[] at = new long[0];
    /** Per entry of {@link #at}: {@code true} for {@code suppress}, {@code false} for {@code unsuppress}. */
    public boolean[] suppress = new boolean[0];

    public SuppressionTimeline() {}

    /** Records a request at {@code time}: after every entry at or before it, so the later-recorded wins a tie. */
    public void record(long time, boolean suppressFromThen) {
        int i = at.length;
        while (i > 0 && at[i - 1] > time) {
            i--;
        }
        long[] a = new long[at.length + 1];
        boolean[] s = new boolean[suppress.length + 1];
        System.arraycopy(at, 0, a, 0, i);
        System.arraycopy(suppress, 0, s, 0, i);
        a[i] = time;
        s[i] = suppressFromThen;
        System.arraycopy(at, i, a, i + 1, at.length - i);
        System.arraycopy(suppress, i, s, i + 1, suppress.length - i);
        at = a;
        suppress = s;
    }

    /** Whether an event at {@code time} is suppressed: the latest request at or before it is a {@code suppress}. */
    public boolean suppresses(long time) {
        for (int i = at.length - 1; i >= 0; i--) {
            if (at[i] <= time) {
                return suppress[i];
            }
        }
        return false;
    }

    /**
     * Every key's timeline from messages known in advance (a replay's {@code --control} file), recorded in their order;
     * messages that are not suppressions are skipped.
     */
    public static java.util.Map<String, SuppressionTimeline> byKey(
            java.util.List<io.journeycep.pipeline.control.ControlMessage> messages) {
        java.util.Map<String, SuppressionTimeline> byKey = new java.util.HashMap<>();
        for (io.journeycep.pipeline.control.ControlMessage m : messages) {
            if (m.isSuppression()) {
                for (String key : m.suppression.userKeys) {
                    byKey.computeIfAbsent(key, k -> new SuppressionTimeline())
                            .record(m.suppression.at, m.suppression.suppress);
                }
            }
        }
        return byKey;
    }

    /** The number of requests recorded. */
    public int size() {
        return at.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SuppressionTimeline that && Arrays.equals(at, that.at)
                && Arrays.equals(suppress, that.suppress);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(at) * 31 + Arrays.hashCode(suppress);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("SuppressionTimeline{");
        for (int i = 0; i < at.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(suppress[i] ? "suppress@" : "unsuppress@").append(at[i]);
        }
        return sb.append('}').toString();
    }
}
