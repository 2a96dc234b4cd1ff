package io.journeycep.pipeline.stages.velocity;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.velocity.VelocityRule;
import io.journeycep.pipeline.control.ControlMessage;
import io.journeycep.pipeline.ingest.WallClock;
import io.journeycep.sinks.RejectReason;
import io.journeycep.sinks.RejectedEvent;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Collectors;

class VelocityFanOutTest {
    private static final long T0 = 1_795_341_600_000L;
    private static final long NOW = 1_795_400_000_000L;

    private final List<BroadcastOperatorTestHarness<JourneyEvent, ControlMessage, DimensionEvent>> open =
            new ArrayList<>();
    private long offset;

    @AfterEach
    void closeAll() throws Exception {
        for (BroadcastOperatorTestHarness<?, ?, ?> h : open) {
            h.close();
        }
    }

    /** A fan-out instance {@code subtask} of {@code parallelism}, optionally restored. */
    private BroadcastOperatorTestHarness<JourneyEvent, ControlMessage, DimensionEvent> fanOut(
            List<VelocityRule> config, int parallelism, int subtask, OperatorSubtaskState snapshot) throws Exception {
        BroadcastOperatorTestHarness<JourneyEvent, ControlMessage, DimensionEvent> h =
                new BroadcastOperatorTestHarness<>(
                        new CoBroadcastWithNonKeyedOperator<>(new VelocityFanOut(config, WallClock.fixed(NOW)),
                                List.of(RuleBookMirror.DESCRIPTOR)),
                        parallelism, parallelism, subtask);
        if (snapshot != null) {
            h.initializeState(snapshot);
        }
        h.open();
        open.add(h);
        return h;
    }

    private static JourneyEvent event(String id, EventType type) {
        JourneyEvent e = new JourneyEvent();
        e.eventId = id;
        e.type = type;
        e.userId = "u-1";
        e.ip = "203.0.113.5";
        e.cardId = "c-1";
        e.timestamp = T0;
        return e;
    }

    private static VelocityRule searches(int version) {
        return VelocityRule.of("searches-per-user", version, EnumSet.of(EventType.SEARCH), VelocityRule.Dimension.USER,
                VelocityRule.Aggregate.COUNT, null, VelocityRule.Comparison.GTE, 20, Duration.ofMinutes(1),
                VelocityRule.Severity.LOW, null);
    }

    private static VelocityRule logins(int version, double threshold) {
        VelocityRule r = VelocityRule.defaults().get(0).copy();
        r.version = version;
        r.threshold = threshold;
        return r;
    }

    private ControlMessage upsert(VelocityRule rule) {
        long at = offset++;
        return ControlMessage.velocityRule(rule, "kafka:control/0", at, ("upsert " + at).getBytes(StandardCharsets.UTF_8));
    }

    private ControlMessage removal(String id, int version) {
        long at = offset++;
        return ControlMessage.velocityRuleRemoved(id, version, "kafka:control/0", at,
                ("remove " + at).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sends the event; returns what it was fanned out to, as "ruleId vN DIMENSION|value" for each rule in the fan-out's
     * book that the record stands for (the record carries the key and epoch; the rules are the book's).
     */
    private static List<String> route(
            BroadcastOperatorTestHarness<JourneyEvent, ControlMessage, DimensionEvent> h, JourneyEvent e)
            throws Exception {
        int before = h.extractOutputValues().size();
        h.processElement(e, e.timestamp);
        List<DimensionEvent> out = h.extractOutputValues();
        var book = bookOf(h);
        List<String> routes = new ArrayList<>();
        for (DimensionEvent r : out.subList(before, out.size())) {
            assertThat(r.epoch).isEqualTo(book.epoch());
            assertThat(r.event.eventId).isEqualTo(e.eventId);
            List<String> rules = book.rulesInForce().stream()
                    .filter(rule -> rule.dimension == DimensionEvent.dimensionOf(r.key) && rule.matches(e))
                    .map(rule -> rule.ruleId + " v" + rule.version + " " + r.key)
                    .collect(Collectors.toList());
            assertThat(rules).as("a record no rule in force wants: %s", r).isNotEmpty();
            routes.addAll(rules);
        }
        assertThat(out.subList(before, out.size())).extracting(r -> DimensionEvent.dimensionOf(r.key))
                .as("one record per dimension a matching rule wants")
                .containsExactlyInAnyOrderElementsOf(book.rulesInForce().stream().filter(rule -> rule.matches(e))
                        .map(rule -> rule.dimension).distinct().collect(Collectors.toList()));
        return routes;
    }

    /** The fan-out's rule book as it routed the last event. */
    @SuppressWarnings("unchecked")
    private static io.journeycep.patterns.velocity.VelocityRuleBook bookOf(
            BroadcastOperatorTestHarness<JourneyEvent, ControlMessage, DimensionEvent> h) {
        var op = (CoBroadcastWithNonKeyedOperator<JourneyEvent, ControlMessage, DimensionEvent>) h.getOperator();
        return ((VelocityFanOut) op.getUserFunction()).bookInUse();
    }

    private static List<RejectedEvent> deadLetters(BroadcastOperatorTestHarness<?, ?, ?> h) {
        var q = h.getSideOutput(VelocityFanOut.REJECTED);
        return q == null ? List.of() : q.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }

    @Test
    void rulesAreAddedChangedAndRemovedLive() throws Exception {
        var h = fanOut(VelocityRule.defaults(), 1, 0, null);
        assertThat(route(h, event("e1", EventType.LOGIN_FAILED)))
                .containsExactly("login-failed-per-user v1 USER|u-1");
        assertThat(route(h, event("e2", EventType.SEARCH))).isEmpty();

        h.processBroadcastElement(upsert(searches(1)), 0L);
        h.processBroadcastElement(upsert(logins(2, 3)), 0L);
        assertThat(route(h, event("e3", EventType.SEARCH)))
                .containsExactly("searches-per-user v1 USER|u-1");
        assertThat(route(h, event("e4", EventType.LOGIN_FAILED)))
                .containsExactly("login-failed-per-user v2 USER|u-1");

        h.processBroadcastElement(removal("login-failed-per-user", 2), 0L);
        assertThat(route(h, event("e5", EventType.LOGIN_FAILED))).isEmpty();
        assertThat(route(h, event("e6", EventType.PAYMENT_FAILED)))
                .containsExactly("payment-failed-per-card v1 CARD|c-1");
        assertThat(deadLetters(h)).isEmpty();
    }

    @Test
    void staleAndUnknownChangesAreDeadLettersWithReasonAndTheRulesStay() throws Exception {
        var h = fanOut(VelocityRule.defaults(), 1, 0, null);
        h.processBroadcastElement(upsert(logins(2, 3)), 0L); // offset 0, accepted
        h.processBroadcastElement(upsert(logins(2, 9)), 0L); // offset 1, same version: stale
        h.processBroadcastElement(removal("login-failed-per-user", 1), 0L); // offset 2, older: stale
        h.processBroadcastElement(removal("no-such-rule", 1), 0L); // offset 3, unknown

        assertThat(deadLetters(h)).extracting(r -> r.position + " " + r.reason).containsExactly(
                "1 " + RejectReason.STALE_RULE_VERSION, "2 " + RejectReason.STALE_RULE_VERSION,
                "3 " + RejectReason.UNKNOWN_RULE);
        RejectedEvent stale = deadLetters(h).get(0);
        assertThat(stale.source).isEqualTo("kafka:control/0");
        assertThat(new String(stale.raw, StandardCharsets.UTF_8)).isEqualTo("upsert 1");
        assertThat(stale.receivedAt).isEqualTo(NOW);
        assertThat(stale.detail).startsWith("rule.version: 2 is not newer than version 2 of 'login-failed-per-user'");
        assertThat(deadLetters(h).get(1).detail).startsWith("version: 1 is older than version 2");
        assertThat(deadLetters(h).get(2).detail).isEqualTo("rule-id: no velocity rule 'no-such-rule' is in force");

        assertThat(route(h, event("e1", EventType.LOGIN_FAILED)))
                .as("v2 with threshold 3 still in force")
                .containsExactly("login-failed-per-user v2 USER|u-1");
        assertThat(bookOf(h).ruleInForce("login-failed-per-user").threshold).isEqualTo(3);
    }

    @Test
    void onlyInstanceZeroReportsRejectionsButEveryInstanceAppliesTheChanges() throws Exception {
        var zero = fanOut(VelocityRule.defaults(), 2, 0, null);
        var one = fanOut(VelocityRule.defaults(), 2, 1, null);
        for (var h : List.of(zero, one)) {
            offset = 0;
            h.processBroadcastElement(upsert(logins(2, 3)), 0L);
            h.processBroadcastElement(upsert(logins(1, 3)), 0L); // stale
        }
        assertThat(deadLetters(zero)).hasSize(1);
        assertThat(deadLetters(one)).isEmpty();
        assertThat(route(one, event("e1", EventType.LOGIN_FAILED)))
                .containsExactly("login-failed-per-user v2 USER|u-1");
    }

    @Test
    void theRuleBookSurvivesARestoreAndMergesWithTheConfigByVersion() throws Exception {
        var h = fanOut(VelocityRule.defaults(), 1, 0, null);
        h.processBroadcastElement(upsert(logins(2, 3)), 0L);
        h.processBroadcastElement(upsert(searches(1)), 0L);
        h.processBroadcastElement(removal(VelocityRule.PURCHASES_PER_IP, 1), 0L);
        OperatorSubtaskState snapshot = h.snapshot(1L, 1L);

        // restored with the same config: every live change stays, the removal of a config rule included
        var same = fanOut(VelocityRule.defaults(), 1, 0, snapshot);
        JourneyEvent purchase = event("p", EventType.PURCHASE);
        assertThat(route(same, purchase)).isEmpty();
        assertThat(route(same, event("l", EventType.LOGIN_FAILED)))
                .containsExactly("login-failed-per-user v2 USER|u-1");
        assertThat(route(same, event("s", EventType.SEARCH)))
                .containsExactly("searches-per-user v1 USER|u-1");

        // restored with a config that raised login-failed-per-user to v3 and purchases-per-ip to v2: they win
        List<VelocityRule> newer = new ArrayList<>(VelocityRule.defaults());
        newer.set(0, logins(3, 7));
        VelocityRule purchases = newer.get(3).copy();
        purchases.version = 2;
        newer.set(3, purchases);
        var restarted = fanOut(newer, 1, 0, snapshot);
        assertThat(route(restarted, event("l", EventType.LOGIN_FAILED)))
                .containsExactly("login-failed-per-user v3 USER|u-1");
        assertThat(route(restarted, purchase)).containsExactly("purchases-per-ip v2 IP|203.0.113.5");
        assertThat(route(restarted, event("s", EventType.SEARCH)))
                .containsExactly("searches-per-user v1 USER|u-1");
    }

    @Test
    void anIdleControlInputNeitherHoldsBackNorAdvancesEventTime() throws Exception {
        var h = fanOut(VelocityRule.defaults(), 1, 0, null);
        h.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.IDLE);
        h.processBroadcastElement(upsert(searches(1)), 0L); // records flow while the input is idle
        h.processWatermark(new Watermark(T0));
        assertThat(watermarks(h)).containsExactly(T0);
        // the events go idle: event time stays where it was (no jump to the control input's watermark)
        h.getTwoInputOperator().processWatermarkStatus1(WatermarkStatus.IDLE);
        h.getTwoInputOperator().processWatermarkStatus1(WatermarkStatus.ACTIVE);
        h.processWatermark(new Watermark(T0 + 1));
        assertThat(watermarks(h)).containsExactly(T0, T0 + 1);
    }

    private static List<Long> watermarks(BroadcastOperatorTestHarness<?, ?, ?> h) {
        return h.getOutput().stream().filter(o -> o instanceof Watermark).map(o -> ((Watermark) o).getTimestamp())
                .collect(Collectors.toList());
    }

    @Test
    void theBookAndItsEntriesArePojosWithoutKryo() throws Exception {
        var info = org.apache.flink.api.common.typeinfo.TypeInformation.of(
                io.journeycep.patterns.velocity.VelocityRuleBook.Entry.class);
        assertThat(info).isInstanceOf(org.apache.flink.api.java.typeutils.PojoTypeInfo.class);
        var config = new org.apache.flink.api.common.serialization.SerializerConfigImpl();
        config.setGenericTypes(false);
        info.createSerializer(config); // throws if anything needs Kryo
        var message = org.apache.flink.api.common.typeinfo.TypeInformation.of(ControlMessage.class);
        assertThat(message).isInstanceOf(org.apache.flink.api.java.typeutils.PojoTypeInfo.class);
        message.createSerializer(config);
    }
}
