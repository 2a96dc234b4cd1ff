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
    LATE
}
