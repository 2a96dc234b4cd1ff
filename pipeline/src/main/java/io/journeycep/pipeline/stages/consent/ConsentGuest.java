package io.journeycep.pipeline.stages.consent;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.pass.UserGuest;
import io.journeycep.pipeline.control.ControlMessage;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.SegmentChange;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.OutputTag;

import java.util.Arrays;
import java.util.Set;

/**
 * Consent honoured in the stream (issue 15, README "Consent"), as a guest of the user's pass: keeps each user's latest
 * consent (the categories granted, from the events that carry a consent object) and holds back from the pass's output
 * every marketing trigger whose category ({@link ConsentSettings#categoryOf}) the user had not granted at the
 * trigger's event time. A withheld trigger is not sent anywhere and is counted ({@value #WITHHELD_METRIC}); only its
 * kind and event time go on, on {@link #WITHHELD}, to the per-day counts of {@code triggers_withheld} ({@link
 * WithheldCounter}). The other guests still see it ({@link UserGuest#onPassOutput}), so segments still count an
 * abandoned cart.
 *
 * <p>A category missing from the user's consent is not granted. An event without a consent object leaves the consent
 * as it was. A user never seen with one has every category granted, or none ({@link
 * ConsentSettings#grantedWithoutConsent}). The consent in force at a time is the latest carried by an event at or
 * before it (event time, arrival order for equal times), so a replay decides as the live run did. Only the categories
 * some trigger needs are kept, and at most {@value #MAX_CHANGES} changes; the slice is dropped the retention after the
 * latest event that carried consent.
 *
 * <p>It runs first in the pass, so an event's consent is in force for what the other guests emit for it.
 */
public final class ConsentGuest implements UserGuest<Alert, ControlMessage> {
    /** Metric: triggers not sent because the user had not granted their category. */
    public static final String WITHHELD_METRIC = "triggersWithheld";
    /** Accumulator with the same count, for a replay's summary. */
    public static final String ACC_WITHHELD = "triggersWithheld";
    /** Changes kept per user, at most: the latest before the watermark and those after it. */
    static final int MAX_CHANGES = 16;
    static final String STATE = "user-consent";
    /** Side output of the pass: every trigger withheld, as its kind and event time (no user). */
    public static final OutputTag<WithheldTrigger> WITHHELD =
            new OutputTag<>("triggers-withheld", TypeInformation.of(WithheldTrigger.class));

    private final ConsentSettings settings;
    private final Set<String> categories;
    private final ValueState<UserConsent> state;
    private Counter withheld;
    private org.apache.flink.api.common.accumulators.LongCounter withheldTotal;
    /** The pass's watermark before its latest advance: no trigger still to come is at or before it. */
    private long previousWatermark = Long.MIN_VALUE;
    private long watermark = Long.MIN_VALUE;

    /** The guest for {@code settings}; its slice is named {@code consent}. */
    public static UserGuest.Factory<Alert, ControlMessage> factory(ConsentSettings settings) {
        return new Factory<>() {
            private static final long serialVersionUID = 1L;

            @Override
            public String sliceName() {
                return "consent";
            }

            @Override
            public UserGuest<Alert, ControlMessage> create(KeyedStateStore slice, Setup setup) {
                return new ConsentGuest(settings, slice, setup);
            }
        };
    }

    private ConsentGuest(ConsentSettings settings, KeyedStateStore slice, Setup setup) {
        this.settings = settings;
        this.categories = settings.categories();
        this.state = slice.getState(new ValueStateDescriptor<>(STATE,
                TypeInformation.of(UserConsent.class).createSerializer(setup.serializers())));
    }

    /** The user's consent (the user's value loaded), or {@code null} when none is kept: for state probes. */
    public UserConsent consent() throws Exception {
        return state.value();
    }

    @Override
    public void open(RuntimeContext context) {
        withheld = context.getMetricGroup().counter(WITHHELD_METRIC);
        withheldTotal = new org.apache.flink.api.common.accumulators.LongCounter();
        context.addAccumulator(ACC_WITHHELD, withheldTotal);
    }

    @Override
    public void onEvent(JourneyEvent event, long watermark, Emitter<Alert> out) throws Exception {
        advance(watermark);
        if (event.consentGranted == null) {
            return;
        }
        String[] granted = Arrays.stream(event.consentGranted).filter(categories::contains).sorted().distinct()
                .toArray(String[]::new);
        UserConsent s = state.value();
        if (s == null) {
            s = new UserConsent();
        }
        s.add(new ConsentChange(event.timestamp, granted));
        s.forgetBefore(previousWatermark, MAX_CHANGES);
        state.update(s);
    }

    @Override
    public void onWatermark(long watermark, Emitter<Alert> out) throws Exception {
        advance(watermark);
        UserConsent s = state.value();
        if (s == null) {
            return;
        }
        if (previousWatermark >= expiry(s)) {
            // only now: the triggers the other guests emit in this pass are after the previous watermark, and one
            // before the expiry must still find the consent (a watermark may jump past it, as --drain's does)
            state.clear();
            return;
        }
        int before = s.changes.length;
        s.forgetBefore(previousWatermark, MAX_CHANGES);
        if (s.changes.length != before) {
            state.update(s);
        }
    }

    private void advance(long now) {
        if (now > watermark) {
            previousWatermark = watermark;
            watermark = now;
        }
    }

    private long expiry(UserConsent s) {
        return s.lastSeen > Long.MAX_VALUE - settings.retentionMs() ? Long.MAX_VALUE
                : s.lastSeen + settings.retentionMs();
    }

    /**
     * The retention's end; once the watermark has passed it, just after the watermark: the slice is dropped at the
     * first advance after the one that passed the end (never a due time at or before the watermark, which the host's
     * timer would fire again within the same advance).
     */
    @Override
    public long nextDue() throws Exception {
        UserConsent s = state.value();
        if (s == null) {
            return Long.MAX_VALUE;
        }
        long expiry = expiry(s);
        if (expiry > watermark) {
            return expiry;
        }
        return watermark == Long.MAX_VALUE ? Long.MAX_VALUE : watermark + 1;
    }

    /**
     * Decides at the trigger's own event time (an alert's or a segment change's {@code eventTime}), not at the
     * record's timestamp: a pattern that times out stamps its alert with the watermark that closed it.
     */
    @Override
    public boolean releases(Object record, long timestamp) throws Exception {
        String category = settings.categoryOf(record);
        if (category == null || granted(category, eventTimeOf(record, timestamp))) {
            return true;
        }
        withheld.inc();
        withheldTotal.add(1L);
        return false;
    }

    /** Tells {@link #WITHHELD} what was withheld: the kind and the event time at which consent was decided. */
    @Override
    public void withheld(Object record, long timestamp, Emitter<Alert> out) {
        long eventTime = eventTimeOf(record, timestamp);
        out.emit(WITHHELD, WithheldTrigger.of(WithheldTrigger.kindOf(record), eventTime), eventTime);
    }

    private static long eventTimeOf(Object record, long timestamp) {
        if (record instanceof Alert a) {
            return a.eventTime;
        }
        return record instanceof SegmentChange c ? c.eventTime : timestamp;
    }

    /** Whether the user had granted {@code category} at {@code time}. */
    private boolean granted(String category, long time) throws Exception {
        UserConsent s = state.value();
        ConsentChange c = s == null || time >= expiry(s) ? null : s.at(time); // past the retention: as if never seen
        return c == null ? settings.grantedWithoutConsent() : c.grants(category);
    }
}
