package io.journeycep.pipeline.ingest;

import io.journeycep.model.EventTypeMapping;
import io.journeycep.model.JourneyEvent;
import io.journeycep.pipeline.privacy.Pseudonymizer;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Limits and tables used by {@link EventParser} and {@link CsvEventParser}. Immutable and serializable; the
 * {@code with…} methods return modified copies.
 */
public final class ParserSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_MAX_RECORD_BYTES = 65536;
    public static final Duration DEFAULT_MAX_FUTURE_SKEW = Duration.ofHours(1);

    private final int maxRecordBytes;
    private final Duration maxFutureSkew;
    private final EventTypeMapping mapping;
    private final WallClock clock;
    private final Pseudonymizer pseudonymizer;
    private final boolean deadLetterRaw;

    private ParserSettings(int maxRecordBytes, Duration maxFutureSkew, EventTypeMapping mapping, WallClock clock,
            Pseudonymizer pseudonymizer, boolean deadLetterRaw) {
        if (maxRecordBytes <= 0) {
            throw new IllegalArgumentException("maxRecordBytes must be positive, got " + maxRecordBytes);
        }
        Objects.requireNonNull(maxFutureSkew, "maxFutureSkew");
        if (maxFutureSkew.isNegative()) {
            throw new IllegalArgumentException("maxFutureSkew must not be negative, got " + maxFutureSkew);
        }
        try {
            maxFutureSkew.toMillis();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("maxFutureSkew is too large: " + maxFutureSkew);
        }
        this.maxRecordBytes = maxRecordBytes;
        this.maxFutureSkew = maxFutureSkew;
        this.mapping = Objects.requireNonNull(mapping, "mapping");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.pseudonymizer = pseudonymizer;
        this.deadLetterRaw = deadLetterRaw;
    }

    /** 64 KiB records, 1 h future skew, {@link EventTypeMapping#defaults()}, the system clock. */
    public static ParserSettings defaults() {
        return new ParserSettings(
                DEFAULT_MAX_RECORD_BYTES, DEFAULT_MAX_FUTURE_SKEW, EventTypeMapping.defaults(), WallClock.system(),
                null, true);
    }

    public ParserSettings withMaxRecordBytes(int maxRecordBytes) {
        return new ParserSettings(maxRecordBytes, maxFutureSkew, mapping, clock, pseudonymizer, deadLetterRaw);
    }

    public ParserSettings withMaxFutureSkew(Duration maxFutureSkew) {
        return new ParserSettings(maxRecordBytes, maxFutureSkew, mapping, clock, pseudonymizer, deadLetterRaw);
    }

    public ParserSettings withMapping(EventTypeMapping mapping) {
        return new ParserSettings(maxRecordBytes, maxFutureSkew, mapping, clock, pseudonymizer, deadLetterRaw);
    }

    public ParserSettings withClock(WallClock clock) {
        return new ParserSettings(maxRecordBytes, maxFutureSkew, mapping, clock, pseudonymizer, deadLetterRaw);
    }

    /**
     * Pseudonymizes the identifiers of every accepted event (README "Privacy"); {@code null}: none (the default).
     */
    public ParserSettings withPseudonymizer(Pseudonymizer pseudonymizer) {
        return new ParserSettings(maxRecordBytes, maxFutureSkew, mapping, clock, pseudonymizer, deadLetterRaw);
    }

    /** {@code false}: rejected records go to the dead-letter outputs without their raw bytes (default true). */
    public ParserSettings withDeadLetterRaw(boolean deadLetterRaw) {
        return new ParserSettings(maxRecordBytes, maxFutureSkew, mapping, clock, pseudonymizer, deadLetterRaw);
    }

    /** The pseudonymizer, or {@code null} when identifiers are passed on as they are. */
    public Pseudonymizer pseudonymizer() {
        return pseudonymizer;
    }

    /** Whether a rejection keeps the record's raw bytes. */
    public boolean deadLetterRaw() {
        return deadLetterRaw;
    }

    /** An accepted event as it leaves the parser: pseudonymized when configured. */
    JourneyEvent accept(JourneyEvent event) {
        return pseudonymizer == null ? event : pseudonymizer.apply(event);
    }

    /** Records larger than this many bytes are rejected as {@code TOO_LARGE} without being parsed. */
    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    /** Event times more than this ahead of the wall clock are rejected as {@code FUTURE_TIME}. */
    public Duration maxFutureSkew() {
        return maxFutureSkew;
    }

    public EventTypeMapping mapping() {
        return mapping;
    }

    public WallClock clock() {
        return clock;
    }

    @Override
    public String toString() {
        return "ParserSettings{maxRecordBytes=" + maxRecordBytes + ", maxFutureSkew=" + maxFutureSkew
                + ", pseudonymizer=" + (pseudonymizer == null ? "off" : pseudonymizer) + ", deadLetterRaw="
                + deadLetterRaw + '}';
    }
}
