package io.journeycep.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The line reader under the file source, driven directly as the source reader would, including restores. */
class RawLineFormatTest {
    static final EventParser SMALL = new EventParser(ParserSettings.defaults()
            .withClock(WallClock.fixed(EventParserTest.NOW)).withMaxRecordBytes(200));

    @TempDir
    Path dir;

    private static String json(int n) {
        return "{\"event_type\":\"view\",\"user_id\":\"u" + n + "\",\"ts\":" + n + "}";
    }

    private Path writeSample() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((json(1) + "\n").getBytes(StandardCharsets.UTF_8)); // 1
        out.writeBytes("\n".getBytes(StandardCharsets.UTF_8)); // 2 empty
        out.writeBytes((json(3) + "\r\n").getBytes(StandardCharsets.UTF_8)); // 3 CRLF
        out.writeBytes(" \t \r\n".getBytes(StandardCharsets.UTF_8)); // 4 blank
        byte[] bad = json(5).getBytes(StandardCharsets.UTF_8);
        bad[bad.length - 8] = (byte) 0xff;
        out.writeBytes(bad); // 5 invalid UTF-8
        out.write('\n');
        out.writeBytes(("{\"x\":\"" + "y".repeat(100_000) + "\"}\n").getBytes(StandardCharsets.UTF_8)); // 6 huge
        out.writeBytes("not json\n".getBytes(StandardCharsets.UTF_8)); // 7
        out.writeBytes((json(8) + "\n").getBytes(StandardCharsets.UTF_8)); // 8
        out.writeBytes(json(9).substring(0, 20).getBytes(StandardCharsets.UTF_8)); // 9 cut off, no newline
        Path f = dir.resolve("sample.jsonl");
        Files.write(f, out.toByteArray());
        return f;
    }

    private static FileSourceSplit split(Path f) throws Exception {
        long size = Files.size(f);
        return new FileSourceSplit("0", new org.apache.flink.core.fs.Path(f.toUri()), 0, size,
                Files.getLastModifiedTime(f).toMillis(), size);
    }

    /** All records with the position to resume from after each. */
    private static List<RecordAndPosition<IngestRecord>> readAll(BulkFormat.Reader<IngestRecord> reader)
            throws Exception {
        List<RecordAndPosition<IngestRecord>> all = new ArrayList<>();
        BulkFormat.RecordIterator<IngestRecord> batch;
        while ((batch = reader.readBatch()) != null) {
            RecordAndPosition<IngestRecord> r;
            while ((r = batch.next()) != null) {
                all.add(new RecordAndPosition<>(r.getRecord(), r.getOffset(), r.getRecordSkipCount()));
            }
            batch.releaseBatch();
        }
        reader.close();
        return all;
    }

    private static long position(IngestRecord r) {
        return r.isAccepted() ? r.event.position : r.rejected.position;
    }

    @Test
    void readsLinesWithCorrectNumbersAndReasons() throws Exception {
        Path f = writeSample();
        NamedFileFormat format = new NamedFileFormat(InputFormat.JSONL, null, SMALL);
        List<RecordAndPosition<IngestRecord>> all = readAll(format.createReader(new Configuration(), split(f)));
        List<IngestRecord> records = all.stream().map(RecordAndPosition::getRecord).toList();
        assertThat(records).extracting(RawLineFormatTest::position).containsExactly(1L, 3L, 5L, 6L, 7L, 8L, 9L);
        assertThat(records.get(0).event.userId).isEqualTo("u1");
        assertThat(records.get(0).event.source).isEqualTo("file:sample.jsonl");
        assertThat(records.get(0).event.eventId).isEqualTo("file:sample.jsonl#1");
        assertThat(records.get(1).event.userId).isEqualTo("u3");
        assertThat(records.get(2).rejected.reason).isEqualTo("BAD_ENCODING");
        assertThat(records.get(2).rejected.raw[records.get(2).rejected.raw.length - 8]).isEqualTo((byte) 0xff);
        assertThat(records.get(3).rejected.reason).isEqualTo("TOO_LARGE");
        assertThat(records.get(3).rejected.detail).contains("100008 bytes");
        assertThat(records.get(3).rejected.raw).hasSize(200);
        assertThat(records.get(4).rejected.reason).isEqualTo("MALFORMED");
        assertThat(records.get(5).event.userId).isEqualTo("u8");
        assertThat(records.get(6).rejected.reason).isEqualTo("MALFORMED");
        assertThat(records.get(6).rejected.source).isEqualTo("file:sample.jsonl");
    }

    @Test
    void lineNumbersStayRightAfterRestoreFromAnyCheckpoint() throws Exception {
        Path f = writeSample();
        NamedFileFormat format = new NamedFileFormat(InputFormat.JSONL, null, SMALL);
        List<RecordAndPosition<IngestRecord>> all = readAll(format.createReader(new Configuration(), split(f)));
        for (int k = 0; k < all.size(); k++) {
            RecordAndPosition<IngestRecord> cp = all.get(k);
            FileSourceSplit restored = split(f).updateWithCheckpointedPosition(
                    new CheckpointedPosition(cp.getOffset(), cp.getRecordSkipCount()));
            List<IngestRecord> rest = readAll(format.restoreReader(new Configuration(), restored)).stream()
                    .map(RecordAndPosition::getRecord)
                    .toList();
            List<IngestRecord> expected = all.subList(k + 1, all.size()).stream()
                    .map(RecordAndPosition::getRecord)
                    .toList();
            assertThat(rest).as("restore after record %d", k).isEqualTo(expected);
        }
    }

    @Test
    void csvFilesSkipTheHeaderAndCountIt() throws Exception {
        Path f = dir.resolve("events.csv");
        Files.writeString(f, "timestamp,visitorid,event,itemid,transactionid\r\n"
                + "1433221332117,257597,view,355908,\r\n"
                + "1433224214164,992329,addtocart,248676,\r\n"
                + "1433224214164,992329,addtocart\r\n");
        NamedFileFormat format = new NamedFileFormat(InputFormat.CSV,
                new CsvEventParser(CsvMapping.named("retailrocket"), EventParserTest.PARSER), EventParserTest.PARSER);
        List<IngestRecord> records = readAll(format.createReader(new Configuration(), split(f))).stream()
                .map(RecordAndPosition::getRecord)
                .toList();
        assertThat(records).extracting(RawLineFormatTest::position).containsExactly(2L, 3L, 4L);
        assertThat(records.get(0).event.source).isEqualTo("file:events.csv");
        assertThat(records.get(2).rejected.reason).isEqualTo("MALFORMED");
    }
}
