package io.journeycep.pipeline.stages.journeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertKind;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * Harness tests of {@link PathScorer}: a session is scored only with enough support for every from-state; one above
 * the threshold alerts, with the user's own model beside the global one in the evidence.
 */
class PathScorerTest {
    private static final long CLOSE = 1_000_000L;
    private static final long DAY = 86_400_000L;
    private static final double ALPHA = 1.0;

    private static KeyedTwoInputStreamOperatorTestHarness<String, ClosedSession, TransitionAnswer, Alert> harness()
            throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(
                new KeyedCoProcessOperator<>(new PathScorer(4, 2.0, ALPHA, 100, 30 * DAY)),
                (ClosedSession s) -> s.sessionKey, (TransitionAnswer a) -> a.sessionKey, Types.STRING);
        h.open();
        return h;
    }

    /** START → purchase → purchase → purchase → EXIT, by a user who did START → purchase twice before. */
    private static ClosedSession session() {
        ClosedSession s = new ClosedSession();
        s.sessionKey = "u1|p0";
        s.userKey = "u1";
        s.firstTime = CLOSE - 60_000;
        s.lastTime = CLOSE - 30_000;
        s.closeTime = CLOSE;
        s.transitions = 4;
        s.distinctPairs = 3;
        s.path = List.of("START", "purchase", "purchase", "purchase", "EXIT");
        s.eventIds = List.of("p0", "p1", "p2");
        s.userPairs = List.of(new UserPairCount("START", "purchase", 1.5, 2.0),
                new UserPairCount("purchase", "EXIT", 0, 0), new UserPairCount("purchase", "purchase", 0, 0));
        return s;
    }

    private static TransitionAnswer answer(String from, String to, long occurrences, long count, long fromTotal) {
        TransitionAnswer a = new TransitionAnswer();
        a.sessionKey = "u1|p0";
        a.closeTime = CLOSE;
        a.from = from;
        a.to = to;
        a.occurrences = occurrences;
        a.count = count;
        a.fromTotal = fromTotal;
        a.probability = (count + ALPHA) / (fromTotal + 13 * ALPHA);
        return a;
    }

    private static List<Alert> run(long purchaseSupport) throws Exception {
        try (var h = harness()) {
            h.processElement1(new StreamRecord<>(session(), CLOSE));
            h.processElement2(new StreamRecord<>(answer("START", "purchase", 1, 0, 500), CLOSE));
            h.processElement2(new StreamRecord<>(answer("purchase", "purchase", 2, 0, purchaseSupport), CLOSE));
            h.processElement2(new StreamRecord<>(answer("purchase", "EXIT", 1, purchaseSupport, purchaseSupport),
                    CLOSE));
            h.processBothWatermarks(new Watermark(CLOSE));
            assertThat(h.numKeyedStateEntries()).as("state cleared, alert or not").isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            return h.extractOutputValues();
        }
    }

    @Test
    void answersThatComeAfterTheWatermarkPassedTheCloseTimeAreWaitedFor() throws Exception {
        try (var h = harness()) {
            h.processElement1(new StreamRecord<>(session(), CLOSE));
            h.processWatermark1(new Watermark(CLOSE + 10));
            h.processWatermark2(new Watermark(CLOSE + 10)); // an idle channel let the counters' watermark pass
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.numEventTimeTimers()).as("waiting for the next watermark").isEqualTo(1);
            h.processElement2(new StreamRecord<>(answer("START", "purchase", 1, 0, 500), CLOSE));
            h.processElement2(new StreamRecord<>(answer("purchase", "purchase", 2, 0, 500), CLOSE));
            h.processElement2(new StreamRecord<>(answer("purchase", "EXIT", 1, 500, 500), CLOSE));
            h.processWatermark1(new Watermark(CLOSE + 20));
            h.processWatermark2(new Watermark(CLOSE + 20));
            assertThat(h.extractOutputValues()).as("scored once the answers came").hasSize(1);
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void aSessionWhoseAnswersNeverComeIsGivenUpAfterAFewWatermarks() throws Exception {
        try (var h = harness()) {
            h.processElement1(new StreamRecord<>(session(), CLOSE));
            for (int i = 1; i <= PathScorer.MAX_SCORE_WAITS + 1; i++) {
                h.processWatermark1(new Watermark(CLOSE + i * 10));
                h.processWatermark2(new Watermark(CLOSE + i * 10));
            }
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void aSessionWithAFromStateBelowTheMinimumSupportIsNotScored() throws Exception {
        // purchase has 99 counted transitions before the session: the same unusual path, no alert
        assertThat(run(99)).isEmpty();
    }

    @Test
    void aSessionAboveTheThresholdWithSupportAlertsAndShowsTheUsersOwnModel() throws Exception {
        List<Alert> alerts = run(100);
        assertThat(alerts).hasSize(1);
        Alert a = alerts.get(0);
        assertThat(a.kind).isEqualTo(AlertKind.PATH_ANOMALY);
        assertThat(a.threshold).isEqualTo(2.0);
        // START→purchase 1/513, purchase→purchase (twice) 1/113, purchase→EXIT 101/113
        double expected = -(Math.log(1.0 / 513) + 2 * Math.log(1.0 / 113) + Math.log(101.0 / 113)) / 4;
        assertThat(a.score).isCloseTo(expected, offset(1e-12)).isGreaterThan(2.0);

        JsonNode e = new ObjectMapper().readTree(a.evidenceJson);
        assertThat(e.get("min_state_support").asLong()).isEqualTo(100);
        JsonNode model = e.get("model_counts");
        assertThat(model).hasSize(3);
        JsonNode start = model.get(0);
        assertThat(start.get("from").asText() + ">" + start.get("to").asText()).isEqualTo("START>purchase");
        assertThat(start.get("count").asLong()).isZero();
        assertThat(start.get("from_total").asLong()).isEqualTo(500);
        assertThat(start.get("user_count").asDouble()).isEqualTo(1.5);
        assertThat(start.get("user_from_total").asDouble()).isEqualTo(2.0);
        double userStart = (1.5 + 1) / (2.0 + 13);
        assertThat(start.get("user_p").asDouble()).isCloseTo(userStart, offset(1e-12));
        JsonNode repeat = model.get(2);
        assertThat(repeat.get("to").asText()).isEqualTo("purchase");
        assertThat(repeat.get("user_count").asDouble()).isZero();
        assertThat(repeat.get("user_p").asDouble()).isCloseTo(1.0 / 13, offset(1e-12));
        // the user's mean NLL: START→purchase from their own history, the rest uniform (no history)
        double userMean = -(Math.log(userStart) + 3 * Math.log(1.0 / 13)) / 4;
        assertThat(e.get("user_mean_nll").asDouble()).isCloseTo(userMean, offset(1e-12));
        assertThat(e.get("user_half_life_ms").asLong()).isEqualTo(30 * DAY);
    }

    @Test
    void aSupportedSessionBelowTheThresholdDoesNotAlert() throws Exception {
        try (var h = harness()) {
            ClosedSession s = session();
            h.processElement1(new StreamRecord<>(s, CLOSE));
            h.processElement2(new StreamRecord<>(answer("START", "purchase", 1, 400, 500), CLOSE));
            h.processElement2(new StreamRecord<>(answer("purchase", "purchase", 2, 60, 200), CLOSE));
            h.processElement2(new StreamRecord<>(answer("purchase", "EXIT", 1, 100, 200), CLOSE));
            h.processBothWatermarks(new Watermark(CLOSE));
            assertThat(h.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void closedSessionWithTheUsersPairsIsAFlinkPojo() throws Exception {
        TypeInformation<ClosedSession> info = TypeInformation.of(ClosedSession.class);
        assertThat(info).isInstanceOf(PojoTypeInfo.class);
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        TypeSerializer<ClosedSession> serializer = info.createSerializer(config); // throws if anything needs Kryo
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(session(), out);
        ClosedSession back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back.userPairs).extracting(UserPairCount::toString)
                .containsExactly("START>purchase 1.5/2.0", "purchase>EXIT 0.0/0.0", "purchase>purchase 0.0/0.0");
        assertThat(back.path).isEqualTo(session().path);
    }
}
