package io.journeycep.pipeline.ingest;

import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

/**
 * The job's sources (Flink Source API). Both parse inside the source, emitting one {@link IngestRecord} per raw
 * record, so watermarks can be generated per Kafka partition from event times and a bad record never throws.
 */
public final class EventSources {
    private EventSources() {}

    /**
     * The Kafka source: starts from the group's committed offsets, else from the earliest offset; reads with
     * {@code isolation.level=read_committed} (unless {@code extra} says otherwise); commits offsets on checkpoints.
     *
     * @param extra further consumer properties (security, client id…); may be null
     */
    @SuppressWarnings("deprecation") // OffsetResetStrategy: the only form OffsetsInitializer.committedOffsets takes
    public static KafkaSource<IngestRecord> kafka(
            String bootstrapServers, String topic, String groupId, EventParser parser, Properties extra) {
        return ReadCommittedKafka.source(bootstrapServers, topic, groupId,
                OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST), new KafkaIngestDeserializer(parser),
                extra);
    }

    /**
     * A bounded source over replay files, read whole (one split per file) as lines; source label
     * {@code file:<file name>}, position the 1-based line number (correct also after a restore, see
     * {@link RawLineFormat}).
     *
     * <p>Records are identified by file name and line (event ids {@code file:<name>#<line>} when the record has none),
     * so two inputs with the same file name are refused. Directories are read recursively; as everywhere in Flink's
     * file source, files whose names start with {@code .} or {@code _} are skipped.
     *
     * @param mappingOrNull the CSV mapping; required for {@link InputFormat#CSV}, ignored for JSONL
     */
    public static FileSource<IngestRecord> files(
            List<Path> files, InputFormat format, CsvMapping mappingOrNull, EventParser parser) {
        Objects.requireNonNull(files, "files");
        java.util.Map<String, Path> byName = new java.util.HashMap<>();
        for (Path f : files) {
            Path name = f.getFileName();
            Path other = name == null ? null : byName.put(name.toString(), f);
            if (other != null) {
                throw new IllegalArgumentException("input files " + other + " and " + f + " have the same name: "
                        + "records are identified by file name and line (source 'file:" + name + "'), so their ids "
                        + "would collide; rename one");
            }
        }
        org.apache.flink.core.fs.Path[] paths = new org.apache.flink.core.fs.Path[files.size()];
        for (int i = 0; i < paths.length; i++) {
            paths[i] = new org.apache.flink.core.fs.Path(files.get(i).toAbsolutePath().toUri());
        }
        return filesAt(paths, format, mappingOrNull, parser);
    }

    /** As {@link #files}, for Flink file system paths (s3://, hdfs://, file://…). */
    public static FileSource<IngestRecord> filesAt(
            org.apache.flink.core.fs.Path[] paths, InputFormat format, CsvMapping mappingOrNull, EventParser parser) {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(parser, "parser");
        if (paths.length == 0) {
            throw new IllegalArgumentException("no input files");
        }
        CsvEventParser csv = null;
        if (format == InputFormat.CSV) {
            if (mappingOrNull == null) {
                throw new IllegalArgumentException("a CSV replay needs a CSV mapping (named or from a file)");
            }
            csv = new CsvEventParser(mappingOrNull, parser);
        }
        return FileSource.forBulkFileFormat(new NamedFileFormat(format, csv, parser), paths).build();
    }
}
