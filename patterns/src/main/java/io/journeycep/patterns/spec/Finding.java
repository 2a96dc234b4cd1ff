package io.journeycep.patterns.spec;

import java.util.Locale;
import java.util.Objects;

/**
 * One problem in a rules file: an error (the file cannot be used) or a warning (it can, but will likely cost or
 * surprise), with the file, line and field it is about. Printed as {@code file:line: error: field: message}.
 */
public final class Finding {
    public enum Severity { ERROR, WARNING }

    public final Severity severity;
    /** The file (or resource) the finding is in; null until placed. */
    public final String origin;
    /** 1-based line of {@link #field} (or of its closest parent that has one); 0 when unknown. */
    public final int line;
    /** The field, as a path: {@code patterns[2].steps[1].event-types[0]}. */
    public final String field;
    public final String message;

    private Finding(Severity severity, String origin, int line, String field, String message) {
        this.severity = severity;
        this.origin = origin;
        this.line = line;
        this.field = field;
        this.message = message;
    }

    public static Finding error(String field, String message) {
        return new Finding(Severity.ERROR, null, 0, field, message);
    }

    public static Finding warning(String field, String message) {
        return new Finding(Severity.WARNING, null, 0, field, message);
    }

    /** The same finding, placed in a file at a line. */
    public Finding at(String origin, int line) {
        return new Finding(severity, origin, line, field, message);
    }

    /** The same finding, its field prefixed ({@code patterns[2]} + {@code .} + field). */
    public Finding under(String prefix) {
        String f = field.isEmpty() ? prefix : field.startsWith("[") ? prefix + field : prefix + '.' + field;
        return new Finding(severity, origin, line, f, message);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** {@code file:line: error|warning: field: message}. */
    public String format() {
        return origin + ':' + line + ": " + severity.name().toLowerCase(Locale.ROOT) + ": "
                + (field.isEmpty() ? "" : field + ": ") + message;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Finding)) {
            return false;
        }
        Finding f = (Finding) o;
        return severity == f.severity && line == f.line && Objects.equals(origin, f.origin)
                && field.equals(f.field) && message.equals(f.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(severity, origin, line, field, message);
    }

    @Override
    public String toString() {
        return format();
    }
}
