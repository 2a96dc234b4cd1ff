package io.journeycep.pipeline.stages.groups;

import java.util.Arrays;

/** A user's groups, the group guest's slice of the user's value, in the order first seen. A Flink POJO. */
public class UserGroups {
    public UserGroup[] groups = new UserGroup[0];
    /** The latest event time of a group call: the slice is dropped the retention after it. */
    public long lastSeen = Long.MIN_VALUE;

    public UserGroups() {}

    /** The group, or {@code null} when the user is not in it. */
    public UserGroup group(String groupId) {
        for (UserGroup g : groups) {
            if (g.groupId.equals(groupId)) {
                return g;
            }
        }
        return null;
    }

    /**
     * The group, added when new; with {@code maxGroups} already kept, the one seen least recently (event time; the
     * first seen among equals) makes room.
     */
    UserGroup join(String groupId, int maxGroups) {
        UserGroup g = group(groupId);
        if (g != null) {
            return g;
        }
        if (groups.length >= maxGroups) {
            int oldest = 0;
            for (int i = 1; i < groups.length; i++) {
                if (groups[i].lastSeen < groups[oldest].lastSeen) {
                    oldest = i;
                }
            }
            UserGroup[] kept = new UserGroup[groups.length - 1];
            System.arraycopy(groups, 0, kept, 0, oldest);
            System.arraycopy(groups, oldest + 1, kept, oldest, groups.length - oldest - 1);
            groups = kept;
        }
        g = new UserGroup(groupId);
        groups = Arrays.copyOf(groups, groups.length + 1);
        groups[groups.length - 1] = g;
        return g;
    }
}
