package io.journeycep.pipeline.stages.journeys;

import io.journeycep.patterns.cep.WatermarkBatchingKeyedOperator;
import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.TransitionCount;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Sessions → global Markov counts → PATH_ANOMALY (DESIGN §1, §3). The sessions are cut in the user's pass
 * ({@link JourneyGuest}); this stage counts and scores what they emit:
 *
 * <pre>
 * user pass: journeys ──(distinct transitions of a closed session)──► keyBy(from)
 *     transition-counter ──(answers: counts before the session)──┐        └─► absolute counts ─► journey_transitions
 *                    └──(closed sessions long enough to score)────┴► keyBy(session) path-scorer ─► PATH_ANOMALY alerts
 * </pre>
 */
public final class JourneyStage {
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

    /** What the sessions emit: {@link JourneyGuest#TRANSITIONS} and {@link JourneyGuest#CLOSED_SESSIONS}. */
    public static final class Sessions {
        final DataStream<SessionTransition> transitions;
        final DataStream<ClosedSession> closed;

        public Sessions(DataStream<SessionTransition> transitions, DataStream<ClosedSession> closed) {
            this.transitions = transitions;
            this.closed = closed;
        }
    }

    /**
     * The transition counter in the operator that gives it a from-state's transitions the watermark has passed as one
     * batch: the counts are read and written once per from-state and watermark, not per transition.
     */
    public static WatermarkBatchingKeyedOperator<SessionTransition, TransitionAnswer> counter(double smoothing,
            long flushIntervalMs) {
        return new WatermarkBatchingKeyedOperator<>(new TransitionCounter(smoothing, flushIntervalMs));
    }

    public static Output apply(Sessions sessions, JobConfig.Journeys config) {
        SingleOutputStreamOperator<TransitionAnswer> answers = sessions.transitions
                .keyBy(t -> t.from, TypeInformation.of(String.class))
                .transform("transition counter", TypeInformation.of(TransitionAnswer.class),
                        counter(config.smoothing, config.flushInterval.toMillis()))
                .uid(COUNTER_UID);
        DataStream<TransitionCount> counts = answers.getSideOutput(TransitionCounter.COUNTS);

        SingleOutputStreamOperator<Alert> alerts = sessions.closed
                .connect(answers)
                .keyBy(s -> s.sessionKey, a -> a.sessionKey, TypeInformation.of(String.class))
                .process(new PathScorer(config.minTransitions, config.anomalyThreshold, config.smoothing,
                        config.minStateSupport, config.userModel.halfLife.toMillis()),
                        TypeInformation.of(Alert.class))
                .name("path scorer")
                .uid(SCORER_UID);
        return new Output(alerts, counts);
    }

    /** The journeys guest's settings from the config. */
    public static JourneyGuest.Settings guestSettings(JobConfig.Journeys config) {
        return new JourneyGuest.Settings(config.sessionGap.toMillis(), config.minTransitions, config.maxPathLength,
                config.userModel.halfLife.toMillis(), config.userModel.horizon.toMillis());
    }
}
