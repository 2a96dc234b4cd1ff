package io.journeycep.pipeline.ingest;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.impl.StreamFormatAdapter;
import org.apache.flink.connector.file.src.reader.BulkFormat;

import java.io.IOException;
import java.util.Objects;

/**
 * The bulk format behind {@link EventSources#files}: for each split (one whole file, the format is not splittable)
 * it creates a {@link RawLineFormat} that knows the file's name, so records get the source label
 * {@code file:<name>}, and reads it through Flink's own {@link StreamFormatAdapter} (what
 * {@code FileSource.forRecordStreamFormat} uses), keeping its checkpointing and restore behaviour.
 */
final class NamedFileFormat implements BulkFormat<IngestRecord, FileSourceSplit> {
    private static final long serialVersionUID = 1L;

    private final InputFormat format;
    private final CsvEventParser csvParser;
    private final EventParser parser;

    NamedFileFormat(InputFormat format, CsvEventParser csvParser, EventParser parser) {
        this.format = Objects.requireNonNull(format);
        this.parser = Objects.requireNonNull(parser);
        if (format == InputFormat.CSV) {
            this.csvParser = Objects.requireNonNull(csvParser, "a CSV replay needs a CSV mapping");
        } else {
            this.csvParser = null;
        }
    }

    /** The source label of a file. */
    static String sourceLabel(org.apache.flink.core.fs.Path path) {
        return "file:" + path.getName();
    }

    RawLineFormat formatFor(org.apache.flink.core.fs.Path path) {
        LineParser lines = format == InputFormat.CSV ? new CsvLines(csvParser) : new JsonLines(parser);
        return new RawLineFormat(sourceLabel(path), lines, parser);
    }

    @Override
    public BulkFormat.Reader<IngestRecord> createReader(Configuration config, FileSourceSplit split)
            throws IOException {
        return new StreamFormatAdapter<>(formatFor(split.path())).createReader(config, split);
    }

    @Override
    public BulkFormat.Reader<IngestRecord> restoreReader(Configuration config, FileSourceSplit split)
            throws IOException {
        return new StreamFormatAdapter<>(formatFor(split.path())).restoreReader(config, split);
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<IngestRecord> getProducedType() {
        return TypeInformation.of(IngestRecord.class);
    }

    private static final class JsonLines implements LineParser {
        private static final long serialVersionUID = 1L;
        private final EventParser parser;

        JsonLines(EventParser parser) {
            this.parser = parser;
        }

        @Override
        public IngestRecord parse(byte[] line, String source, long lineNumber) {
            return parser.parseJson(line, source, lineNumber);
        }
    }

    private static final class CsvLines implements LineParser {
        private static final long serialVersionUID = 1L;
        private final CsvEventParser parser;

        CsvLines(CsvEventParser parser) {
            this.parser = parser;
        }

        @Override
        public IngestRecord parse(byte[] line, String source, long lineNumber) {
            return parser.parseLine(line, source, lineNumber);
        }
    }
}
