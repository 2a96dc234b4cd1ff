package io.journeycep.pipeline.config;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Instants given by people: {@code replay --until}, {@code source.files.until}. */
public final class Instants {
    private Instants() {}

    /**
     * An ISO-8601 instant with a zone ({@code 2019-10-01T12:00:00Z}, {@code 2019-10-01T14:00:00+02:00}, fractions of
     * a second allowed) or epoch milliseconds ({@code 1569931200000}).
     *
     * @throws IllegalArgumentException with a message that says what was given and what is expected
     */
    public static Instant parse(String text) {
        String s = text == null ? "" : text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException(expected("an empty value"));
        }
        if (s.chars().allMatch(Character::isDigit)) {
            try {
                return Instant.ofEpochMilli(Long.parseLong(s));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(expected("'" + s + "' (too large for epoch milliseconds)"));
            }
        }
        try {
            return OffsetDateTime.parse(s).toInstant(); // Z or an offset
        } catch (DateTimeParseException e) {
            try {
                java.time.LocalDateTime.parse(s);
                throw new IllegalArgumentException(expected("'" + s + "', which has no zone (add Z or an offset)"));
            } catch (DateTimeParseException notLocal) {
                throw new IllegalArgumentException(expected("'" + s + "'"));
            }
        }
    }

    private static String expected(String was) {
        return "must be an ISO-8601 instant with a zone (2019-10-01T12:00:00Z) or epoch milliseconds"
                + " (1569931200000), was " + was;
    }
}
