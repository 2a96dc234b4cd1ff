package io.journeycep.sinks;

/** What a segment change does to a user's membership (DESIGN §4 {@code segment_changes.action}). */
public enum SegmentAction {
    ENTER,
    EXIT
}
