package io.journeycep.pipeline.ingest;

import io.journeycep.sinks.RejectReason;

/** Internal control flow of the parsers: a record is rejected for {@link #reason}. Never escapes the parsers. */
final class RejectException extends Exception {
    private static final long serialVersionUID = 1L;

    final RejectReason reason;

    RejectException(RejectReason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }
}
