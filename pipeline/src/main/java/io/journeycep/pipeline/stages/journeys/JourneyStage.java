package io.journeycep.pipeline.stages.journeys;

import io.journeycep.model.JourneyEvent;
import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.stages.erasure.ErasingKeyedProcessOperator;
import io.journeycep.pipeline.stages.Keys;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.TransitionCount;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Sessions → global Markov counts → PATH_ANOMALY (DESIGN §1, §3):
 *
 * <pre>
 * on-time events → keyBy(user) journey-sessions (+ the user's own decayed counts) ──(distinct transitions of a closed session)──► keyBy(from)
 *     transition-counter ──(answers: counts before the session)──┐        └─► absolute counts ─► journey_transitions
 *                    └──(closed sessions long enough to score)────┴► keyBy(session) path-scorer ─► PATH_ANOMALY alerts
 * </pre>
 */
public final class JourneyStage {
    public static final String SESSIONS_UID = "journey-sessions";
    public static final String COUNTER_UID = "transition-counter";
    public static final String SCORER_UID = "path-scorer";

    private JourneyStage() {}

    public static final class Output {
        public final DataStream<Alert> alerts;
        /** Absolute counts, from the counter's subtasks (a pair always from the same one, in order). */
        public final DataStream<TransitionCount> transitions;

        Output(DataStream<Alert> alerts, DataStream<TransitionCount> transitions) {
            this.alerts = alerts;
            this.transitions = transitions;
        }
    }

    public static Output apply(DataStream<JourneyEvent> onTime, JobConfig.Journeys config) {
        return apply(onTime, config, false);
    }

    /**
     * Accumulator of {@link #apply(DataStream, JobConfig.Journeys, boolean)}: the users with an open session when the
     * input ended (keys holding the sessions stage's open-session state, which a closing session clears).
     */
    public static final String ACC_OPEN_SESSIONS = "openSessions";

    /** As {@link #apply(DataStream, JobConfig.Journeys)}; with {@code countOpenAtTheEnd}, {@value #ACC_OPEN_SESSIONS}. */
    public static Output apply(DataStream<JourneyEvent> onTime, JobConfig.Journeys config, boolean countOpenAtTheEnd) {
        ErasingKeyedProcessOperator<String, JourneyEvent, SessionTransition> sessions =
                new ErasingKeyedProcessOperator<>(new JourneySessions(config.sessionGap.toMillis(),
                        config.minTransitions, config.maxPathLength, config.userModel.halfLife.toMillis(),
                        config.userModel.horizon.toMillis()), JourneyEvent::isErasure);
        if (countOpenAtTheEnd) {
            sessions.countingKeysAtTheEnd(JourneySessions.OPEN_STATE, ACC_OPEN_SESSIONS);
        }
        SingleOutputStreamOperator<SessionTransition> transitions = onTime
                .keyBy(new Keys.UserKey())
                .transform("journey sessions", TypeInformation.of(SessionTransition.class), sessions)
                .uid(SESSIONS_UID);
        DataStream<ClosedSession> closed = transitions.getSideOutput(JourneySessions.CLOSED_SESSIONS);

        SingleOutputStreamOperator<TransitionAnswer> answers = transitions
                .keyBy(t -> t.from, TypeInformation.of(String.class))
                .process(new TransitionCounter(config.smoothing, config.flushInterval.toMillis()),
                        TypeInformation.of(TransitionAnswer.class))
                .name("transition counter")
                .uid(COUNTER_UID);
        DataStream<TransitionCount> counts = answers.getSideOutput(TransitionCounter.COUNTS);

        SingleOutputStreamOperator<Alert> alerts = closed
                .connect(answers)
                .keyBy(s -> s.sessionKey, a -> a.sessionKey, TypeInformation.of(String.class))
                .process(new PathScorer(config.minTransitions, config.anomalyThreshold, config.smoothing,
                        config.minStateSupport, config.userModel.halfLife.toMillis()),
                        TypeInformation.of(Alert.class))
                .name("path scorer")
                .uid(SCORER_UID);
        return new Output(alerts, counts);
    }
}
