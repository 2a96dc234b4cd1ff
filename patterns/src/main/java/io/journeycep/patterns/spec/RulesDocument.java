package io.journeycep.patterns.spec;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One rules file as read by {@link PatternSpecReader}: its patterns (one per element of {@code patterns:}, in order,
 * also when an element has errors), its {@code velocity:} list untouched (the job's config code reads it), and the
 * findings so far, each placed at its line.
 */
public final class RulesDocument {
    public final String origin;
    public final List<PatternSpec> patterns = new ArrayList<>();
    /** Indexes into {@link #patterns} of the elements that had errors while reading: not to be checked further. */
    final Set<Integer> unreadable = new TreeSet<>();
    /** The {@code velocity:} node, or null when the file has none. */
    public JsonNode velocity;
    private final List<Finding> findings = new ArrayList<>();
    private final SourceLines lines;

    RulesDocument(String origin, SourceLines lines) {
        this.origin = origin;
        this.lines = lines;
    }

    /** The line of a field path in this file (its closest parent's when absent); 0 when unknown. */
    public int lineOf(String field) {
        return lines == null ? 0 : lines.lineOf(field);
    }

    /** Adds a finding, placed at its field's line in this file. */
    public void add(Finding finding) {
        findings.add(finding.at(origin, lineOf(finding.field)));
    }

    /** Adds a finding that already names its file and line. */
    public void addPlaced(Finding finding) {
        findings.add(finding);
    }

    /** Whether reading the pattern at {@code index} found an error (so the spec is incomplete). */
    public boolean unreadable(int index) {
        return unreadable.contains(index);
    }

    public List<Finding> findings() {
        return Collections.unmodifiableList(findings);
    }

    public boolean hasErrors() {
        return findings.stream().anyMatch(Finding::isError);
    }
}
