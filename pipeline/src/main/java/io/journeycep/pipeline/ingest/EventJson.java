package io.journeycep.pipeline.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.journeycep.model.JourneyEvent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * Writes a {@link JourneyEvent} in the flat input shape (DESIGN §2), one line of JSON without a trailing newline.
 * {@link EventParser#parseJson} reads it back to an equal event when given the same source and position (these two
 * are where a record was read, not part of the record, so they are not written).
 *
 * <p>{@code event_type} is the canonical wire name; the original event name goes to the optional
 * {@code source_event_name} so it survives the round trip. {@code ts} is ISO-8601 UTC with milliseconds when not 0.
 * Absent (null) fields are omitted.
 */
public final class EventJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private EventJson() {}

    public static byte[] toFlatJson(JourneyEvent e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            str(g, "event_id", e.eventId);
            str(g, "event_type", e.type == null ? null : e.type.wireName());
            str(g, "source_event_name", e.sourceEventName);
            str(g, "user_id", e.userId);
            str(g, "anonymous_id", e.anonymousId);
            str(g, "session_id", e.sessionId);
            g.writeStringField("ts", Instant.ofEpochMilli(e.timestamp).toString());
            str(g, "item_id", e.itemId);
            str(g, "category_id", e.categoryId);
            if (e.price != null) {
                g.writeNumberField("price", e.price);
            }
            str(g, "currency", e.currency);
            if (e.quantity != null) {
                g.writeNumberField("quantity", e.quantity);
            }
            str(g, "ip", e.ip);
            str(g, "device_id", e.deviceId);
            str(g, "card_id", e.cardId);
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    private static void str(JsonGenerator g, String field, String value) throws IOException {
        if (value != null) {
            g.writeStringField(field, value);
        }
    }
}
