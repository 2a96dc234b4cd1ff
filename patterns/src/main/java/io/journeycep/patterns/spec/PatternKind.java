package io.journeycep.patterns.spec;

/**
 * What a pattern's alerts are. The two built-ins keep their own alert content; user-defined sequences are
 * {@code JOURNEY_PATTERN} (a marketing trigger) or {@code RISK_PATTERN} (a risk alert). The names are the alert kinds
 * of the outputs.
 */
public enum PatternKind {
    CART_ABANDONED,
    HIGH_VALUE_BROWSING,
    JOURNEY_PATTERN,
    RISK_PATTERN
}
