package io.journeycep.patterns.velocity;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A velocity rule (DESIGN §3 VELOCITY, issue 3): over the events of the given {@link #eventTypes}, grouped by the
 * {@link #dimension} value, the {@link #aggregate} over an event-time sliding {@link #windowMs window} is compared
 * with the {@link #threshold}.
 *
 * <ul>
 *   <li><b>Window</b>: at event time {@code t} the window holds the rule's events with timestamp in
 *       {@code [t − window, t]}, both ends inclusive (DESIGN §3: "boundaries are inclusive"; two events exactly one
 *       window apart are in one window).
 *   <li><b>Aggregate</b>: {@code COUNT} of events; {@code DISTINCT_COUNT} of the distinct non-null values of a text
 *       {@link VelocityField} ({@code userId, ip, deviceId, cardId, itemId, categoryId, sessionId}); {@code SUM} of
 *       a numeric field ({@code price, quantity}), computed exactly in decimal. An event without the field (or, for
 *       sums, with a negative, NaN or infinite value) does not contribute to {@code DISTINCT_COUNT}/{@code SUM}.
 *   <li><b>Dimension</b>: the key the window is per: {@code USER} ({@link JourneyEvent#userKey()}), {@code IP},
 *       {@code DEVICE}, {@code CARD}. Events without a value for the dimension are not seen by the rule.
 *   <li><b>Alert</b>: once per crossing, with a cool-down; see {@link VelocityDetector}.
 *   <li><b>Cool-down</b>: {@link #cooldownMs}; when {@code null} it defaults to the rule's window (at most one alert
 *       per key per window length). {@code 0} means one alert per crossing with no extra suppression.
 * </ul>
 *
 * <p>A Flink POJO (public fields, no-arg constructor; times as epoch-free millisecond longs, not {@link Duration},
 * which Flink would serialize with Kryo). Call {@link #validate()} before use. Also {@link Serializable}, so functions
 * can hold the rules they were built with (the fan-out of the velocity stage).
 */
public class VelocityRule implements Serializable {
    private static final long serialVersionUID = 1L;

    public enum Dimension {
        USER,
        IP,
        DEVICE,
        CARD;

        /** The event's value for this dimension, or {@code null} when it has none. */
        public String valueOf(JourneyEvent e) {
            switch (this) {
                case USER:
                    return e.userId != null || e.anonymousId != null ? e.userKey() : null;
                case IP:
                    return e.ip;
                case DEVICE:
                    return e.deviceId;
                case CARD:
                    return e.cardId;
                default:
                    throw new IllegalStateException(name());
            }
        }
    }

    public enum Aggregate {
        COUNT,
        DISTINCT_COUNT,
        SUM
    }

    public enum Comparison {
        /** {@code >=}: at or above the threshold. */
        GTE(">="),
        /** {@code >}: strictly above the threshold. */
        GT(">");

        private final String symbol;

        Comparison(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }

        public boolean holds(BigDecimal value, BigDecimal threshold) {
            int c = value.compareTo(threshold);
            return this == GTE ? c >= 0 : c > 0;
        }
    }

    public enum Severity {
        LOW,
        MEDIUM,
        HIGH,
        CRITICAL
    }

    /** The longest window a rule may have: keeps state bounded by the traffic of one year per key at most. */
    public static final Duration MAX_WINDOW = Duration.ofDays(366);

    public String ruleId;
    public int version;
    public Set<EventType> eventTypes;
    public Dimension dimension;
    public Aggregate aggregate;
    /** The aggregated field: required for {@code DISTINCT_COUNT} and {@code SUM}, absent for {@code COUNT}. */
    public VelocityField field;
    public Comparison comparison = Comparison.GTE;
    public double threshold;
    /** Window length in ms ({@code > 0}). */
    public long windowMs;
    public Severity severity = Severity.MEDIUM;
    /** Cool-down in ms ({@code >= 0}); {@code null} means "equal to the window". */
    public Long cooldownMs;

    public VelocityRule() {}

    public static VelocityRule of(
            String ruleId,
            int version,
            Set<EventType> eventTypes,
            Dimension dimension,
            Aggregate aggregate,
            VelocityField field,
            Comparison comparison,
            double threshold,
            Duration window,
            Severity severity,
            Duration cooldown) {
        VelocityRule r = new VelocityRule();
        r.ruleId = ruleId;
        r.version = version;
        r.eventTypes = eventTypes == null ? null : new LinkedHashSet<>(eventTypes);
        r.dimension = dimension;
        r.aggregate = aggregate;
        r.field = field;
        r.comparison = comparison;
        r.threshold = threshold;
        r.windowMs = window == null ? 0L : window.toMillis();
        r.severity = severity;
        r.cooldownMs = cooldown == null ? null : cooldown.toMillis();
        return r;
    }

    // ---- the defaults of issue 3 ----

    /** ≥ 5 {@code login_failed} per user in 10 min. */
    public static final String LOGIN_FAILED_PER_USER = "login-failed-per-user";
    /** ≥ 3 {@code payment_failed} per card in 1 h. */
    public static final String PAYMENT_FAILED_PER_CARD = "payment-failed-per-card";
    /** ≥ 4 distinct users per device in 24 h (over every event type that carries a device). */
    public static final String DISTINCT_USERS_PER_DEVICE = "distinct-users-per-device";
    /** ≥ 10 purchases per IP in 1 h. */
    public static final String PURCHASES_PER_IP = "purchases-per-ip";

    /** The four default rules of issue 3, version 1, fresh mutable copies on each call. */
    public static List<VelocityRule> defaults() {
        List<VelocityRule> rules = new ArrayList<>();
        rules.add(of(LOGIN_FAILED_PER_USER, 1, EnumSet.of(EventType.LOGIN_FAILED), Dimension.USER, Aggregate.COUNT,
                null, Comparison.GTE, 5, Duration.ofMinutes(10), Severity.HIGH, null));
        rules.add(of(PAYMENT_FAILED_PER_CARD, 1, EnumSet.of(EventType.PAYMENT_FAILED), Dimension.CARD,
                Aggregate.COUNT, null, Comparison.GTE, 3, Duration.ofHours(1), Severity.HIGH, null));
        rules.add(of(DISTINCT_USERS_PER_DEVICE, 1, EnumSet.complementOf(EnumSet.of(EventType.OTHER)),
                Dimension.DEVICE, Aggregate.DISTINCT_COUNT, VelocityField.USER_ID, Comparison.GTE, 4,
                Duration.ofHours(24), Severity.MEDIUM, null));
        rules.add(of(PURCHASES_PER_IP, 1, EnumSet.of(EventType.PURCHASE), Dimension.IP, Aggregate.COUNT, null,
                Comparison.GTE, 10, Duration.ofHours(1), Severity.MEDIUM, null));
        return rules;
    }

    // ---- derived ----

    public Duration window() {
        return Duration.ofMillis(windowMs);
    }

    /** The cool-down in ms: {@link #cooldownMs}, or the window when that is {@code null}. */
    public long effectiveCooldownMs() {
        return cooldownMs == null ? windowMs : cooldownMs;
    }

    /** The threshold as an exact decimal ({@link BigDecimal#valueOf(double)}: {@code 0.3} is exactly 0.3). */
    public BigDecimal thresholdDecimal() {
        return BigDecimal.valueOf(threshold);
    }

    /** Whether the rule looks at this event at all: its type is one of the rule's and it has a dimension value. */
    public boolean matches(JourneyEvent e) {
        return e != null && e.type != null && eventTypes != null && eventTypes.contains(e.type)
                && dimension != null && dimension.valueOf(e) != null;
    }

    /** {@code ruleId|dimensionValue}: the key the evaluator is keyed by; {@code null} if the event has no value. */
    public String keyOf(JourneyEvent e) {
        String v = dimension.valueOf(e);
        return v == null ? null : ruleId + '|' + v;
    }

    /**
     * Whether windows built for {@code other} are the same windows under this rule: same event types, dimension,
     * aggregate, field and window length. Then a key's window and crossing state stay valid when the rule changes from
     * one to the other (only threshold, comparison, severity or cool-down differ); otherwise the state of the older
     * one means nothing under the newer one (see the in-flight policy of the velocity evaluator).
     */
    public boolean sameWindowsAs(VelocityRule other) {
        return other != null
                && Objects.equals(eventTypes, other.eventTypes)
                && dimension == other.dimension
                && aggregate == other.aggregate
                && field == other.field
                && windowMs == other.windowMs;
    }

    /** A one-line description, for example {@code count(login_failed) per USER >= 5 in PT10M}. */
    public String describe() {
        StringBuilder types = new StringBuilder();
        if (eventTypes != null) {
            for (EventType t : eventTypes) {
                types.append(types.length() == 0 ? "" : ",").append(t == null ? "null" : t.wireName());
            }
        }
        String agg = aggregate == null ? "?" : aggregate.name().toLowerCase(java.util.Locale.ROOT);
        String what = field == null ? types.toString() : field.wireName() + " of " + types;
        return agg + '(' + what + ") per " + dimension + ' ' + (comparison == null ? "?" : comparison.symbol())
                + ' ' + BigDecimal.valueOf(threshold).stripTrailingZeros().toPlainString() + " in " + window();
    }

    /** Field-named errors ({@code "windowMs: must be > 0"}); empty when the rule is valid. */
    public List<String> validate() {
        List<String> errors = new ArrayList<>();
        if (ruleId == null || ruleId.isBlank()) {
            errors.add("ruleId: required");
        } else if (!ruleId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            errors.add("ruleId: 1-128 characters of letters, digits, '.', '_' or '-', starting with a letter or"
                    + " digit (it names the rule in alerts, metrics and the control topic): " + ruleId);
        }
        if (version < 1) {
            errors.add("version: must be >= 1, was " + version);
        }
        if (eventTypes == null || eventTypes.isEmpty()) {
            errors.add("eventTypes: at least one canonical event type is required");
        } else if (eventTypes.contains(null)) {
            errors.add("eventTypes: contains an unknown (null) event type");
        }
        if (dimension == null) {
            errors.add("dimension: required, one of USER, IP, DEVICE, CARD");
        }
        if (aggregate == null) {
            errors.add("aggregate: required, one of COUNT, DISTINCT_COUNT, SUM");
        } else {
            switch (aggregate) {
                case COUNT:
                    if (field != null) {
                        errors.add("field: COUNT takes no field, was " + field.wireName());
                    }
                    break;
                case DISTINCT_COUNT:
                    if (field == null || field.isNumeric()) {
                        errors.add("field: DISTINCT_COUNT needs a text field (userId, ip, deviceId, cardId, itemId,"
                                + " categoryId, sessionId), was " + (field == null ? "none" : field.wireName()));
                    }
                    break;
                case SUM:
                    if (field == null || !field.isNumeric()) {
                        errors.add("field: SUM needs a numeric field (price, quantity), was "
                                + (field == null ? "none" : field.wireName()));
                    }
                    break;
                default:
                    break;
            }
        }
        if (comparison == null) {
            errors.add("comparison: required, >= (GTE) or > (GT)");
        }
        if (Double.isNaN(threshold) || Double.isInfinite(threshold)) {
            errors.add("threshold: must be a finite number, was " + threshold);
        } else if (threshold <= 0 && !(threshold == 0 && comparison == Comparison.GT)) {
            errors.add("threshold: must be > 0 (or 0 with '>'), otherwise every key is above it from the start,"
                    + " was " + threshold);
        } else if (aggregate != Aggregate.SUM && threshold != Math.rint(threshold)) {
            errors.add("threshold: a count threshold must be a whole number, was " + threshold);
        }
        if (windowMs <= 0) {
            errors.add("windowMs: must be > 0, was " + windowMs);
        } else if (windowMs > MAX_WINDOW.toMillis()) {
            errors.add("windowMs: must be at most " + MAX_WINDOW + ", was " + window());
        }
        if (severity == null) {
            errors.add("severity: required, one of LOW, MEDIUM, HIGH, CRITICAL");
        }
        if (cooldownMs != null && cooldownMs < 0) {
            errors.add("cooldownMs: must be >= 0 (or absent for the default, the window), was " + cooldownMs);
        }
        return errors;
    }

    /** Throws {@link IllegalArgumentException} listing every error, or returns this rule when it is valid. */
    public VelocityRule requireValid() {
        List<String> errors = validate();
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("invalid velocity rule " + ruleId + ": " + String.join("; ", errors));
        }
        return this;
    }

    public VelocityRule copy() {
        VelocityRule r = of(ruleId, version, eventTypes, dimension, aggregate, field, comparison, threshold,
                Duration.ofMillis(windowMs), severity, null);
        r.cooldownMs = cooldownMs;
        return r;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof VelocityRule)) {
            return false;
        }
        VelocityRule that = (VelocityRule) o;
        return version == that.version
                && Double.compare(threshold, that.threshold) == 0
                && windowMs == that.windowMs
                && Objects.equals(ruleId, that.ruleId)
                && Objects.equals(eventTypes, that.eventTypes)
                && dimension == that.dimension
                && aggregate == that.aggregate
                && field == that.field
                && comparison == that.comparison
                && severity == that.severity
                && Objects.equals(cooldownMs, that.cooldownMs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ruleId, version, dimension, aggregate, field, threshold, windowMs);
    }

    @Override
    public String toString() {
        return "VelocityRule{" + ruleId + " v" + version + ": " + describe() + '}';
    }
}
