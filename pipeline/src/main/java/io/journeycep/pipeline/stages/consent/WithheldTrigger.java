package io.journeycep.pipeline.stages.consent;

import io.journeycep.sinks.Alert;
import io.journeycep.sinks.SegmentChange;

import java.util.Objects;

/**
 * A trigger the consent guest held back (README "Consent"), as it goes on to be counted ({@link WithheldCounter}):
 * what kind of trigger it was and when, never whose. The record itself is not sent anywhere.
 */
public class WithheldTrigger {
    /** The prefix of a segment ENTER's kind: {@code SEGMENT_ENTER:<segment>}. */
    public static final String SEGMENT_ENTER = "SEGMENT_ENTER:";

    /** The alert kind ({@code CART_ABANDONED}, ...) or {@code SEGMENT_ENTER:<segment>}. */
    public String kind;
    /** The trigger's event time (epoch ms), at which its consent was decided. */
    public long eventTime;

    public WithheldTrigger() {}

    public static WithheldTrigger of(String kind, long eventTime) {
        WithheldTrigger w = new WithheldTrigger();
        w.kind = kind;
        w.eventTime = eventTime;
        return w;
    }

    /** The kind of {@code record}: an alert's kind, a segment change's {@code SEGMENT_<action>:<segment>}. */
    public static String kindOf(Object record) {
        if (record instanceof Alert a) {
            return String.valueOf(a.kind);
        }
        if (record instanceof SegmentChange c) {
            return "SEGMENT_" + c.action + ":" + c.segment;
        }
        return record.getClass().getSimpleName();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WithheldTrigger w && eventTime == w.eventTime && Objects.equals(kind, w.kind);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, eventTime);
    }

    @Override
    public String toString() {
        return "WithheldTrigger{" + kind + " @" + eventTime + '}';
    }
}
