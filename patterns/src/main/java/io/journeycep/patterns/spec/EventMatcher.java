package io.journeycep.patterns.spec;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;

import java.io.Serializable;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Event types plus {@code where} conditions (all must hold): what one step, {@code until} or {@code also-sees} takes. */
public final class EventMatcher implements Serializable {
    private static final long serialVersionUID = 1L;

    private final EnumSet<EventType> types;
    private final FieldCondition[] where;

    public EventMatcher(Set<EventType> types, List<FieldCondition> where) {
        this.types = types.isEmpty() ? EnumSet.noneOf(EventType.class) : EnumSet.copyOf(types);
        this.where = where.toArray(new FieldCondition[0]);
    }

    public Set<EventType> types() {
        return EnumSet.copyOf(types);
    }

    public List<FieldCondition> where() {
        return List.of(where);
    }

    public boolean matches(JourneyEvent e) {
        if (!types.contains(e.type)) {
            return false;
        }
        for (FieldCondition c : where) {
            if (!c.test(c.field.valueOf(e))) {
                return false;
            }
        }
        return true;
    }

    public boolean matches(SpecStep s) {
        if (!types.contains(s.type)) {
            return false;
        }
        for (FieldCondition c : where) {
            if (!c.test(c.field.valueOf(s))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        String t = types.stream().map(EventType::wireName).collect(Collectors.joining("|"));
        return where.length == 0 ? t : t + List.of(where);
    }
}
