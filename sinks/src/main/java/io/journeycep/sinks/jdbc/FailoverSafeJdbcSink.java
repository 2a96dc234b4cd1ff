package io.journeycep.sinks.jdbc;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.connector.jdbc.core.datastream.sink.committer.JdbcCommitable;
import org.apache.flink.connector.jdbc.core.datastream.sink.writer.JdbcWriterState;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An at-least-once {@link JdbcSink} whose writer's {@code close()} does not throw: a database outage must fail and
 * restart the job, not kill the TaskManager.
 *
 * <p><b>Why.</b> flink-connector-jdbc's writer flushes its pending batch in {@code close()} and throws when that
 * fails ("Writing records to JDBC failed."), also when it is closed because its task is already failing. Flink 2.2
 * closes a failed task's operators inside the task's failure handler, and an exception there is "FATAL - exception in
 * exception handler of task …": the TaskExecutor shuts down and the JVM exits, taking every other task on that
 * TaskManager with it. FailureRecoveryIT found it: with PostgreSQL stopped, the first failed batch brought the
 * standalone TaskManager down, and the job stayed in RESTARTING without slots until a new TaskManager was started.
 *
 * <p><b>Why swallowing is safe.</b> Delivery is at-least-once: the writer flushes on every checkpoint (before the
 * barrier) and at the end of the input ({@code flush(true)}, which still throws and fails the job). Whatever is still
 * pending when {@code close()} runs is therefore covered by no completed checkpoint, and a restart replays it from the
 * last one; the statements are idempotent ({@link JdbcSinks}). So the close failure is logged, not thrown. Everything
 * else (writer state, committer, serializers: empty for at-least-once) is the wrapped sink's, so the job graph keeps
 * its Writer and Committer operators and savepoints stay compatible.
 */
final class FailoverSafeJdbcSink<IN>
        implements Sink<IN>, SupportsWriterState<IN, JdbcWriterState>, SupportsCommitter<JdbcCommitable> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(FailoverSafeJdbcSink.class);

    private final JdbcSink<IN> sink;

    FailoverSafeJdbcSink(JdbcSink<IN> sink) {
        this.sink = sink;
    }

    @Override
    public Writer<IN> createWriter(WriterInitContext context) throws IOException {
        return new Writer<>(sink.createWriter(context));
    }

    @Override
    public Writer<IN> restoreWriter(WriterInitContext context, Collection<JdbcWriterState> recoveredState)
            throws IOException {
        return new Writer<>(sink.restoreWriter(context, recoveredState));
    }

    @Override
    public SimpleVersionedSerializer<JdbcWriterState> getWriterStateSerializer() {
        return sink.getWriterStateSerializer();
    }

    @Override
    public Committer<JdbcCommitable> createCommitter(CommitterInitContext context) throws IOException {
        return sink.createCommitter(context);
    }

    @Override
    public SimpleVersionedSerializer<JdbcCommitable> getCommittableSerializer() {
        return sink.getCommittableSerializer();
    }

    /** The JDBC writer, with a {@code close()} that logs instead of throwing. */
    static final class Writer<IN>
            implements StatefulSinkWriter<IN, JdbcWriterState>, CommittingSinkWriter<IN, JdbcCommitable> {
        private final org.apache.flink.connector.jdbc.core.datastream.sink.writer.JdbcWriter<IN> writer;

        Writer(org.apache.flink.connector.jdbc.core.datastream.sink.writer.JdbcWriter<IN> writer) {
            this.writer = writer;
        }

        @Override
        public void write(IN element, Context context) throws IOException, InterruptedException {
            writer.write(element, context);
        }

        @Override
        public void writeWatermark(Watermark watermark) throws IOException, InterruptedException {
            writer.writeWatermark(watermark);
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            writer.flush(endOfInput);
        }

        @Override
        public List<JdbcWriterState> snapshotState(long checkpointId) throws IOException {
            return writer.snapshotState(checkpointId);
        }

        @Override
        public Collection<JdbcCommitable> prepareCommit() throws IOException, InterruptedException {
            return writer.prepareCommit();
        }

        @Override
        public void close() {
            try {
                writer.close();
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) { // also the driver's AssertionErrors on a dead connection when run with -ea
                LOG.warn("The JDBC writer could not write its last batch on close; the job restarts from its last "
                        + "checkpoint and writes these records again", e);
            }
        }
    }
}
