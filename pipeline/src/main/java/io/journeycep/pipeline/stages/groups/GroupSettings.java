package io.journeycep.pipeline.stages.groups;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * What the user's pass keeps of Segment {@code group} calls (README "Segment calls"): the trait names allowed, how many
 * groups per user and traits per group, and for how long. Immutable; validated by {@code JobConfig} (the config's
 * {@code groups} section).
 */
public final class GroupSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Default allow-list: Segment's reserved group traits a B2B segment rule is most likely to use. */
    public static final List<String> DEFAULT_TRAITS = List.of("name", "plan", "industry", "employees");
    public static final int DEFAULT_MAX_GROUPS = 10;
    public static final int DEFAULT_MAX_TRAITS = 20;
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(400);

    private final List<String> traits;
    private final int maxGroups;
    private final int maxTraits;
    private final long retentionMs;

    /**
     * @param traits the trait names kept (as sent, case-sensitive); others are dropped
     * @param maxGroups groups kept per user: beyond it the group seen least recently (event time) is dropped
     * @param maxTraits traits kept per group: beyond it a new trait name is dropped
     * @param retention how long a user's groups are kept after the latest group call
     */
    public GroupSettings(List<String> traits, int maxGroups, int maxTraits, Duration retention) {
        if (maxGroups < 1 || maxTraits < 0 || retention.isZero() || retention.isNegative()) {
            throw new IllegalArgumentException("need max groups >= 1, max traits >= 0 and a positive retention, was "
                    + maxGroups + ", " + maxTraits + ", " + retention);
        }
        this.traits = List.copyOf(traits);
        this.maxGroups = maxGroups;
        this.maxTraits = maxTraits;
        this.retentionMs = retention.toMillis();
    }

    public static GroupSettings defaults() {
        return new GroupSettings(DEFAULT_TRAITS, DEFAULT_MAX_GROUPS, DEFAULT_MAX_TRAITS, DEFAULT_RETENTION);
    }

    public boolean keeps(String trait) {
        return traits.contains(trait);
    }

    public List<String> traits() {
        return traits;
    }

    public int maxGroups() {
        return maxGroups;
    }

    public int maxTraits() {
        return maxTraits;
    }

    public long retentionMs() {
        return retentionMs;
    }

    @Override
    public String toString() {
        return "GroupSettings{traits=" + traits + ", maxGroups=" + maxGroups + ", maxTraits=" + maxTraits
                + ", retentionMs=" + retentionMs + '}';
    }
}
