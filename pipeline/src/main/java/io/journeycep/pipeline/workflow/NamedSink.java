package io.journeycep.pipeline.workflow;

import org.apache.flink.api.connector.sink2.Sink;

import java.util.Objects;

/** A sink with the stable name its operator uid is derived from ({@code sink-<name>}). */
public final class NamedSink<T> {
    private final String name;
    private final Sink<T> sink;

    public NamedSink(String name, Sink<T> sink) {
        this.name = Objects.requireNonNull(name);
        this.sink = Objects.requireNonNull(sink);
    }

    public String name() {
        return name;
    }

    public Sink<T> sink() {
        return sink;
    }
}
