package io.journeycep.pipeline.stages.journeys;

import io.journeycep.patterns.journey.PathScore;
import io.journeycep.patterns.journey.UserTransitionModel;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertIds;
import io.journeycep.sinks.AlertKind;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * PATH_ANOMALY (DESIGN §3), keyed by session: joins a {@link ClosedSession} with the {@link TransitionAnswer}s of its
 * distinct pairs and, when the watermark passes the session's close time (by then every counter has answered: each
 * answers before forwarding that watermark), scores it: mean negative log-likelihood per transition against the model
 * as it was before the session was counted. A session is scored only when every from-state of its transitions had at
 * least {@code minStateSupport} counted transitions before it (each answer carries its from-state's total), so a cold
 * model does not flag every early session. An alert when there are at least {@code minTransitions} transitions and
 * the mean is above the threshold. Its state is cleared at that timer, alert or not.
 *
 * <p>The decision is the global model's (DESIGN §3). The evidence also shows the user's own model of each pair (from
 * the {@link ClosedSession}: decayed count, from-total and smoothed probability) and the session's mean NLL under it.
 */
public class PathScorer extends KeyedCoProcessFunction<String, ClosedSession, TransitionAnswer, Alert> {
    private static final long serialVersionUID = 1L;
    public static final String RULE_ID = "path-anomaly";
    public static final int RULE_VERSION = 1;
    private static final Logger LOG = LoggerFactory.getLogger(PathScorer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    static final String SESSION_STATE = "scored-session";
    /** Watermarks a session waits for missing answers before it is given up (with a warning). */
    static final int MAX_SCORE_WAITS = 3;
    static final String ANSWERS_STATE = "transition-answers";

    private final int minTransitions;
    private final double threshold;
    private final double alpha;
    private final long minStateSupport;
    private final long userHalfLifeMs;

    private transient ValueState<ClosedSession> session;
    private transient ListState<TransitionAnswer> answers;

    /**
     * @param minStateSupport the fewest counted transitions every from-state of a session needs before it (0: none)
     * @param userHalfLifeMs the half-life of the users' own counts (shown in the evidence)
     */
    public PathScorer(int minTransitions, double threshold, double alpha, long minStateSupport, long userHalfLifeMs) {
        this.minTransitions = minTransitions;
        this.threshold = threshold;
        this.alpha = alpha;
        this.minStateSupport = minStateSupport;
        this.userHalfLifeMs = userHalfLifeMs;
    }

    @Override
    public void open(OpenContext openContext) {
        session = getRuntimeContext().getState(new ValueStateDescriptor<>(SESSION_STATE, ClosedSession.class));
        answers = getRuntimeContext().getListState(new ListStateDescriptor<>(ANSWERS_STATE, TransitionAnswer.class));
    }

    @Override
    public void processElement1(ClosedSession s, Context ctx, Collector<Alert> out) throws Exception {
        session.update(s);
        ctx.timerService().registerEventTimeTimer(s.closeTime);
    }

    @Override
    public void processElement2(TransitionAnswer a, Context ctx, Collector<Alert> out) throws Exception {
        answers.add(a);
        ctx.timerService().registerEventTimeTimer(a.closeTime);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        ClosedSession s = session.value();
        List<TransitionAnswer> got = new ArrayList<>();
        Iterable<TransitionAnswer> all = answers.get();
        if (all != null) {
            all.forEach(got::add);
        }
        long watermark = ctx.timerService().currentWatermark();
        if (s != null && got.size() < s.distinctPairs && s.scoreWaits < MAX_SCORE_WAITS
                && watermark < Long.MAX_VALUE) {
            // An idle upstream channel lets the counters' watermark pass a close time before the session's
            // transitions reach them; they answer at their next timer. Wait for the next watermark (a few times).
            s.scoreWaits++;
            session.update(s);
            ctx.timerService().registerEventTimeTimer(watermark + 1);
            return;
        }
        session.clear();
        answers.clear();
        if (s == null || got.size() != s.distinctPairs) {
            LOG.warn("session {}: {} transition answers for {}; not scored", ctx.getCurrentKey(), got.size(),
                    s == null ? "no session" : s.distinctPairs + " pairs");
            return;
        }
        for (TransitionAnswer a : got) {
            if (a.fromTotal < minStateSupport) {
                return; // too little support: the global model does not know this from-state well enough yet
            }
        }
        got.sort(Comparator.comparing((TransitionAnswer a) -> a.from).thenComparing(a -> a.to));
        List<PathScore.PairScore> pairs = new ArrayList<>();
        for (TransitionAnswer a : got) {
            pairs.add(new PathScore.PairScore(a.from, a.to, a.occurrences, a.probability, a.count, a.fromTotal));
        }
        PathScore score = PathScore.fromPairs(s.path, pairs);
        double mean = score.meanNegativeLogLikelihood();
        if (s.transitions >= minTransitions && mean > threshold) {
            out.collect(alert(s, score, pairs));
        }
    }

    private Alert alert(ClosedSession s, PathScore score, List<PathScore.PairScore> pairs) {
        Alert a = new Alert();
        a.kind = AlertKind.PATH_ANOMALY;
        a.ruleId = RULE_ID;
        a.ruleVersion = RULE_VERSION;
        a.subjectKey = s.userKey;
        a.score = score.meanNegativeLogLikelihood();
        a.threshold = threshold;
        a.windowStart = s.firstTime;
        a.windowEnd = s.lastTime;
        a.evidenceEventIds = new ArrayList<>(s.eventIds);
        a.eventTime = s.closeTime;
        a.detectedAt = System.currentTimeMillis();
        a.evidenceJson = evidence(s, score, pairs).toString();
        a.alertId = AlertIds.of(a);
        return a;
    }

    private ObjectNode evidence(ClosedSession s, PathScore score, List<PathScore.PairScore> pairs) {
        ObjectNode e = JSON.createObjectNode();
        if (s.sessionId != null) {
            e.put("session_id", s.sessionId);
        }
        ArrayNode path = e.putArray("path");
        s.path.forEach(path::add);
        e.put("path_truncated", s.truncated);
        e.put("transitions", s.transitions);
        e.put("mean_nll", score.meanNegativeLogLikelihood());
        e.put("min_transitions", minTransitions);
        e.put("smoothing", alpha);
        ArrayNode steps = e.putArray("steps");
        for (PathScore.Step st : score.steps()) {
            steps.addObject().put("from", st.from()).put("to", st.to()).put("p", st.probability())
                    .put("count", st.count()).put("from_total", st.fromTotal());
        }
        e.put("min_state_support", minStateSupport);
        Map<String, UserPairCount> user = new HashMap<>();
        if (s.userPairs != null) {
            s.userPairs.forEach(u -> user.put(u.from + '>' + u.to, u));
        }
        List<PathScore.PairScore> userScores = new ArrayList<>();
        ArrayNode model = e.putArray("model_counts");
        for (PathScore.PairScore p : pairs) {
            UserPairCount u = user.get(p.from() + '>' + p.to());
            double count = u == null ? 0 : u.count;
            double fromTotal = u == null ? 0 : u.fromTotal;
            double userP = UserTransitionModel.probability(count, fromTotal, alpha);
            userScores.add(new PathScore.PairScore(p.from(), p.to(), p.occurrences(), userP, 0, 0));
            model.addObject().put("from", p.from()).put("to", p.to()).put("occurrences", p.occurrences())
                    .put("p", p.probability()).put("count", p.count()).put("from_total", p.fromTotal())
                    .put("user_count", count).put("user_from_total", fromTotal).put("user_p", userP);
        }
        e.put("user_mean_nll", PathScore.meanNegativeLogLikelihood(userScores));
        e.put("user_half_life_ms", userHalfLifeMs);
        return e;
    }
}
