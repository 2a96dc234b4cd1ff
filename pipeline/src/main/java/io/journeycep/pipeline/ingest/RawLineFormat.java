package io.journeycep.pipeline.ingest;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads a file as raw lines of bytes and parses each one into an {@link IngestRecord} with source
 * {@code file:<name>} and the 1-based line number as position.
 *
 * <p>Lines end at {@code \n}; a trailing {@code \r} is removed; the last line needs no terminator (a file cut off
 * mid-row still yields its last partial line, which the parser rejects). Bytes are passed on untouched, so invalid
 * UTF-8 reaches the parser and becomes {@code BAD_ENCODING}. Empty and blank lines are skipped (but counted). A line
 * longer than the record limit is not buffered beyond it: it becomes a {@code TOO_LARGE} rejection holding the first
 * {@code maxRecordBytes} bytes.
 *
 * <p><b>Line numbers after a restore.</b> The format is not splittable (a {@link SimpleStreamFormat}): each file is
 * one split read from its first byte, and the reader reports no checkpointed byte offset. The file source then
 * checkpoints the split as "offset 0, N records emitted"; on restore it opens the file at byte 0 and calls
 * {@link Reader#read()} N times, discarding the results. Those skipped reads run through the same line counting as
 * the first run, so the counter is exactly where it was and the line numbers of the following records are right.
 * The cost is re-reading the file's prefix on restore, which is fine for replays.
 *
 * <p>This format knows no file name by itself; {@link NamedFileFormat} creates one per split.
 */
final class RawLineFormat extends SimpleStreamFormat<IngestRecord> {
    private static final long serialVersionUID = 1L;
    private static final int CHUNK = 64 * 1024;

    private final String source;
    private final LineParser parser;
    private final EventParser eventParser;

    RawLineFormat(String source, LineParser parser, EventParser eventParser) {
        this.source = Objects.requireNonNull(source);
        this.parser = Objects.requireNonNull(parser);
        this.eventParser = Objects.requireNonNull(eventParser);
    }

    @Override
    public StreamFormat.Reader<IngestRecord> createReader(Configuration config, FSDataInputStream stream) {
        return new Reader(stream);
    }

    @Override
    public TypeInformation<IngestRecord> getProducedType() {
        return TypeInformation.of(IngestRecord.class);
    }

    /** Reads one stream; see the class comment. */
    final class Reader implements StreamFormat.Reader<IngestRecord> {
        private final InputStream in;
        private final int maxBytes = eventParser.settings().maxRecordBytes();
        private final byte[] chunk = new byte[CHUNK];
        private int chunkPos;
        private int chunkLen;
        private boolean eof;
        /** The current line, at most maxBytes + 1 bytes (one more for a '\r'). */
        private byte[] line = new byte[256];
        private int lineLen;
        private long lineNumber;

        Reader(InputStream in) {
            this.in = in;
        }

        @Override
        public IngestRecord read() throws IOException {
            while (true) {
                long actual = nextLine();
                if (actual < 0) {
                    return null;
                }
                lineNumber++;
                if (actual == lineLen && lineLen > 0 && line[lineLen - 1] == '\r') {
                    lineLen--;
                    actual--;
                }
                if (actual > maxBytes) {
                    return eventParser.tooLarge(Arrays.copyOf(line, Math.min(lineLen, maxBytes)), actual, source,
                            lineNumber);
                }
                if (isBlank()) {
                    continue;
                }
                IngestRecord r = parser.parse(Arrays.copyOf(line, lineLen), source, lineNumber);
                if (r != null) {
                    return r;
                }
            }
        }

        /** Reads the next line into {@link #line}; returns its full length in bytes, or -1 at the end. */
        private long nextLine() throws IOException {
            lineLen = 0;
            long actual = 0;
            boolean any = false;
            while (true) {
                if (chunkPos >= chunkLen) {
                    if (eof || !fill()) {
                        return any ? actual : -1;
                    }
                }
                any = true;
                int start = chunkPos;
                int nl = -1;
                for (int i = chunkPos; i < chunkLen; i++) {
                    if (chunk[i] == '\n') {
                        nl = i;
                        break;
                    }
                }
                int end = nl >= 0 ? nl : chunkLen;
                append(start, end - start);
                actual += end - start;
                chunkPos = nl >= 0 ? nl + 1 : chunkLen;
                if (nl >= 0) {
                    return actual;
                }
            }
        }

        private boolean fill() throws IOException {
            int n = in.read(chunk, 0, chunk.length);
            if (n <= 0) {
                if (n < 0) {
                    eof = true;
                }
                chunkPos = 0;
                chunkLen = 0;
                return n == 0 ? fill() : false;
            }
            chunkPos = 0;
            chunkLen = n;
            return true;
        }

        private void append(int from, int len) {
            int room = maxBytes + 1 - lineLen;
            int n = Math.min(len, Math.max(room, 0));
            if (n <= 0) {
                return;
            }
            if (lineLen + n > line.length) {
                line = Arrays.copyOf(line, Math.max(lineLen + n, Math.min(line.length * 2, maxBytes + 1)));
            }
            System.arraycopy(chunk, from, line, lineLen, n);
            lineLen += n;
        }

        private boolean isBlank() {
            for (int i = 0; i < lineLen; i++) {
                if (line[i] != ' ' && line[i] != '\t') {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
