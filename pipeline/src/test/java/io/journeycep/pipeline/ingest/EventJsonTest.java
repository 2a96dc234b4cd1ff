package io.journeycep.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventJsonTest {
    static final EventParser PARSER = EventParserTest.PARSER;

    private static JourneyEvent roundTrip(JourneyEvent e) {
        byte[] json = EventJson.toFlatJson(e);
        IngestRecord r = PARSER.parseJson(json, e.source, e.position);
        assertThat(r.rejected).as(new String(json, StandardCharsets.UTF_8)).isNull();
        return r.event;
    }

    @Test
    void fullEventRoundTrips() {
        JourneyEvent e = new JourneyEvent();
        e.eventId = "m-1";
        e.type = EventType.CART_ADD;
        e.sourceEventName = "Product Added";
        e.userId = "u-42";
        e.anonymousId = "a-9";
        e.sessionId = "s-1";
        e.timestamp = Instant.parse("2026-11-22T10:15:30.120Z").toEpochMilli();
        e.itemId = "p-7";
        e.categoryId = "c\"at,ü";
        e.price = 129.99;
        e.currency = "EUR";
        e.quantity = 3;
        e.ip = "203.0.113.5";
        e.deviceId = "d-3";
        e.cardId = "c-1";
        e.source = "kafka:events/0";
        e.position = 17;
        assertThat(roundTrip(e)).isEqualTo(e);
        String json = new String(EventJson.toFlatJson(e), StandardCharsets.UTF_8);
        assertThat(json).contains("\"event_type\":\"cart_add\"", "\"ts\":\"2026-11-22T10:15:30.120Z\"",
                "\"source_event_name\":\"Product Added\"");
    }

    @Test
    void sparseEventsRoundTripForEveryType() {
        for (EventType type : EventType.values()) {
            JourneyEvent e = new JourneyEvent();
            e.eventId = "file:x.jsonl#3";
            e.type = type;
            e.sourceEventName = type == EventType.OTHER ? "identify" : type.wireName();
            e.anonymousId = "a-1";
            e.timestamp = 1_569_888_000_000L;
            e.source = "file:x.jsonl";
            e.position = 3;
            assertThat(roundTrip(e)).as(type.name()).isEqualTo(e);
        }
    }

    @Test
    void parsedRecordsRoundTrip() {
        String[] inputs = {
            "{\"type\":\"identify\",\"userId\":\"u\",\"anonymousId\":\"a\",\"timestamp\":\"2026-11-22T10:00:00Z\"}",
            "{\"type\":\"track\",\"event\":\"Coupon Applied\",\"userId\":\"u\",\"timestamp\":1,"
                    + "\"properties\":{\"price\":0.1,\"quantity\":0}}",
            "{\"event_type\":\"addtocart\",\"user_id\":\"u\",\"ts\":1569888000123,\"price\":1e-7}"
        };
        for (String in : inputs) {
            JourneyEvent e = PARSER.parseJson(in.getBytes(StandardCharsets.UTF_8), "kafka:t/1", 9).event;
            assertThat(e).as(in).isNotNull();
            assertThat(roundTrip(e)).as(in).isEqualTo(e);
        }
    }
}
