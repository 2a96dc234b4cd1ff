package io.journeycep.pipeline.stages.identity;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Identity stitching (DESIGN §1): links an anonymous id to a user id and puts the anonymous id's events on the user's
 * key. Keyed by {@link Key}: the anonymous id when the event has one, else the user id.
 *
 * <p><b>Links.</b> Any event that carries both ids links them: a Segment {@code identify} call, or a {@code track}
 * sent after it (clients keep sending the anonymous id). The latest link wins (a shared device that another user
 * logs in on moves to that user). A link is kept until its anonymous id has been silent for {@code link-ttl} of
 * event time (an event-time timer clears it), so state is bounded by the active anonymous ids.
 *
 * <p><b>One output, routed</b> ({@link JourneyEvent#route}): the detectors (patterns, segments, velocity, drift) and the
 * journeys read the same stream, which the user's pass takes whole, so a user's events are shuffled once.
 *
 * <p><b>For the detectors</b> every event is forwarded at once, never held: an anonymous-only event of a linked id at
 * or after the link's event time gets the user id (its key becomes the user's); one before the link keeps the
 * anonymous key, whichever arrived first (the link and the anonymous events reach this operator on different paths, so
 * arrival order is not deterministic, event time is). Marketing triggers and risk alerts do not wait for a link that
 * may never come, so pattern and velocity state built under the anonymous key before a link stays there.
 *
 * <p><b>For the journeys</b> (when holding is on) sessions are re-keyed: the anonymous-only events of an unlinked id go
 * to the detectors only ({@link JourneyEvent#ROUTE_DETECTORS}) and are held (at most {@code max-pending}, as slim
 * copies) until either a link comes, and then they are released to the journeys only ({@link
 * JourneyEvent#ROUTE_JOURNEYS}) with the user id, so the anonymous part and the known part of a visit are one path; or
 * until the watermark passes the last held event by more than the session gap, and then they are released under the
 * anonymous key (a path that never became known). A link that comes after that release is late: the released path
 * stays anonymous (it is already counted), and the link applies to later events. When {@code max-pending} is reached
 * the held events are released under the anonymous key. Released events are behind the watermark; the journeys
 * ({@code JourneyGuest}) order them by event time at the next watermark. {@code identify} calls are not steps of a
 * journey: they link, and the journeys skip them.
 *
 * <p><b>Erasure markers</b> (README "Privacy"): a marker for {@code anon:<id>} deletes that anonymous id's link, held
 * events and timers; links of anonymous ids the request does not name are kept (see the README). Markers go on
 * unchanged, to both.
 *
 * <p>Counters: {@code identityLinks} (new or changed links), {@code identityRekeyed} (held events released to a
 * user), {@code identityExpired} (links forgotten).
 */
public class IdentityStitcher extends KeyedProcessFunction<String, JourneyEvent, JourneyEvent> {
    private static final long serialVersionUID = 1L;

    static final String IDENTITY_STATE = "anonymous-identity";
    static final String PENDING_STATE = "pending-anonymous-events";

    private final boolean holdForJourneys;
    private final long sessionGapMs;
    private final long linkTtlMs;
    private final int maxPending;

    private transient ValueState<AnonymousIdentity> identity;
    private transient ListState<JourneyEvent> pending;
    private transient Counter links;
    private transient Counter rekeyed;
    private transient Counter expired;

    /**
     * The stitcher's key: {@code a:<anonymousId>} when the event has an anonymous id, else {@code u:<userId>}. Not a
     * user key ({@code UserKeys}): an event with both ids is keyed by its anonymous id here. Both kinds are prefixed,
     * so a user id (such as {@code a:x}) never reaches an anonymous id's link.
     */
    public static final class Key implements KeySelector<JourneyEvent, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(JourneyEvent e) {
            return e.anonymousId != null ? "a:" + e.anonymousId : "u:" + e.userId;
        }
    }

    /**
     * @param holdForJourneys whether to hold anonymous paths for the journeys until a link (journeys on)
     * @param sessionGapMs the journeys' session gap: held events are released as anonymous this long after the last
     * @param linkTtlMs how long a link outlives its anonymous id's last event
     * @param maxPending held events per anonymous id, at most (0: none are held, paths are never re-keyed)
     */
    public IdentityStitcher(boolean holdForJourneys, long sessionGapMs, long linkTtlMs, int maxPending) {
        if (sessionGapMs <= 0 || linkTtlMs <= sessionGapMs || maxPending < 0) {
            throw new IllegalArgumentException("need 0 < session gap < link ttl and max pending >= 0, was "
                    + sessionGapMs + ", " + linkTtlMs + ", " + maxPending);
        }
        this.holdForJourneys = holdForJourneys;
        this.sessionGapMs = sessionGapMs;
        this.linkTtlMs = linkTtlMs;
        this.maxPending = maxPending;
    }

    /**
     * A Segment {@code identify} or {@code alias} call (an alias's {@code previousId} is its anonymous id), which links
     * ids, or a {@code group} call, which attaches the user to an account: none is a step of the user's journey.
     */
    public static boolean isNoJourneyStepCall(JourneyEvent e) {
        return e.type == EventType.OTHER && ("identify".equals(e.sourceEventName) || "alias".equals(e.sourceEventName)
                || e.isGroupCall());
    }

    @Override
    public void open(OpenContext openContext) {
        identity = getRuntimeContext().getState(new ValueStateDescriptor<>(IDENTITY_STATE, AnonymousIdentity.class));
        pending = getRuntimeContext().getListState(new ListStateDescriptor<>(PENDING_STATE, JourneyEvent.class));
        links = getRuntimeContext().getMetricGroup().counter("identityLinks");
        rekeyed = getRuntimeContext().getMetricGroup().counter("identityRekeyed");
        expired = getRuntimeContext().getMetricGroup().counter("identityExpired");
    }

    @Override
    public void processElement(JourneyEvent e, Context ctx, Collector<JourneyEvent> out) throws Exception {
        if (e.isErasure()) {
            erase(e, ctx, out);
            return;
        }
        if (e.anonymousId == null) {
            out.collect(e);
            return;
        }
        AnonymousIdentity s = identity.value();
        if (s == null) {
            s = new AnonymousIdentity();
        }
        s.lastSeen = Math.max(s.lastSeen, e.timestamp);
        if (e.userId != null) {
            if (!e.userId.equals(s.userId)) {
                links.inc();
                s.userId = e.userId;
                s.linkedAt = e.timestamp;
            } else {
                s.linkedAt = Math.min(s.linkedAt, e.timestamp);
            }
            release(s, e.userId, ctx, out);
            keepLink(s, ctx);
            out.collect(e);
        } else if (s.userId != null && e.timestamp >= s.linkedAt) {
            keepLink(s, ctx);
            out.collect(withUser(e, s.userId));
        } else if (s.userId != null) {
            // before the link in event time, arriving after it (another path, another partition): the detectors get
            // it under the anonymous key, as if it had come first; the journeys under the user
            keepLink(s, ctx);
            if (holdForJourneys && !isNoJourneyStepCall(e)) {
                e.route = JourneyEvent.ROUTE_DETECTORS;
                out.collect(e);
                JourneyEvent journeyStep = withUser(e, s.userId);
                journeyStep.route = JourneyEvent.ROUTE_JOURNEYS;
                out.collect(journeyStep);
            } else {
                out.collect(e);
            }
        } else if (holdForJourneys && !isNoJourneyStepCall(e)) {
            if (s.pending >= maxPending) {
                release(s, null, ctx, out); // the held path first, then this event, to both
                out.collect(e);
            } else {
                e.route = JourneyEvent.ROUTE_DETECTORS;
                out.collect(e);
                hold(s, e, ctx);
            }
        } else {
            out.collect(e);
        }
        save(s);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<JourneyEvent> out) throws Exception {
        AnonymousIdentity s = identity.value();
        if (s == null) {
            return;
        }
        if (s.releaseTimer == timestamp) {
            s.releaseTimer = AnonymousIdentity.NO_TIMER;
            release(s, null, ctx, out); // the watermark passed the held path's end by more than the gap: it stays anonymous
        }
        if (s.expiryTimer == timestamp) {
            s.expiryTimer = AnonymousIdentity.NO_TIMER;
            if (s.userId != null) {
                if (timestamp > s.lastSeen + linkTtlMs) {
                    s.userId = null;
                    s.linkedAt = Long.MIN_VALUE;
                    expired.inc();
                } else {
                    keepLink(s, ctx); // seen since the timer was set: one timer per id, moved lazily
                }
            }
        }
        save(s);
    }

    /**
     * An erasure marker: under an anonymous id's key, its link, held events and timers are deleted (nothing is
     * released); under a user's key there is no state. Either way the marker goes on, unchanged.
     */
    private void erase(JourneyEvent marker, Context ctx, Collector<JourneyEvent> out) throws Exception {
        AnonymousIdentity s = identity.value();
        if (s != null) {
            if (s.releaseTimer != AnonymousIdentity.NO_TIMER) {
                ctx.timerService().deleteEventTimeTimer(s.releaseTimer);
            }
            if (s.expiryTimer != AnonymousIdentity.NO_TIMER) {
                ctx.timerService().deleteEventTimeTimer(s.expiryTimer);
            }
        }
        identity.clear();
        pending.clear();
        out.collect(marker);
    }

    private void hold(AnonymousIdentity s, JourneyEvent e, Context ctx) throws Exception {
        pending.add(slim(e));
        s.pending++;
        s.pendingLastTime = Math.max(s.pendingLastTime, e.timestamp);
        long wanted = s.pendingLastTime + sessionGapMs + 1;
        if (s.releaseTimer != wanted) {
            deleteReleaseTimer(s, ctx);
            ctx.timerService().registerEventTimeTimer(wanted);
            s.releaseTimer = wanted;
        }
    }

    /** Emits the held events to the journeys, with {@code userId} when linked (else anonymous), and forgets them. */
    private void release(AnonymousIdentity s, String userId, Context ctx, Collector<JourneyEvent> out) throws Exception {
        if (s.pending == 0) {
            return;
        }
        List<JourneyEvent> held = new ArrayList<>();
        Iterable<JourneyEvent> all = pending.get();
        if (all != null) {
            all.forEach(held::add);
        }
        held.sort(Comparator.comparingLong((JourneyEvent h) -> h.timestamp).thenComparingLong(h -> h.position));
        for (JourneyEvent h : held) {
            h.userId = userId;
            h.route = JourneyEvent.ROUTE_JOURNEYS;
            out.collect(h);
        }
        if (userId != null) {
            rekeyed.inc(held.size());
        }
        pending.clear();
        s.pending = 0;
        s.pendingLastTime = Long.MIN_VALUE;
        deleteReleaseTimer(s, ctx);
    }

    private void deleteReleaseTimer(AnonymousIdentity s, Context ctx) {
        // timers are one per (key, time): keep it when the expiry timer shares the time
        if (s.releaseTimer != AnonymousIdentity.NO_TIMER && s.releaseTimer != s.expiryTimer) {
            ctx.timerService().deleteEventTimeTimer(s.releaseTimer);
        }
        s.releaseTimer = AnonymousIdentity.NO_TIMER;
    }

    private void keepLink(AnonymousIdentity s, Context ctx) {
        if (s.expiryTimer == AnonymousIdentity.NO_TIMER) {
            s.expiryTimer = s.lastSeen + linkTtlMs + 1;
            ctx.timerService().registerEventTimeTimer(s.expiryTimer);
        }
    }

    private void save(AnonymousIdentity s) throws Exception {
        if (s.userId == null && s.pending == 0) {
            identity.clear(); // an unlinked id with nothing held needs no state (its timers are gone too)
        } else {
            identity.update(s);
        }
    }

    private static JourneyEvent withUser(JourneyEvent e, String userId) {
        JourneyEvent c = copy(e);
        c.userId = userId;
        return c;
    }

    /** What the journeys read of a held event: ids, type, session, time, position. */
    private static JourneyEvent slim(JourneyEvent e) {
        JourneyEvent c = new JourneyEvent();
        c.eventId = e.eventId;
        c.type = e.type;
        c.sourceEventName = e.sourceEventName;
        c.anonymousId = e.anonymousId;
        c.sessionId = e.sessionId;
        c.timestamp = e.timestamp;
        c.source = e.source;
        c.position = e.position;
        return c;
    }

    private static JourneyEvent copy(JourneyEvent e) {
        JourneyEvent c = slim(e);
        c.userId = e.userId;
        c.itemId = e.itemId;
        c.categoryId = e.categoryId;
        c.price = e.price;
        c.currency = e.currency;
        c.quantity = e.quantity;
        c.ip = e.ip;
        c.deviceId = e.deviceId;
        c.cardId = e.cardId;
        c.groupId = e.groupId;
        c.groupTraitNames = e.groupTraitNames;
        c.groupTraitValues = e.groupTraitValues;
        c.consentGranted = e.consentGranted;
        return c;
    }
}
