package io.journeycep.sinks;

/** Why a record went to the dead-letter output. The names are the public reason codes. */
public enum RejectReason {
    /** Not parseable as JSON (or as a CSV row of the configured mapping). */
    MALFORMED,
    /** Bytes are not valid UTF-8. */
    BAD_ENCODING,
    /** Larger than the configured record size limit. */
    TOO_LARGE,
    /** JSON, but neither the Segment/RudderStack shape nor the flat shape. */
    UNKNOWN_SHAPE,
    /** No user id and no anonymous id. */
    MISSING_USER,
    /** No event time. */
    MISSING_TIME,
    /** An event time that does not parse. */
    BAD_TIME,
    /** An event time further in the future than the configured bound. */
    FUTURE_TIME,
    /** No event name/type. */
    MISSING_TYPE,
    /** A field of the wrong type or out of range (for example a price that is not a finite number). */
    BAD_FIELD,
    /** A valid event that arrived after the watermark had passed it by more than the allowed lateness. */
    LATE,
    /**
     * A control-topic message that cannot be used: not JSON, an unknown {@code type}, a missing or invalid field (for
     * a rule: any error its config form would have). The rules in force stay as they were.
     */
    BAD_CONTROL_MESSAGE,
    /**
     * A control-topic rule change whose version is not newer than the version in force (an upsert), or older than it
     * (a removal). The rules in force stay as they were.
     */
    STALE_RULE_VERSION,
    /** A control-topic removal of a rule id that has no rule in force (never added, or already removed). */
    UNKNOWN_RULE
}
