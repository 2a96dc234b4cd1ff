package io.journeycep.pipeline.stages.journeys;

import io.journeycep.patterns.journey.PathScore;
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
import java.util.List;

/**
 * PATH_ANOMALY (DESIGN §3), keyed by session: joins a {@link ClosedSession} with the {@link TransitionAnswer}s of its
 * distinct pairs and, when the watermark passes the session's close time (by then every counter has answered: each
 * answers before forwarding that watermark), scores it: mean negative log-likelihood per transition against the model
 * as it was before the session was counted. An alert when there are at least {@code minTransitions} transitions and
 * the mean is above the threshold. Its state is cleared at that timer, alert or not.
 */
public class PathScorer extends KeyedCoProcessFunction<String, ClosedSession, TransitionAnswer, Alert> {
    private static final long serialVersionUID = 1L;
    public static final String RULE_ID = "path-anomaly";
    public static final int RULE_VERSION = 1;
    private static final Logger LOG = LoggerFactory.getLogger(PathScorer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    static final String SESSION_STATE = "scored-session";
    static final String ANSWERS_STATE = "transition-answers";

    private final int minTransitions;
    private final double threshold;
    private final double alpha;

    private transient ValueState<ClosedSession> session;
    private transient ListState<TransitionAnswer> answers;

    public PathScorer(int minTransitions, double threshold, double alpha) {
        this.minTransitions = minTransitions;
        this.threshold = threshold;
        this.alpha = alpha;
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
        session.clear();
        answers.clear();
        if (s == null || got.size() != s.distinctPairs) { // cannot happen by the watermark argument above
            LOG.warn("session {}: {} transition answers for {}; not scored", ctx.getCurrentKey(), got.size(),
                    s == null ? "no session" : s.distinctPairs + " pairs");
            return;
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
        ArrayNode model = e.putArray("model_counts");
        for (PathScore.PairScore p : pairs) {
            model.addObject().put("from", p.from()).put("to", p.to()).put("occurrences", p.occurrences())
                    .put("p", p.probability()).put("count", p.count()).put("from_total", p.fromTotal());
        }
        return e;
    }
}
