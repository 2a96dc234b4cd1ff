package io.journeycep.pipeline.workflow;

import io.journeycep.sinks.Alert;
import io.journeycep.sinks.DriftStat;
import io.journeycep.sinks.ErasureRequest;
import io.journeycep.sinks.RejectedEvent;
import io.journeycep.sinks.SegmentChange;
import io.journeycep.sinks.TransitionCount;
import io.journeycep.sinks.WithheldCount;

import org.apache.flink.api.connector.sink2.Sink;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Where the workflow's outputs go. {@code main} fills it with Kafka and JDBC sinks from the config; tests fill it with
 * their own. Several sinks per output are fine (Kafka and PostgreSQL both get every alert).
 */
public final class WorkflowSinks {
    private final List<NamedSink<Alert>> alerts = new ArrayList<>();
    private final List<NamedSink<RejectedEvent>> deadLetters = new ArrayList<>();
    private final List<NamedSink<RejectedEvent>> lateEvents = new ArrayList<>();
    private final List<NamedSink<DriftStat>> driftStats = new ArrayList<>();
    private final List<NamedSink<TransitionCount>> transitions = new ArrayList<>();
    private final List<NamedSink<SegmentChange>> segmentChanges = new ArrayList<>();
    private final List<NamedSink<ErasureRequest>> erasures = new ArrayList<>();
    private final List<NamedSink<WithheldCount>> triggersWithheld = new ArrayList<>();

    /** Alerts of every kind (the Kafka alert sink routes marketing and risk kinds to their topics). */
    public WorkflowSinks alerts(String name, Sink<Alert> sink) {
        alerts.add(new NamedSink<>(name, sink));
        return this;
    }

    /** Records rejected at ingestion, with reason and raw bytes. */
    public WorkflowSinks deadLetters(String name, Sink<RejectedEvent> sink) {
        deadLetters.add(new NamedSink<>(name, sink));
        return this;
    }

    /** Valid events that came later than the allowed lateness (reason LATE, raw = the event as flat JSON). */
    public WorkflowSinks lateEvents(String name, Sink<RejectedEvent> sink) {
        lateEvents.add(new NamedSink<>(name, sink));
        return this;
    }

    /** One row per metric and closed bucket of the drift stage (only written when {@code drift.enabled}). */
    public WorkflowSinks driftStats(String name, Sink<DriftStat> sink) {
        driftStats.add(new NamedSink<>(name, sink));
        return this;
    }

    List<NamedSink<DriftStat>> driftStats() {
        return Collections.unmodifiableList(driftStats);
    }

    /** Segment ENTER/EXIT changes (segment_changes, segment_membership, segment.updates), keyed by user in order. */
    public WorkflowSinks segmentChanges(String name, Sink<SegmentChange> sink) {
        segmentChanges.add(new NamedSink<>(name, sink));
        return this;
    }

    List<NamedSink<SegmentChange>> segmentChanges() {
        return Collections.unmodifiableList(segmentChanges);
    }

    /**
     * Erasure requests (README "Privacy"), one record per user key, once every stage has deleted the key's state;
     * the JDBC sink deletes the key's rows and logs the request. Wired only when there is a control source.
     */
    public WorkflowSinks erasures(String name, Sink<ErasureRequest> sink) {
        erasures.add(new NamedSink<>(name, sink));
        return this;
    }

    List<NamedSink<ErasureRequest>> erasures() {
        return Collections.unmodifiableList(erasures);
    }

    /** Absolute Markov transition counts (journey_transitions); a pair's updates come in order from one subtask. */
    public WorkflowSinks transitions(String name, Sink<TransitionCount> sink) {
        transitions.add(new NamedSink<>(name, sink));
        return this;
    }

    List<NamedSink<TransitionCount>> transitions() {
        return Collections.unmodifiableList(transitions);
    }

    /**
     * Absolute counts of the triggers withheld for consent per kind and UTC day (triggers_withheld); a key's updates
     * come in order from one subtask.
     */
    public WorkflowSinks triggersWithheld(String name, Sink<WithheldCount> sink) {
        triggersWithheld.add(new NamedSink<>(name, sink));
        return this;
    }

    List<NamedSink<WithheldCount>> triggersWithheld() {
        return Collections.unmodifiableList(triggersWithheld);
    }

    List<NamedSink<Alert>> alerts() {
        return Collections.unmodifiableList(alerts);
    }

    List<NamedSink<RejectedEvent>> deadLetters() {
        return Collections.unmodifiableList(deadLetters);
    }

    List<NamedSink<RejectedEvent>> lateEvents() {
        return Collections.unmodifiableList(lateEvents);
    }

    /**
     * Every registered sink's name, in registration order, as {@code <output>/<name>} (e.g. {@code
     * segmentChanges/jdbc-segment-changes}). The names become uids ({@code sink-<name>}), so they must be distinct.
     */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        alerts.forEach(s -> out.add("alerts/" + s.name()));
        deadLetters.forEach(s -> out.add("deadLetters/" + s.name()));
        lateEvents.forEach(s -> out.add("lateEvents/" + s.name()));
        driftStats.forEach(s -> out.add("driftStats/" + s.name()));
        transitions.forEach(s -> out.add("transitions/" + s.name()));
        segmentChanges.forEach(s -> out.add("segmentChanges/" + s.name()));
        erasures.forEach(s -> out.add("erasures/" + s.name()));
        triggersWithheld.forEach(s -> out.add("triggersWithheld/" + s.name()));
        return out;
    }
}
