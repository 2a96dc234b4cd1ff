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
    /**
     * The default bound on a price ({@code parser.max-price}): 10<sup>12</sup>, a trillion in the currency's units. No
     * real shop's price reaches it, also in currencies with large nominal values (a car in Vietnamese dong or a house
     * in Iranian rial is some 10<sup>9</sup> to 10<sup>11</sup>), while a runaway value (a price of 1e308, an amount
     * in the wrong unit many times over) is rejected naming the field. Sums of bounded prices stay finite: a cart would
     * need 10<sup>296</sup> items to reach {@code Double.MAX_VALUE}.
     */
    public static final double DEFAULT_MAX_PRICE = 1e12;
    /**
     * The default bound on a quantity ({@code parser.max-quantity}): a million units of one product in one event, far
     * beyond a retail basket and a wholesale order line; {@code 2147483647} (a sentinel, an overflowed counter) is
     * rejected naming the field.
     */
    public static final int DEFAULT_MAX_QUANTITY = 1_000_000;
    /**
     * No bound on a price beyond being finite and not negative (for tests of the bounds' absence; the job's config
     * always has a bound).
     */
    public static final double UNBOUNDED_PRICE = Double.MAX_VALUE;
    /** No bound on a quantity beyond fitting an int. */
    public static final int UNBOUNDED_QUANTITY = Integer.MAX_VALUE;

    private final int maxRecordBytes;
    private final Duration maxFutureSkew;
    private final EventTypeMapping mapping;
    private final WallClock clock;
    private final Pseudonymizer pseudonymizer;
    private final boolean deadLetterRaw;
    private final double maxPrice;
    private final int maxQuantity;

    private ParserSettings(int maxRecordBytes, Duration maxFutureSkew, EventTypeMapping mapping, WallClock clock,
            Pseudonymizer pseudonymizer, boolean deadLetterRaw, double maxPrice, int maxQuantity) {
        if (!(maxPrice >= 0) || Double.isInfinite(maxPrice)) {
            throw new IllegalArgumentException("maxPrice must be a finite number of at least 0, got " + maxPrice);
        }
        if (maxQuantity < 0) {
            throw new IllegalArgumentException("maxQuantity must not be negative, got " + maxQuantity);
        }
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
        this.maxPrice = maxPrice;
        this.maxQuantity = maxQuantity;
    }

    /**
     * 64 KiB records, 1 h future skew, {@link EventTypeMapping#defaults()}, the system clock, prices up to {@link
     * #DEFAULT_MAX_PRICE} and quantities up to {@link #DEFAULT_MAX_QUANTITY}.
     */
    public static ParserSettings defaults() {
        return new ParserSettings(
                DEFAULT_MAX_RECORD_BYTES, DEFAULT_MAX_FUTURE_SKEW, EventTypeMapping.defaults(), WallClock.system(),
                null, true, DEFAULT_MAX_PRICE, DEFAULT_MAX_QUANTITY);
    }

    public ParserSettings withMaxRecordBytes(int maxRecordBytes) {
        return new ParserSettings(maxRecordBytes, maxFutureSkew, mapping, clock, pseudonymizer, deadLetterRaw, maxPrice, maxQuantity);
    }

    public ParserSettings withMaxFutureSkew(Duration maxFutureSkew) {
        return new ParserSettings(maxRecordBytes, maxFutureSkew, mapping, clock, pseudonymizer, deadLetterRaw, maxPrice, maxQuantity);
    }

    public ParserSettings withMapping(EventTypeMapping mapping) {
        return new ParserSettings(maxRecordBytes, maxFutureSkew, mapping, clock, pseudonymizer, deadLetterRaw, maxPrice, maxQuantity);
    }

    public ParserSettings withClock(WallClock clock) {
        return new ParserSettings(maxRecordBytes, maxFutureSkew, mapping, clock, pseudonymizer, deadLetterRaw, maxPrice, maxQuantity);
    }

    /**
     * Pseudonymizes the identifiers of every accepted event (README "Privacy"); {@code null}: none (the default).
     */
    public ParserSettings withPseudonymizer(Pseudonymizer pseudonymizer) {
        return new ParserSettings(maxRecordBytes, maxFutureSkew, mapping, clock, pseudonymizer, deadLetterRaw, maxPrice, maxQuantity);
    }

    /** {@code false}: rejected records go to the dead-letter outputs without their raw bytes (default true). */
    public ParserSettings withDeadLetterRaw(boolean deadLetterRaw) {
        return new ParserSettings(maxRecordBytes, maxFutureSkew, mapping, clock, pseudonymizer, deadLetterRaw, maxPrice, maxQuantity);
    }

    /**
     * A price (any price field the parser reads: {@code price}, {@code total}, {@code revenue}) above this is rejected
     * as {@code BAD_FIELD}, naming the field. Why: sums of finite prices near {@link Double#MAX_VALUE} overflow, and a
     * cart value of {@code Infinity} in alert evidence is no one's cart. {@link #UNBOUNDED_PRICE}: only finiteness.
     */
    public ParserSettings withMaxPrice(double maxPrice) {
        return new ParserSettings(maxRecordBytes, maxFutureSkew, mapping, clock, pseudonymizer, deadLetterRaw, maxPrice,
                maxQuantity);
    }

    /** A quantity above this is rejected as {@code BAD_FIELD}, naming the field; {@link #UNBOUNDED_QUANTITY}: none. */
    public ParserSettings withMaxQuantity(int maxQuantity) {
        return new ParserSettings(maxRecordBytes, maxFutureSkew, mapping, clock, pseudonymizer, deadLetterRaw, maxPrice,
                maxQuantity);
    }

    /** The largest accepted price (inclusive). */
    public double maxPrice() {
        return maxPrice;
    }

    /** The largest accepted quantity (inclusive). */
    public int maxQuantity() {
        return maxQuantity;
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
                + deadLetterRaw + ", maxPrice=" + maxPrice + ", maxQuantity=" + maxQuantity + '}';
    }
}
