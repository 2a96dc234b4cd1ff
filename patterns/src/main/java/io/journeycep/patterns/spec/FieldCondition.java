package io.journeycep.patterns.spec;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * One {@code where} condition of a step: {@code field op value}. An event that does not carry the field never
 * satisfies a condition on it (whatever the operator, {@code !=} included), as a view without a price never counts
 * as high-value. Numbers compare as doubles; {@code ==} on numbers is exact.
 */
public final class FieldCondition implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Comparison operators, by their symbols in rule files. */
    public enum Op {
        EQ("=="), NE("!="), GT(">"), GE(">="), LT("<"), LE("<="), IN("in"), NOT_IN("not-in");

        private final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }

        /** Whether the operator orders values (numeric fields only). */
        public boolean ordering() {
            return this == GT || this == GE || this == LT || this == LE;
        }

        /** Whether the value is a list ({@code in}, {@code not-in}). */
        public boolean takesList() {
            return this == IN || this == NOT_IN;
        }

        public static Op fromSymbol(String symbol) {
            for (Op op : values()) {
                if (op.symbol.equals(symbol)) {
                    return op;
                }
            }
            return null;
        }
    }

    public final SpecField field;
    public final Op op;
    /** The value(s) compared with: {@link Double}s for numeric fields, {@link String}s for text fields. */
    public final List<Object> values;

    public FieldCondition(SpecField field, Op op, List<Object> values) {
        this.field = Objects.requireNonNull(field);
        this.op = Objects.requireNonNull(op);
        this.values = List.copyOf(values);
        if (values.isEmpty() || (!op.takesList() && values.size() != 1)) {
            throw new IllegalArgumentException(op.symbol + " needs " + (op.takesList() ? "values" : "one value"));
        }
    }

    /** The single value of a non-list condition. */
    public Object value() {
        return values.get(0);
    }

    /** Whether {@code actual} (the event's field, null when absent) satisfies the condition. */
    public boolean test(Object actual) {
        if (actual == null) {
            return false;
        }
        switch (op) {
            case EQ:
                return matchesValue(actual, value());
            case NE:
                return !matchesValue(actual, value());
            case IN:
                return values.stream().anyMatch(v -> matchesValue(actual, v));
            case NOT_IN:
                return values.stream().noneMatch(v -> matchesValue(actual, v));
            default:
                double a = (Double) actual;
                double v = (Double) value();
                switch (op) {
                    case GT:
                        return a > v;
                    case GE:
                        return a >= v;
                    case LT:
                        return a < v;
                    default:
                        return a <= v;
                }
        }
    }

    private static boolean matchesValue(Object actual, Object expected) {
        if (actual instanceof Double && expected instanceof Double) {
            return ((Double) actual).doubleValue() == ((Double) expected).doubleValue();
        }
        return actual.equals(expected);
    }

    @Override
    public String toString() {
        return field.wireName() + ' ' + op.symbol + ' ' + (op.takesList() ? values : value());
    }
}
