package io.journeycep.pipeline.stages.pass;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.pass.PatternGuest;
import io.journeycep.patterns.pass.UserGuest;
import io.journeycep.patterns.pass.UserPassOperator;
import io.journeycep.patterns.segments.SegmentBook;
import io.journeycep.patterns.spec.PatternSpec;
import io.journeycep.pipeline.control.ControlMessage;
import io.journeycep.pipeline.stages.Keys;
import io.journeycep.pipeline.stages.journeys.JourneyGuest;
import io.journeycep.pipeline.stages.journeys.JourneyStage;
import io.journeycep.pipeline.stages.consent.ConsentGuest;
import io.journeycep.pipeline.stages.consent.ConsentSettings;
import io.journeycep.pipeline.stages.consent.WithheldTrigger;
import io.journeycep.pipeline.stages.groups.GroupGuest;
import io.journeycep.pipeline.stages.groups.GroupSettings;
import io.journeycep.pipeline.stages.patterns.PatternAlertFunction;
import io.journeycep.pipeline.stages.segments.SegmentGuest;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.RejectedEvent;
import io.journeycep.sinks.SegmentChange;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

import java.util.ArrayList;
import java.util.List;

import javax.annotation.Nullable;

/**
 * The user's pass (issue 14): one keyed operator per user ({@link UserPassOperator}, uid {@value #UID}) that runs, over
 * one value and one timer per user,
 * <ol>
 *   <li>the user's consent ({@link ConsentGuest}): it keeps the user's latest consent and holds back the marketing
 *       triggers the user has not consented to (README "Consent"), after every guest has seen them;
 *   <li>every pattern spec (the built-ins, then the rules files'): its look-back, its steps held until the watermark
 *       and its Flink CEP NFA ({@link PatternGuest}); matches become alerts through {@link PatternAlertFunction};
 *   <li>the segment engine ({@link SegmentGuest}, when segments are on), which folds in the user's events and the
 *       CART_ABANDONED alerts of the same pass;
 *   <li>the user's groups ({@link GroupGuest}), from Segment {@code group} calls;
 *   <li>the journey sessions ({@link JourneyGuest}, when journeys are on), on the events routed to the journeys; what
 *       they emit goes on to the {@link JourneyStage}'s counters and scorer.
 * </ol>
 * Segment rule changes come on the broadcast input (the control messages). The events must be partitioned by user
 * key already (no shuffle). Erasure markers (README "Privacy") delete the user's value and timers. The value holds a
 * slice for consent, one per pattern id, one for segments, one for groups and one for journeys: adding, removing or
 * renaming a pattern (or a guest) changes its layout, so a savepoint taken with other patterns (or guests) does not
 * restore.
 */
public final class UserPassStage {
    public static final String UID = "user-pass";
    public static final String NAME = "user pass (patterns, segments, journeys)";

    private UserPassStage() {}

    /**
     * The pass's alerts, segment changes and rejected segment rule changes ({@code null} when segments are off), the
     * journeys' sessions ({@code null} when journeys are off) and the triggers the consent guest withheld.
     */
    public static final class Output {
        public final SingleOutputStreamOperator<Alert> alerts;
        @Nullable public final DataStream<SegmentChange> segmentChanges;
        @Nullable public final DataStream<RejectedEvent> rejected;
        @Nullable public final JourneyStage.Sessions sessions;
        /** Every trigger withheld for consent, as its kind and event time ({@link ConsentGuest#WITHHELD}). */
        public final DataStream<WithheldTrigger> withheld;

        Output(SingleOutputStreamOperator<Alert> alerts, DataStream<SegmentChange> segmentChanges,
                DataStream<RejectedEvent> rejected, JourneyStage.Sessions sessions) {
            this.alerts = alerts;
            this.segmentChanges = segmentChanges;
            this.rejected = rejected;
            this.sessions = sessions;
            this.withheld = alerts.getSideOutput(ConsentGuest.WITHHELD);
        }
    }

    /**
     * What the pass runs: the pattern specs in order, the segment book ({@code null}: segments off) and the journeys'
     * settings ({@code null}: journeys off).
     */
    public static final class Settings {
        final List<PatternSpec> patterns;
        @Nullable final SegmentBook segments;
        final long sessionGapMs;
        @Nullable final JourneyGuest.Settings journeys;
        final boolean countPendingAtTheEnd;
        final ConsentSettings consent;
        final GroupSettings groups;

        /** With the default consent and group settings. */
        public Settings(List<PatternSpec> patterns, @Nullable SegmentBook segments, long sessionGapMs,
                @Nullable JourneyGuest.Settings journeys, boolean countPendingAtTheEnd) {
            this(patterns, segments, sessionGapMs, journeys, countPendingAtTheEnd, ConsentSettings.defaults(),
                    GroupSettings.defaults());
        }

        /**
         * @param countPendingAtTheEnd count, when the input ends, the users with a started match per spec
         *     ({@code openMatches.<spec id>}), with a segment change still due ({@code segmentTimersPending}) and with
         *     an open session ({@code openSessions}): a replay's summary
         */
        public Settings(List<PatternSpec> patterns, @Nullable SegmentBook segments, long sessionGapMs,
                @Nullable JourneyGuest.Settings journeys, boolean countPendingAtTheEnd, ConsentSettings consent,
                GroupSettings groups) {
            this.patterns = List.copyOf(patterns);
            this.segments = segments;
            this.sessionGapMs = sessionGapMs;
            this.journeys = journeys;
            this.countPendingAtTheEnd = countPendingAtTheEnd;
            this.consent = consent;
            this.groups = groups;
        }
    }

    /**
     * @param events deduplicated, on-time, stitched events (routed to the detectors, the journeys or both), already
     *     partitioned by {@link JourneyEvent#userKey()} (the output of a keyed operator on that key)
     * @param control parsed control messages (parallelism 1, idle; see {@code ControlStage}); only segment rule
     *     messages concern the pass
     */
    public static Output apply(DataStream<JourneyEvent> events, DataStream<ControlMessage> control, Settings settings) {
        UserPassOperator<Alert, ControlMessage> pass = new UserPassOperator<>(guests(settings.patterns,
                settings.segments, settings.sessionGapMs, settings.journeys, settings.consent, settings.groups));
        if (settings.countPendingAtTheEnd) {
            pass.countingPendingAtTheEnd();
        }
        SingleOutputStreamOperator<Alert> alerts = DataStreamUtils.reinterpretAsKeyedStream(events, new Keys.UserKey())
                .connect(control.broadcast())
                .transform(NAME, TypeInformation.of(Alert.class), pass)
                .uid(UID);
        JourneyStage.Sessions sessions = settings.journeys == null ? null : new JourneyStage.Sessions(
                alerts.getSideOutput(JourneyGuest.TRANSITIONS), alerts.getSideOutput(JourneyGuest.CLOSED_SESSIONS));
        if (settings.segments == null) {
            return new Output(alerts, null, null, sessions);
        }
        return new Output(alerts, alerts.getSideOutput(SegmentGuest.CHANGES),
                alerts.getSideOutput(SegmentGuest.REJECTED), sessions);
    }

    /**
     * The pass's guests in the order they run: consent, the pattern specs, segments (when on), groups, journeys (when
     * on).
     */
    public static List<UserGuest.Factory<Alert, ControlMessage>> guests(List<PatternSpec> patterns,
            @Nullable SegmentBook segments, long sessionGapMs, @Nullable JourneyGuest.Settings journeys,
            ConsentSettings consent, GroupSettings groups) {
        List<UserGuest.Factory<Alert, ControlMessage>> guests = new ArrayList<>();
        guests.add(ConsentGuest.factory(consent));
        for (PatternSpec spec : patterns) {
            guests.add(PatternGuest.factory(spec, PatternAlertFunction::new));
        }
        if (segments != null) {
            guests.add(SegmentGuest.factory(segments, sessionGapMs));
        }
        guests.add(GroupGuest.factory(groups));
        if (journeys != null) {
            guests.add(JourneyGuest.factory(journeys));
        }
        return guests;
    }
}
