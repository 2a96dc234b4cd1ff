package io.journeycep.pipeline.stages.groups;

import java.util.Arrays;
import java.util.Objects;

/**
 * One group (account) of a user and its latest allow-listed traits, names and values pairwise, each trait as of the
 * latest group call (event time) that carried it. A Flink POJO.
 */
public class UserGroup {
    public String groupId;
    /** Event time of the latest group call for this group. */
    public long lastSeen = Long.MIN_VALUE;
    public String[] traitNames = new String[0];
    public String[] traitValues = new String[0];
    /** Event time each trait was last set at. */
    public long[] traitTimes = new long[0];

    public UserGroup() {}

    UserGroup(String groupId) {
        this.groupId = groupId;
    }

    /** The trait's latest value, or {@code null}. */
    public String trait(String name) {
        int i = Arrays.asList(traitNames).indexOf(name);
        return i < 0 ? null : traitValues[i];
    }

    /** Sets {@code name} unless a later call set it; a new name only while fewer than {@code maxTraits} are kept. */
    void set(String name, String value, long time, int maxTraits) {
        int i = Arrays.asList(traitNames).indexOf(name);
        if (i >= 0) {
            if (time >= traitTimes[i]) {
                traitValues[i] = value;
                traitTimes[i] = time;
            }
        } else if (traitNames.length < maxTraits) {
            traitNames = append(traitNames, name);
            traitValues = append(traitValues, value);
            traitTimes = Arrays.copyOf(traitTimes, traitTimes.length + 1);
            traitTimes[traitTimes.length - 1] = time;
        }
    }

    private static String[] append(String[] a, String v) {
        String[] b = Arrays.copyOf(a, a.length + 1);
        b[a.length] = v;
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UserGroup that && lastSeen == that.lastSeen && Objects.equals(groupId, that.groupId)
                && Arrays.equals(traitNames, that.traitNames) && Arrays.equals(traitValues, that.traitValues)
                && Arrays.equals(traitTimes, that.traitTimes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(groupId, lastSeen);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("UserGroup{").append(groupId);
        for (int i = 0; i < traitNames.length; i++) {
            sb.append(' ').append(traitNames[i]).append('=').append(traitValues[i]);
        }
        return sb.append('}').toString();
    }
}
