package io.journeycep.sinks;

/** Alert kinds of DESIGN §3 and the audience whose Kafka topic (DESIGN §4) carries each. */
public enum AlertKind {
    CART_ABANDONED(Audience.MARKETING),
    HIGH_VALUE_BROWSING(Audience.MARKETING),
    /** A user-defined sequence from a rules file (README "Pattern specs"), for marketing. */
    JOURNEY_PATTERN(Audience.MARKETING),
    /** A user-defined sequence from a rules file, for risk teams. */
    RISK_PATTERN(Audience.RISK),
    VELOCITY(Audience.RISK),
    PATH_ANOMALY(Audience.RISK),
    DRIFT(Audience.RISK);

    /** Who consumes an alert: marketing triggers go to {@code journey.triggers}, risk alerts to {@code risk.alerts}. */
    public enum Audience {
        MARKETING,
        RISK
    }

    private final Audience audience;

    AlertKind(Audience audience) {
        this.audience = audience;
    }

    public Audience audience() {
        return audience;
    }
}
