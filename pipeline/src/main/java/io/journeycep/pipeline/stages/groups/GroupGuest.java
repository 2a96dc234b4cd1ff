package io.journeycep.pipeline.stages.groups;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.pass.UserGuest;
import io.journeycep.pipeline.control.ControlMessage;
import io.journeycep.sinks.Alert;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;

/**
 * Segment {@code group} calls (issue 15, README "Segment calls") as a guest of the user's pass: keeps the user's groups
 * (accounts, such as a company on an "Enterprise" plan) and each group's latest allow-listed traits in the user's
 * value, so segment rules can use them, and counts the calls ({@value #CALLS_METRIC}). It emits nothing; a group call
 * is no journey step and no segment activity (the other guests skip it).
 *
 * <p>Bounded ({@link GroupSettings}): only allow-listed traits, at most so many groups per user (the one seen least
 * recently makes room) and traits per group; the slice is dropped the retention after the user's latest group call.
 * Calls may come out of order: a trait keeps the value of the latest call in event time.
 */
public final class GroupGuest implements UserGuest<Alert, ControlMessage> {
    /** Metric: group calls received. */
    public static final String CALLS_METRIC = "groupCalls";
    static final String STATE = "user-groups";

    private final GroupSettings settings;
    private final ValueState<UserGroups> state;
    private Counter calls;

    /** The guest for {@code settings}; its slice is named {@code groups}. */
    public static UserGuest.Factory<Alert, ControlMessage> factory(GroupSettings settings) {
        return new Factory<>() {
            private static final long serialVersionUID = 1L;

            @Override
            public String sliceName() {
                return "groups";
            }

            @Override
            public UserGuest<Alert, ControlMessage> create(KeyedStateStore slice, Setup setup) {
                return new GroupGuest(settings, slice, setup);
            }
        };
    }

    private GroupGuest(GroupSettings settings, KeyedStateStore slice, Setup setup) {
        this.settings = settings;
        this.state = slice.getState(new ValueStateDescriptor<>(STATE,
                TypeInformation.of(UserGroups.class).createSerializer(setup.serializers())));
    }

    /** The user's groups (the user's value loaded), or {@code null} without any: for segment rules (next issues). */
    public UserGroups groups() throws Exception {
        return state.value();
    }

    @Override
    public void open(RuntimeContext context) {
        calls = context.getMetricGroup().counter(CALLS_METRIC);
    }

    @Override
    public void onEvent(JourneyEvent event, long watermark, Emitter<Alert> out) throws Exception {
        if (!event.isGroupCall()) {
            return;
        }
        calls.inc();
        UserGroups s = state.value();
        if (s == null) {
            s = new UserGroups();
        }
        UserGroup g = s.join(event.groupId, settings.maxGroups());
        g.lastSeen = Math.max(g.lastSeen, event.timestamp);
        if (event.groupTraitNames != null) {
            for (int i = 0; i < event.groupTraitNames.length; i++) {
                if (settings.keeps(event.groupTraitNames[i])) {
                    g.set(event.groupTraitNames[i], event.groupTraitValues[i], event.timestamp, settings.maxTraits());
                }
            }
        }
        s.lastSeen = Math.max(s.lastSeen, event.timestamp);
        state.update(s);
    }

    @Override
    public void onWatermark(long watermark, Emitter<Alert> out) throws Exception {
        UserGroups s = state.value();
        if (s != null && watermark >= expiry(s)) {
            state.clear();
        }
    }

    @Override
    public long nextDue() throws Exception {
        UserGroups s = state.value();
        return s == null ? Long.MAX_VALUE : expiry(s);
    }

    private long expiry(UserGroups s) {
        return s.lastSeen > Long.MAX_VALUE - settings.retentionMs() ? Long.MAX_VALUE
                : s.lastSeen + settings.retentionMs();
    }
}
