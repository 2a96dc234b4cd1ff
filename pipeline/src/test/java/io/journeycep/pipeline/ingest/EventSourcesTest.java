package io.journeycep.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.util.Collector;
import org.apache.flink.util.InstantiationUtil;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class EventSourcesTest {
    @Test
    void kafkaDeserializerLabelsRecordsByTopicPartitionAndOffset() {
        KafkaIngestDeserializer d = new KafkaIngestDeserializer(EventParserTest.PARSER);
        List<IngestRecord> out = new ArrayList<>();
        Collector<IngestRecord> collector = new Collector<>() {
            @Override
            public void collect(IngestRecord record) {
                out.add(record);
            }

            @Override
            public void close() {}
        };
        d.deserialize(new ConsumerRecord<>("events", 2, 1234L, null,
                "{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":1}".getBytes(StandardCharsets.UTF_8)), collector);
        d.deserialize(new ConsumerRecord<>("events", 2, 1235L, null, "{oops".getBytes(StandardCharsets.UTF_8)),
                collector);
        d.deserialize(new ConsumerRecord<byte[], byte[]>("events", 0, 7L, null, null), collector);
        assertThat(out).hasSize(3);
        assertThat(out.get(0).event.source).isEqualTo("kafka:events/2");
        assertThat(out.get(0).event.position).isEqualTo(1234L);
        assertThat(out.get(0).event.eventId).isEqualTo("kafka:events/2#1234");
        assertThat(out.get(1).rejected.reason).isEqualTo("MALFORMED");
        assertThat(out.get(1).rejected.position).isEqualTo(1235L);
        assertThat(out.get(2).rejected.reason).isEqualTo("MALFORMED");
        assertThat(out.get(2).rejected.source).isEqualTo("kafka:events/0");
    }

    @Test
    void kafkaSourceIsUnboundedAndSerializable() throws Exception {
        Properties extra = new Properties();
        extra.setProperty("client.id.prefix", "jc");
        KafkaSource<IngestRecord> source =
                EventSources.kafka("localhost:9092", "events", "journey-cep", EventParser.withDefaults(), extra);
        assertThat(source.getBoundedness()).isEqualTo(Boundedness.CONTINUOUS_UNBOUNDED);
        KafkaSource<?> copy = InstantiationUtil.clone(source);
        assertThat(copy).isNotNull();
    }

    @Test
    void fileSourceIsBoundedAndSerializable() throws Exception {
        FileSource<IngestRecord> source = EventSources.files(List.of(Path.of("a.csv")), InputFormat.CSV,
                CsvMapping.named("rees46"), EventParser.withDefaults());
        assertThat(source.getBoundedness()).isEqualTo(Boundedness.BOUNDED);
        assertThat(InstantiationUtil.clone(source)).isNotNull();
    }

    @Test
    void fileSourceArgumentsAreChecked() {
        EventParser p = EventParser.withDefaults();
        assertThatThrownBy(() -> EventSources.files(List.of(Path.of("a.csv")), InputFormat.CSV, null, p))
                .hasMessageContaining("CSV mapping");
        assertThatThrownBy(() -> EventSources.files(List.of(), InputFormat.JSONL, null, p))
                .hasMessageContaining("no input files");
        assertThatThrownBy(() -> EventSources.files(List.of(Path.of("x/a.jsonl"), Path.of("y/a.jsonl")),
                        InputFormat.JSONL, null, p))
                .hasMessageContaining("same name");
    }
}
