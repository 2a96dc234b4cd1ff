package io.journeycep.pipeline.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.journeycep.sinks.RejectReason;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/** Field-level validation shared by the JSON and CSV parsers. Every failure is a {@link RejectException}. */
final class Fields {
    /**
     * Longest accepted string value (ids, names, currency) in UTF-8 bytes. Bytes, not characters: ids are keys of
     * PostgreSQL btree indexes ({@code alerts.subject_key}, the {@code segment_membership} primary key), whose entries
     * must stay under 2704 bytes; 1024 characters of CJK text are 3072 bytes, which failed every write of the JDBC
     * sinks and so the job, on every restart.
     */
    static final int MAX_TEXT_BYTES = 1024;
    /** 0001-01-01 is not a clickstream time: accepted event times lie in [1970-01-01, 9999-12-31T23:59:59.999Z]. */
    static final long MAX_EPOCH_MILLIS = 253_402_300_799_999L;

    private static final Pattern EPOCH_DIGITS = Pattern.compile("-?\\d{1,19}");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d{1,4})?");
    private static final int SHOW_CHARS = 64;

    private Fields() {}

    // ---------------------------------------------------------------- strings

    /** A trimmed string value; {@code null} when null or blank. Rejects control characters and broken UTF-16. */
    static String text(String label, String value) throws RejectException {
        if (value == null) {
            return null;
        }
        String t = value.strip();
        if (t.isEmpty()) {
            return null;
        }
        if (t.length() > MAX_TEXT_BYTES) { // more chars than bytes allowed: skip encoding it
            throw bad(label, "longer than " + MAX_TEXT_BYTES + " bytes in UTF-8 (" + t.length() + " characters)");
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                throw bad(label, String.format("contains control character U+%04X at index %d", (int) c, i));
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < t.length() && Character.isLowSurrogate(t.charAt(i + 1))) {
                    i++;
                } else {
                    throw bad(label, "contains an unpaired surrogate at index " + i);
                }
            } else if (Character.isLowSurrogate(c)) {
                throw bad(label, "contains an unpaired surrogate at index " + i);
            }
        }
        int bytes = utf8Length(t);
        if (bytes > MAX_TEXT_BYTES) {
            throw bad(label, "longer than " + MAX_TEXT_BYTES + " bytes in UTF-8 (" + bytes + " bytes, " + t.length()
                    + " characters)");
        }
        return t;
    }

    /** UTF-8 length of a string with no unpaired surrogates. */
    private static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** A JSON string, or an integral JSON number taken as its decimal text; {@code null} when absent/null/blank. */
    static String jsonText(String label, JsonNode node) throws RejectException {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isTextual()) {
            return text(label, node.textValue());
        }
        if (node.isIntegralNumber()) {
            return node.asText();
        }
        throw bad(label, "expected a string, got " + describe(node));
    }

    // ---------------------------------------------------------------- numbers

    /** A finite, non-negative price from a JSON number or numeric string; {@code null} when absent. */
    static Double jsonPrice(String label, JsonNode node) throws RejectException {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isNumber()) {
            return checkPrice(label, node.doubleValue(), node.asText());
        }
        if (node.isTextual()) {
            return price(label, node.textValue());
        }
        throw bad(label, "expected a number, got " + describe(node));
    }

    /** A finite, non-negative price from text; {@code null} when null or blank. */
    static Double price(String label, String value) throws RejectException {
        if (value == null || value.isBlank()) {
            return null;
        }
        String t = value.strip();
        if (!DECIMAL.matcher(t).matches()) {
            throw bad(label, "expected a finite number, got '" + show(t) + "'");
        }
        return checkPrice(label, Double.parseDouble(t), t);
    }

    private static Double checkPrice(String label, double d, String shown) throws RejectException {
        if (!Double.isFinite(d)) {
            throw bad(label, "expected a finite number, got " + show(shown));
        }
        if (d < 0) {
            throw bad(label, "must not be negative, got " + show(shown));
        }
        return d == 0.0 ? 0.0 : d; // no -0.0
    }

    /** A whole, non-negative quantity that fits an int, from a JSON number or numeric string. */
    static Integer jsonQuantity(String label, JsonNode node) throws RejectException {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isNumber()) {
            return checkQuantity(label, node.asText(), node.isIntegralNumber() ? null : node.doubleValue(), node);
        }
        if (node.isTextual()) {
            return quantity(label, node.textValue());
        }
        throw bad(label, "expected a whole number, got " + describe(node));
    }

    /** A whole, non-negative quantity that fits an int, from text; {@code null} when null or blank. */
    static Integer quantity(String label, String value) throws RejectException {
        if (value == null || value.isBlank()) {
            return null;
        }
        String t = value.strip();
        if (!DECIMAL.matcher(t).matches()) {
            throw bad(label, "expected a whole number, got '" + show(t) + "'");
        }
        return checkQuantity(label, t, null, null);
    }

    private static Integer checkQuantity(String label, String text, Double floating, JsonNode node)
            throws RejectException {
        java.math.BigDecimal v;
        if (node != null && node.isIntegralNumber()) {
            v = new java.math.BigDecimal(node.bigIntegerValue());
        } else if (floating != null) {
            if (!Double.isFinite(floating)) {
                throw bad(label, "expected a whole number, got " + show(text));
            }
            v = java.math.BigDecimal.valueOf(floating);
        } else {
            try {
                v = new java.math.BigDecimal(text);
            } catch (NumberFormatException | ArithmeticException e) {
                throw bad(label, "expected a whole number, got '" + show(text) + "'");
            }
        }
        if (v.signum() < 0) {
            throw bad(label, "must not be negative, got " + show(text));
        }
        try {
            return v.stripTrailingZeros().intValueExact();
        } catch (ArithmeticException e) {
            throw bad(label, "expected a whole number up to " + Integer.MAX_VALUE + ", got " + show(text));
        }
    }

    // ---------------------------------------------------------------- times

    /**
     * An event time from JSON: an integral number (epoch milliseconds), a string of digits (epoch milliseconds) or
     * an ISO-8601 string (with offset or {@code Z}; without one it is UTC).
     */
    static long jsonTime(String label, JsonNode node) throws RejectException {
        if (node.isIntegralNumber()) {
            if (!node.canConvertToLong()) {
                throw badTime(label, node.asText(), "out of range");
            }
            return checkRange(label, node.longValue(), node.asText());
        }
        if (node.isFloatingPointNumber()) {
            double d = node.doubleValue();
            if (!Double.isFinite(d) || d != Math.rint(d) || Math.abs(d) > 9.0e18) {
                throw badTime(label, node.asText(), "not whole epoch milliseconds");
            }
            return checkRange(label, (long) d, node.asText());
        }
        if (node.isTextual()) {
            return isoOrEpochMillis(label, node.textValue());
        }
        throw new RejectException(RejectReason.BAD_TIME,
                "field '" + label + "': expected an ISO-8601 string or epoch milliseconds, got " + describe(node));
    }

    /** Epoch milliseconds (digits) or ISO-8601 text; see {@link #jsonTime}. */
    static long isoOrEpochMillis(String label, String value) throws RejectException {
        String t = value.strip();
        if (EPOCH_DIGITS.matcher(t).matches()) {
            return epoch(label, t, 1);
        }
        return iso(label, t);
    }

    /** Epoch milliseconds ({@code unitMillis} 1) or seconds ({@code unitMillis} 1000) given as digits. */
    static long epoch(String label, String value, long unitMillis) throws RejectException {
        String t = value.strip();
        if (!EPOCH_DIGITS.matcher(t).matches()) {
            throw badTime(label, t, unitMillis == 1 ? "expected epoch milliseconds" : "expected epoch seconds");
        }
        try {
            return checkRange(label, Math.multiplyExact(Long.parseLong(t), unitMillis), t);
        } catch (NumberFormatException | ArithmeticException e) {
            throw badTime(label, t, "out of range");
        }
    }

    /**
     * ISO-8601 date-time. Accepts a space instead of {@code T} and a trailing {@code " UTC"}; without an offset the
     * time is UTC.
     */
    static long iso(String label, String value) throws RejectException {
        String t = value.strip();
        String s = t;
        if (s.length() > 10 && s.charAt(10) == ' ') {
            s = s.substring(0, 10) + 'T' + s.substring(11);
        }
        if (s.endsWith(" UTC")) {
            s = s.substring(0, s.length() - 4) + 'Z';
        }
        long millis;
        try {
            millis = OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().toEpochMilli();
        } catch (RuntimeException e) {
            try {
                millis = LocalDateTime.parse(s, DateTimeFormatter.ISO_LOCAL_DATE_TIME)
                        .toInstant(ZoneOffset.UTC)
                        .toEpochMilli();
            } catch (RuntimeException e2) {
                throw badTime(label, t, "expected ISO-8601 (2026-11-22T10:15:30.120Z) or epoch milliseconds");
            }
        }
        return checkRange(label, millis, t);
    }

    static long checkRange(String label, long millis, String shown) throws RejectException {
        if (millis < 0 || millis > MAX_EPOCH_MILLIS) {
            throw badTime(label, shown, "outside 1970-01-01..9999-12-31");
        }
        return millis;
    }

    static RejectException badTime(String label, String shown, String why) {
        return new RejectException(RejectReason.BAD_TIME,
                "field '" + label + "': cannot use '" + show(shown) + "' as event time (" + why + ")");
    }

    static String isoOf(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }

    // ---------------------------------------------------------------- helpers

    static RejectException bad(String label, String why) {
        return new RejectException(RejectReason.BAD_FIELD, "field '" + label + "': " + why);
    }

    static String describe(JsonNode node) {
        switch (node.getNodeType()) {
            case OBJECT:
                return "an object";
            case ARRAY:
                return "an array";
            case BOOLEAN:
                return "a boolean (" + node.asText() + ")";
            case NUMBER:
                return "a number (" + show(node.asText()) + ")";
            case STRING:
                return "a string ('" + show(node.textValue()) + "')";
            default:
                return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A value for a detail message: at most 64 characters (by default), control characters and non-ASCII escaped. */
    static String show(String value) {
        return show(value, SHOW_CHARS);
    }

    /** As {@link #show(String)} with a custom length. */
    static String show(String value, int maxChars) {
        if (value == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder();
        int n = Math.min(value.length(), maxChars);
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c >= 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (value.length() > maxChars) {
            sb.append("…(").append(value.length()).append(" chars)");
        }
        return sb.toString();
    }
}
