package io.journeycep.pipeline.stages.velocity;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.velocity.VelocityRule;
import io.journeycep.patterns.velocity.VelocityRuleBook;
import io.journeycep.pipeline.control.ControlMessage;
import io.journeycep.pipeline.ingest.WallClock;
import io.journeycep.sinks.RejectedEvent;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;

/**
 * The velocity fan-out ({@value VelocityStage#FAN_OUT_UID}): one {@link DimensionEvent} per key dimension that at
 * least one rule in force wants for the event's type and the event has a value for, keyed {@code DIMENSION|value}
 * (at most four per event, whatever the number of rules), stamped with this book's {@link VelocityRuleBook#epoch()
 * epoch} and carrying a {@link DimensionEvent#slim slim} copy of the event; the rules in force are the config's rules
 * plus the changes accepted from the control topic ({@link VelocityRuleBook}, in broadcast state). Which rules see the
 * event is decided by {@link VelocityEvaluator} with its own copy of the book.
 *
 * <p>A change applies to the events this instance processes after it has received the change; Flink does not order
 * the broadcast input against the events, so the switch-over point in the event stream is a matter of processing
 * time (the evaluator's in-flight policy makes that harmless for compatible changes and removals).
 *
 * <p>Rejected changes (a stale version, a removal of a rule not in force) go to {@link #REJECTED} as dead letters
 * and are counted, by parallel instance 0 only: every instance decides the same, and one dead letter per message is
 * wanted. Metrics: {@value #METRIC_ACCEPTED}, {@value #METRIC_REJECTED} (instance 0), gauge {@value #METRIC_RULES}.
 */
public final class VelocityFanOut extends BroadcastProcessFunction<JourneyEvent, ControlMessage, DimensionEvent> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(VelocityFanOut.class);

    public static final String METRIC_ACCEPTED = "controlMessagesAccepted";
    public static final String METRIC_REJECTED = "controlMessagesRejected";
    public static final String METRIC_RULES = "velocityRulesInForce";

    public static final OutputTag<RejectedEvent> REJECTED =
            new OutputTag<>("rejected-velocity-rule-changes", TypeInformation.of(RejectedEvent.class));

    private final RuleBookMirror rules;
    private final WallClock clock;

    private transient boolean reporter;
    private transient Counter accepted;
    private transient Counter rejected;
    private transient volatile int rulesInForce;

    /** @param configRules valid rules with distinct ids, from the config; may be empty (all rules live) */
    public VelocityFanOut(List<VelocityRule> configRules) {
        this(configRules, WallClock.system());
    }

    public VelocityFanOut(List<VelocityRule> configRules, WallClock clock) {
        this.rules = new RuleBookMirror(configRules);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void open(OpenContext openContext) {
        reporter = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0;
        accepted = getRuntimeContext().getMetricGroup().counter(METRIC_ACCEPTED);
        rejected = getRuntimeContext().getMetricGroup().counter(METRIC_REJECTED);
        rulesInForce = rules.configRuleCount();
        getRuntimeContext().getMetricGroup().gauge(METRIC_RULES, (Gauge<Integer>) () -> rulesInForce);
    }

    @Override
    public void processElement(JourneyEvent event, ReadOnlyContext ctx, Collector<DimensionEvent> out)
            throws Exception {
        var state = ctx.getBroadcastState(RuleBookMirror.DESCRIPTOR);
        VelocityRuleBook book = rules.book(state);
        if (event.isErasure()) {
            // to the user's key only (README "Privacy": other dimensions' windows are not the user's state)
            DimensionEvent r = new DimensionEvent();
            r.key = DimensionEvent.keyOf(VelocityRule.Dimension.USER, event.userKey());
            r.epoch = book.epoch();
            r.event = event;
            out.collect(r);
            return;
        }
        if (event.type == null) {
            return;
        }
        rulesInForce = book.rulesInForce().size();
        VelocityRule.Dimension[] dimensions = rules.routing(state).dimensions(event.type);
        JourneyEvent slim = null;
        for (VelocityRule.Dimension d : dimensions) {
            String value = d.valueOf(event);
            if (value != null) {
                if (slim == null) {
                    slim = DimensionEvent.slim(event);
                }
                DimensionEvent r = new DimensionEvent();
                r.key = DimensionEvent.keyOf(d, value);
                r.epoch = book.epoch();
                r.event = slim; // the records of one event share the copy: they are serialized, never mutated
                out.collect(r);
            }
        }
    }

    /** The rule book as of the last element or change this instance processed ({@code null} before); for tests. */
    VelocityRuleBook bookInUse() {
        return rules.current();
    }

    @Override
    public void processBroadcastElement(ControlMessage m, Context ctx, Collector<DimensionEvent> out)
            throws Exception {
        if (!m.isVelocity()) {
            return;
        }
        VelocityRuleBook.Decision d = rules.apply(m, ctx.getBroadcastState(RuleBookMirror.DESCRIPTOR));
        rulesInForce = rules.book(ctx.getBroadcastState(RuleBookMirror.DESCRIPTOR)).rulesInForce().size();
        if (!reporter) {
            return;
        }
        if (d.accepted()) {
            accepted.inc();
            LOG.info("velocity rule change from {} offset {} accepted: {}", m.source, m.position, d.detail());
        } else {
            rejected.inc();
            LOG.warn("velocity rule change from {} offset {} rejected: {}", m.source, m.position, d.detail());
            ctx.output(REJECTED, RejectedEvent.of(m.source, m.position, RuleBookMirror.reasonOf(d), d.detail(), m.raw,
                    clock.nowMillis()));
        }
    }
}
