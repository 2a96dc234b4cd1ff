package io.journeycep.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bounded Flink jobs (MiniCluster) over the REES46 sample through {@link EventSources#files}. */
class FileReplayJobTest {
    @TempDir
    Path dir;

    /** {@code shared/data/rees46-2019-oct-head/2019-Oct.csv}, found by walking up from the working directory. */
    static Path rees46() {
        return io.journeycep.pipeline.testing.TestData.rees46();
    }

    static List<IngestRecord> run(List<Path> files, InputFormat format, CsvMapping mapping) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        List<IngestRecord> all = new ArrayList<>();
        try (CloseableIterator<IngestRecord> it = env.fromSource(
                        EventSources.files(files, format, mapping, EventParser.withDefaults()),
                        WatermarkStrategy.noWatermarks(), "file")
                .executeAndCollect()) {
            it.forEachRemaining(all::add);
        }
        return all;
    }

    @Test
    void rees46SampleReplay() throws Exception {
        Path csv = rees46();
        List<IngestRecord> all = run(List.of(csv), InputFormat.CSV, CsvMapping.named("rees46"));

        List<JourneyEvent> events = all.stream().filter(IngestRecord::isAccepted).map(r -> r.event).toList();
        List<IngestRecord> rejected = all.stream().filter(r -> !r.isAccepted()).toList();
        assertThat(events).hasSize(17_434);
        assertThat(rejected).hasSize(1);
        assertThat(rejected.get(0).rejected.reason).isEqualTo("MALFORMED");
        assertThat(rejected.get(0).rejected.position).isEqualTo(17_436L);
        assertThat(rejected.get(0).rejected.source).isEqualTo("file:2019-Oct.csv");
        assertThat(rejected.get(0).rejected.detail).contains("expected 9 columns", "found 8");
        assertThat(new String(rejected.get(0).rejected.raw, java.nio.charset.StandardCharsets.UTF_8))
                .startsWith("2019-10-01 02:50:00 UTC,view,10900305,").endsWith(",52040330");

        Map<EventType, Long> byType =
                events.stream().collect(Collectors.groupingBy(e -> e.type, Collectors.counting()));
        assertThat(byType).containsOnly(Map.entry(EventType.VIEW, 17_055L), Map.entry(EventType.CART_ADD, 165L),
                Map.entry(EventType.PURCHASE, 214L));
        // line 1 is the header; data rows are lines 2..17435, in file order
        assertThat(events.get(0).position).isEqualTo(2);
        assertThat(events.get(events.size() - 1).position).isEqualTo(17_435);
        assertThat(events).extracting(e -> e.eventId).doesNotHaveDuplicates();
        assertThat(events.stream().map(e -> e.userId).collect(Collectors.toSet())).hasSize(4_504);
        assertThat(events.stream().map(e -> e.sessionId).collect(Collectors.toSet())).hasSize(5_066);
        assertThat(events).allSatisfy(e -> {
            assertThat(e.source).isEqualTo("file:2019-Oct.csv");
            assertThat(e.price).isNotNull();
            assertThat(e.itemId).isNotNull();
        });
        assertThat(events.get(0).timestamp).isEqualTo(java.time.Instant.parse("2019-10-01T00:00:00Z").toEpochMilli());
    }

    @Test
    void jsonlReplayOfTheFlatShapeGivesTheSameEvents() throws Exception {
        Path csv = rees46();
        // A small slice: the first 500 lines of the sample, as JSONL written by EventJson.
        Path slice = dir.resolve("slice.csv");
        Files.write(slice, Files.readAllLines(csv).subList(0, 500));
        List<JourneyEvent> fromCsv = run(List.of(slice), InputFormat.CSV, CsvMapping.named("rees46")).stream()
                .map(r -> r.event)
                .toList();
        Path jsonl = dir.resolve("slice.jsonl");
        try (OutputStream out = Files.newOutputStream(jsonl)) {
            for (JourneyEvent e : fromCsv) {
                out.write(EventJson.toFlatJson(e));
                out.write('\n');
            }
        }
        List<IngestRecord> fromJson = run(List.of(jsonl), InputFormat.JSONL, null);
        assertThat(fromJson).allMatch(IngestRecord::isAccepted).hasSize(499);
        Map<String, JourneyEvent> byId =
                fromJson.stream().map(r -> r.event).collect(Collectors.toMap(e -> e.eventId, Function.identity()));
        for (JourneyEvent e : fromCsv) {
            JourneyEvent back = byId.get(e.eventId);
            assertThat(back.source).isEqualTo("file:slice.jsonl");
            back.source = e.source;
            back.position = e.position;
            assertThat(back).isEqualTo(e);
        }
        assertThat(new HashSet<>(byId.keySet())).hasSize(499);
    }
}
