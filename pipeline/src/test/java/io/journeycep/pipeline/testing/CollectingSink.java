package io.journeycep.pipeline.testing;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Sink V2 for tests on a MiniCluster: collects records into a JVM-wide registry under this sink's own id, so
 * tests running side by side do not see each other's records. Test code only.
 */
public final class CollectingSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, List<Object>> RESULTS = new ConcurrentHashMap<>();

    private final String id = UUID.randomUUID().toString();

    public CollectingSink() {
        RESULTS.put(id, Collections.synchronizedList(new ArrayList<>()));
    }

    /** What the sink has received so far (a copy). */
    @SuppressWarnings("unchecked")
    public List<T> results() {
        List<Object> list = RESULTS.get(id);
        synchronized (list) {
            return (List<T>) new ArrayList<>(list);
        }
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        List<Object> target = RESULTS.get(id);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) {
                target.add(element);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
