package io.journeycep.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import io.journeycep.sinks.RejectReason;
import io.journeycep.sinks.RejectedEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventParserTest {
    static final long NOW = Instant.parse("2026-11-22T12:00:00Z").toEpochMilli();
    static final EventParser PARSER =
            new EventParser(ParserSettings.defaults().withClock(WallClock.fixed(NOW)));
    static final String SRC = "kafka:events/3";

    static IngestRecord parse(String json) {
        return PARSER.parseJson(json.getBytes(StandardCharsets.UTF_8), SRC, 42);
    }

    static JourneyEvent accepted(String json) {
        IngestRecord r = parse(json);
        assertThat(r.rejected).as("rejection of %s", json).isNull();
        assertThat(r.isAccepted()).isTrue();
        return r.event;
    }

    static RejectedEvent rejected(String json, RejectReason reason, String... detailMentions) {
        IngestRecord r = parse(json);
        assertThat(r.event).as("accepted %s", json).isNull();
        assertThat(r.rejected.reason).as(r.rejected.toString()).isEqualTo(reason.name());
        assertThat(r.rejected.detail).isNotBlank();
        if (detailMentions.length > 0) {
            assertThat(r.rejected.detail).contains(detailMentions);
        }
        assertThat(r.rejected.source).isEqualTo(SRC);
        assertThat(r.rejected.position).isEqualTo(42);
        assertThat(r.rejected.raw).isEqualTo(json.getBytes(StandardCharsets.UTF_8));
        assertThat(r.rejected.receivedAt).isEqualTo(NOW);
        return r.rejected;
    }

    // ------------------------------------------------------------------ Segment / RudderStack shape

    @Test
    void segmentTrackWithAllFields() {
        JourneyEvent e = accepted("{\"type\":\"track\",\"event\":\"Product Added\",\"messageId\":\"m-1\","
                + "\"userId\":\"u-42\",\"anonymousId\":\"a-9\",\"timestamp\":\"2026-11-22T10:15:30.120Z\","
                + "\"properties\":{\"product_id\":\"p-7\",\"price\":129.0,\"currency\":\"EUR\",\"quantity\":1,"
                + "\"category\":\"Games\",\"card_id\":\"c-1\"},"
                + "\"context\":{\"ip\":\"203.0.113.5\",\"userAgent\":\"x\",\"device\":{\"id\":\"d-3\"},"
                + "\"sessionId\":\"s-1\"}}");
        assertThat(e.eventId).isEqualTo("m-1");
        assertThat(e.type).isEqualTo(EventType.CART_ADD);
        assertThat(e.sourceEventName).isEqualTo("Product Added");
        assertThat(e.userId).isEqualTo("u-42");
        assertThat(e.anonymousId).isEqualTo("a-9");
        assertThat(e.timestamp).isEqualTo(Instant.parse("2026-11-22T10:15:30.120Z").toEpochMilli());
        assertThat(e.itemId).isEqualTo("p-7");
        assertThat(e.price).isEqualTo(129.0);
        assertThat(e.currency).isEqualTo("EUR");
        assertThat(e.quantity).isEqualTo(1);
        assertThat(e.categoryId).isEqualTo("Games");
        assertThat(e.cardId).isEqualTo("c-1");
        assertThat(e.ip).isEqualTo("203.0.113.5");
        assertThat(e.deviceId).isEqualTo("d-3");
        assertThat(e.sessionId).isEqualTo("s-1");
        assertThat(e.source).isEqualTo(SRC);
        assertThat(e.position).isEqualTo(42);
    }

    @Test
    void segmentItemFallsBackToSkuThenIdAndSessionToProperties() {
        JourneyEvent e = accepted("{\"type\":\"track\",\"event\":\"Product Viewed\",\"anonymousId\":\"a-1\","
                + "\"timestamp\":\"2026-11-22T10:00:00Z\",\"properties\":{\"sku\":\"S-1\",\"id\":\"I-1\","
                + "\"session_id\":\"s-9\"}}");
        assertThat(e.itemId).isEqualTo("S-1");
        assertThat(e.sessionId).isEqualTo("s-9");
        assertThat(e.userId).isNull();
        assertThat(e.type).isEqualTo(EventType.VIEW);
        JourneyEvent f = accepted("{\"type\":\"track\",\"event\":\"Product Viewed\",\"anonymousId\":\"a-1\","
                + "\"timestamp\":\"2026-11-22T10:00:00Z\",\"properties\":{\"id\":\"I-1\"}}");
        assertThat(f.itemId).isEqualTo("I-1");
    }

    @Test
    void segmentOrderCompletedPriceFallsBackToTotal() {
        JourneyEvent e = accepted("{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"u\","
                + "\"timestamp\":\"2026-11-22T10:00:00Z\",\"properties\":{\"total\":\"250.5\",\"revenue\":200}}");
        assertThat(e.type).isEqualTo(EventType.PURCHASE);
        assertThat(e.price).isEqualTo(250.5);
    }

    @Test
    void segmentPageAndScreenArePageViews() {
        JourneyEvent p = accepted("{\"type\":\"page\",\"name\":\"Home\",\"userId\":\"u\","
                + "\"timestamp\":\"2026-11-22T10:00:00Z\"}");
        assertThat(p.type).isEqualTo(EventType.PAGE);
        assertThat(p.sourceEventName).isEqualTo("page");
        JourneyEvent s = accepted("{\"type\":\"Screen\",\"userId\":\"u\",\"timestamp\":\"2026-11-22T10:00:00Z\"}");
        assertThat(s.type).isEqualTo(EventType.PAGE);
        assertThat(s.sourceEventName).isEqualTo("screen");
    }

    @Test
    void segmentIdentifyKeepsBothIds() {
        JourneyEvent e = accepted("{\"type\":\"identify\",\"messageId\":\"m-5\",\"userId\":\"u-42\","
                + "\"anonymousId\":\"a-9\",\"timestamp\":\"2026-11-22T10:00:00Z\",\"traits\":{\"email\":\"x\"}}");
        assertThat(e.type).isEqualTo(EventType.OTHER);
        assertThat(e.sourceEventName).isEqualTo("identify");
        assertThat(e.userId).isEqualTo("u-42");
        assertThat(e.anonymousId).isEqualTo("a-9");
    }

    @Test
    void segmentAliasLinksThePreviousIdToTheUserAsAnEventWithBothIds() {
        JourneyEvent e = accepted("{\"type\":\"alias\",\"messageId\":\"m-6\",\"previousId\":\"a-9\","
                + "\"userId\":\"u-42\",\"timestamp\":\"2026-11-22T10:00:00Z\"}");
        assertThat(e.type).isEqualTo(EventType.OTHER);
        assertThat(e.sourceEventName).isEqualTo("alias");
        assertThat(e.userId).isEqualTo("u-42");
        assertThat(e.anonymousId).isEqualTo("a-9");
        rejected("{\"type\":\"alias\",\"userId\":\"u-42\",\"timestamp\":\"2026-11-22T10:00:00Z\"}",
                RejectReason.MISSING_USER, "'previousId'");
        rejected("{\"type\":\"alias\",\"previousId\":\"a-9\",\"timestamp\":\"2026-11-22T10:00:00Z\"}",
                RejectReason.MISSING_USER, "'userId'");
    }

    @Test
    void segmentTimeFallsBackToOriginalTimestampButNeverToSentAt() {
        JourneyEvent e = accepted("{\"type\":\"track\",\"event\":\"Signed In\",\"userId\":\"u\","
                + "\"originalTimestamp\":\"2026-11-22T09:00:00+01:00\",\"sentAt\":\"2026-11-22T11:00:00Z\"}");
        assertThat(e.timestamp).isEqualTo(Instant.parse("2026-11-22T08:00:00Z").toEpochMilli());
        assertThat(e.type).isEqualTo(EventType.LOGIN);
        rejected("{\"type\":\"track\",\"event\":\"Signed In\",\"userId\":\"u\","
                + "\"sentAt\":\"2026-11-22T11:00:00Z\"}", RejectReason.MISSING_TIME, "timestamp");
    }

    @Test
    void segmentWithoutTypeButWithEventIsTrack() {
        JourneyEvent e = accepted("{\"event\":\"Products Searched\",\"userId\":7,"
                + "\"timestamp\":1795000000000}");
        assertThat(e.type).isEqualTo(EventType.SEARCH);
        assertThat(e.userId).isEqualTo("7");
        assertThat(e.timestamp).isEqualTo(1_795_000_000_000L);
    }

    @Test
    void rudderStackNumericSessionIdIsText() {
        JourneyEvent e = accepted("{\"type\":\"track\",\"event\":\"Product Viewed\",\"userId\":\"u\","
                + "\"timestamp\":\"2026-11-22T10:00:00.000Z\",\"context\":{\"sessionId\":1763800000000}}");
        assertThat(e.sessionId).isEqualTo("1763800000000");
    }

    // ------------------------------------------------------------------ flat shape

    @Test
    void flatWithIsoTime() {
        JourneyEvent e = accepted("{\"event_id\":\"e-1\",\"event_type\":\"cart_add\",\"user_id\":\"u-42\","
                + "\"session_id\":\"s-1\",\"ts\":\"2026-11-22T10:15:30.120Z\",\"item_id\":\"p-7\",\"price\":129.0,"
                + "\"ip\":\"203.0.113.5\",\"device_id\":\"d-3\",\"card_id\":\"c-1\",\"category_id\":\"cat\","
                + "\"currency\":\"EUR\",\"quantity\":\"2\",\"anonymous_id\":\"a-1\"}");
        assertThat(e.eventId).isEqualTo("e-1");
        assertThat(e.type).isEqualTo(EventType.CART_ADD);
        assertThat(e.sourceEventName).isEqualTo("cart_add");
        assertThat(e.userId).isEqualTo("u-42");
        assertThat(e.anonymousId).isEqualTo("a-1");
        assertThat(e.sessionId).isEqualTo("s-1");
        assertThat(e.timestamp).isEqualTo(Instant.parse("2026-11-22T10:15:30.120Z").toEpochMilli());
        assertThat(e.itemId).isEqualTo("p-7");
        assertThat(e.categoryId).isEqualTo("cat");
        assertThat(e.price).isEqualTo(129.0);
        assertThat(e.currency).isEqualTo("EUR");
        assertThat(e.quantity).isEqualTo(2);
        assertThat(e.ip).isEqualTo("203.0.113.5");
        assertThat(e.deviceId).isEqualTo("d-3");
        assertThat(e.cardId).isEqualTo("c-1");
    }

    @Test
    void flatWithEpochMillisNumberAndString() {
        long ms = Instant.parse("2026-11-22T10:15:30.120Z").toEpochMilli();
        assertThat(accepted("{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":" + ms + "}").timestamp)
                .isEqualTo(ms);
        assertThat(accepted("{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":\"" + ms + "\"}").timestamp)
                .isEqualTo(ms);
        assertThat(accepted("{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":1.7951e12}").timestamp)
                .isEqualTo(1_795_100_000_000L);
    }

    @Test
    void isoVariantsAreUtcUnlessAnOffsetIsGiven() {
        long base = Instant.parse("2026-11-22T10:15:30Z").toEpochMilli();
        for (String ts : new String[] {"2026-11-22T10:15:30Z", "2026-11-22T10:15:30", "2026-11-22 10:15:30",
                "2026-11-22 10:15:30 UTC", "2026-11-22T12:15:30+02:00", "2026-11-22T10:15:30.000000Z"}) {
            assertThat(accepted("{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":\"" + ts + "\"}").timestamp)
                    .as(ts)
                    .isEqualTo(base);
        }
    }

    @Test
    void flatRawNamesGoThroughTheMappingAndKeepTheSourceName() {
        JourneyEvent e = accepted("{\"event_type\":\" addtocart \",\"anonymous_id\":\"a\",\"ts\":1}");
        assertThat(e.type).isEqualTo(EventType.CART_ADD);
        assertThat(e.sourceEventName).isEqualTo("addtocart");
        assertThat(accepted("{\"event_type\":\"Wishlist Added\",\"user_id\":\"u\",\"ts\":1}").type)
                .isEqualTo(EventType.OTHER);
    }

    @Test
    void missingIdGetsStableSourcePositionId() {
        JourneyEvent e = accepted("{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":1}");
        assertThat(e.eventId).isEqualTo("kafka:events/3#42");
        JourneyEvent again = accepted("{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":1}");
        assertThat(again).isEqualTo(e);
        JourneyEvent seg = accepted("{\"type\":\"track\",\"event\":\"x\",\"userId\":\"u\",\"timestamp\":1}");
        assertThat(seg.eventId).isEqualTo("kafka:events/3#42");
    }

    @Test
    void blankStringsCountAsAbsentAndValuesAreTrimmed() {
        JourneyEvent e = accepted("{\"event_type\":\"view\",\"user_id\":\"  \",\"anonymous_id\":\" a-1 \","
                + "\"ts\":1,\"item_id\":\"\",\"price\":\"\"}");
        assertThat(e.userId).isNull();
        assertThat(e.anonymousId).isEqualTo("a-1");
        assertThat(e.itemId).isNull();
        assertThat(e.price).isNull();
    }

    @Test
    void futureBoundIsInclusive() {
        long limit = NOW + Duration.ofHours(1).toMillis();
        assertThat(accepted("{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":" + limit + "}").timestamp)
                .isEqualTo(limit);
    }

    @Test
    void parserIsSerializable() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        parse("{}"); // initialises the transient reader first
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(PARSER);
        }
        EventParser back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (EventParser) in.readObject();
        }
        IngestRecord r = back.parseJson("{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":1}"
                .getBytes(StandardCharsets.UTF_8), "s", 1);
        assertThat(r.isAccepted()).isTrue();
        assertThat(back.parseJson(new byte[] {'{'}, "s", 2).rejected.reason).isEqualTo("MALFORMED");
    }

    // ------------------------------------------------------------------ one test per reject reason

    @Test
    void tooLargeIsCheckedFirstWithoutParsing() {
        EventParser small = new EventParser(ParserSettings.defaults().withClock(WallClock.fixed(NOW))
                .withMaxRecordBytes(64));
        byte[] raw = new byte[65];
        raw[0] = (byte) 0xff; // also bad UTF-8 and not JSON: size wins
        IngestRecord r = small.parseJson(raw, SRC, 1);
        assertThat(r.rejected.reason).isEqualTo("TOO_LARGE");
        assertThat(r.rejected.detail).contains("65 bytes").contains("limit of 64");
        assertThat(r.rejected.raw).as("the first max-record-bytes bytes").isEqualTo(java.util.Arrays.copyOf(raw, 64));
    }

    /**
     * Found by BadRecordCorpusIT: a 700 KB record on Kafka (under the broker's 1 MB limit) kept whole made a 1.6 MB
     * dead-letter record (Base64 and text), which the Kafka sink could not send: the job failed and restarted on it
     * forever. A TOO_LARGE rejection keeps the record's first max-record-bytes bytes, the detail its full length.
     */
    @Test
    void tooLargeKeepsAPrefixOfMaxRecordBytesSoTheDeadLetterFitsTheOutput() {
        byte[] raw = new byte[700_000];
        java.util.Arrays.fill(raw, (byte) 'p');
        IngestRecord r = PARSER.parseJson(raw, SRC, 7);
        assertThat(r.rejected.reason).isEqualTo("TOO_LARGE");
        assertThat(r.rejected.detail).contains("700000 bytes").contains("limit of 65536");
        assertThat(r.rejected.raw).hasSize(65_536).isEqualTo(java.util.Arrays.copyOf(raw, 65_536));
        assertThat(io.journeycep.sinks.json.OutputJson.rejected(r.rejected).length).as("dead-letter JSON bytes")
                .isLessThan(200_000);
        byte[] csv = new byte[70_000];
        java.util.Arrays.fill(csv, (byte) 'c');
        IngestRecord line = new CsvEventParser(CsvMapping.named("rees46"), PARSER).parseLine(csv, "file:x.csv", 2);
        assertThat(line.rejected.reason).isEqualTo("TOO_LARGE");
        assertThat(line.rejected.raw).hasSize(65_536);
        byte[] fits = new byte[65_536];
        java.util.Arrays.fill(fits, (byte) ' ');
        assertThat(PARSER.parseJson(fits, SRC, 8).rejected.raw).as("a record at the limit is kept whole")
                .isEqualTo(fits);
    }

    /**
     * Found by BadRecordCorpusIT: a user id of 1024 CJK characters (3072 bytes) was accepted, and its alert and
     * segment rows failed PostgreSQL's btree limit (2704 bytes per index entry on alerts.subject_key and the
     * segment_membership key): the JDBC sinks failed the job on every restart. Text fields are limited to 1024 bytes
     * of UTF-8, not 1024 characters.
     */
    @Test
    void textFieldsAreLimitedTo1024BytesOfUtf8() {
        String cjk1024Bytes = "\u4e2d".repeat(341) + "x"; // 341 * 3 + 1 = 1024 bytes
        assertThat(accepted("{\"event_type\":\"view\",\"user_id\":\"" + cjk1024Bytes + "\",\"ts\":1}").userId)
                .isEqualTo(cjk1024Bytes);
        rejected("{\"event_type\":\"view\",\"user_id\":\"" + cjk1024Bytes + "x\",\"ts\":1}",
                RejectReason.BAD_FIELD, "user_id", "longer than 1024 bytes in UTF-8 (1025 bytes, 343 characters)");
        rejected("{\"event_type\":\"view\",\"user_id\":\"" + "\u4e2d".repeat(1024) + "\",\"ts\":1}",
                RejectReason.BAD_FIELD, "user_id", "3072 bytes, 1024 characters");
        String emoji = "\uD83D\uDED2".repeat(256); // 4 bytes each: 1024 bytes, 512 chars
        assertThat(accepted("{\"event_type\":\"view\",\"user_id\":\"" + emoji + "\",\"ts\":1}").userId)
                .isEqualTo(emoji);
        rejected("{\"event_type\":\"view\",\"user_id\":\"" + emoji + "\u00e9\",\"ts\":1}",
                RejectReason.BAD_FIELD, "1026 bytes");
        rejected("{\"event_type\":\"view\",\"user_id\":\"" + "u".repeat(1025) + "\",\"ts\":1}",
                RejectReason.BAD_FIELD, "longer than 1024 bytes in UTF-8");
    }

    @Test
    void badEncoding() {
        byte[] raw = "{\"event_type\":\"view\",\"user_id\":\"u\u00e9\",\"ts\":1}".getBytes(StandardCharsets.UTF_8);
        raw[31] = (byte) 0xc3;
        raw[32] = (byte) 0x28; // invalid continuation
        IngestRecord r = PARSER.parseJson(raw, SRC, 42);
        assertThat(r.rejected.reason).isEqualTo("BAD_ENCODING");
        assertThat(r.rejected.detail).contains("UTF-8").contains("offset 31");
        assertThat(r.rejected.raw).isEqualTo(raw);
        // overlong encoding, lone surrogate, truncated sequence
        for (byte[] bad : new byte[][] {{'"', (byte) 0xc0, (byte) 0xaf, '"'},
                {'"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'}, {'"', (byte) 0xe2, (byte) 0x82}}) {
            assertThat(PARSER.parseJson(bad, SRC, 1).rejected.reason).isEqualTo("BAD_ENCODING");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "{\"a\":1", "[1,2]", "\"text\"", "42", "null", "{\"a\":1} trailing",
            "{\"a\":1}{\"b\":2}", "{\"a\":1,\"a\":2}", "  ", "{'a':1}", "{\"a\":\u0001}"})
    void malformed(String json) {
        rejected(json, RejectReason.MALFORMED);
    }

    @Test
    void malformedDetailsSayWhat() {
        rejected("[1]", RejectReason.MALFORMED, "expected a JSON object", "array");
        rejected("{\"event_type\":\"view\"} x", RejectReason.MALFORMED, "not valid JSON", "line 1");
        rejected("{\"user_id\":\"a\",\"user_id\":\"b\"}", RejectReason.MALFORMED, "user_id");
        assertThat(PARSER.parseJson(new byte[0], SRC, 1).rejected.detail).contains("empty");
        assertThat(PARSER.parseJson(null, SRC, 1).rejected.reason).isEqualTo("MALFORMED");
    }

    @Test
    void deepNestingIsMalformedNotAStackOverflow() {
        String deep = "{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":1,\"x\":" + "[".repeat(5000)
                + "]".repeat(5000) + "}";
        rejected(deep, RejectReason.MALFORMED, "limit");
    }

    @Test
    void hugeNumbersAreHandled() {
        rejected("{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":1,\"price\":" + "9".repeat(5000) + "}",
                RejectReason.MALFORMED, "limit");
        rejected("{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":1,\"price\":1e400}",
                RejectReason.BAD_FIELD, "price");
        rejected("{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":1,\"quantity\":99999999999999999999}",
                RejectReason.BAD_FIELD, "quantity");
        rejected("{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":99999999999999999999}",
                RejectReason.BAD_TIME, "ts");
        rejected("{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":\"99999999999999999999\"}",
                RejectReason.BAD_TIME, "ts");
    }

    @Test
    void unknownShape() {
        rejected("{\"foo\":1,\"bar\":\"x\"}", RejectReason.UNKNOWN_SHAPE, "'type'", "'event_type'");
        rejected("{\"type\":\"batch\",\"batch\":[]}", RejectReason.UNKNOWN_SHAPE, "'type'", "batch");
        rejected("{}", RejectReason.UNKNOWN_SHAPE);
    }

    @Test
    void missingUser() {
        rejected("{\"type\":\"track\",\"event\":\"Product Viewed\",\"timestamp\":\"2026-11-22T10:00:00Z\"}",
                RejectReason.MISSING_USER, "userId", "anonymousId");
        rejected("{\"event_type\":\"view\",\"user_id\":\"\",\"ts\":1}", RejectReason.MISSING_USER, "user_id",
                "anonymous_id");
    }

    @Test
    void missingTime() {
        rejected("{\"type\":\"track\",\"event\":\"Product Viewed\",\"userId\":\"u\"}", RejectReason.MISSING_TIME,
                "timestamp");
        rejected("{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":null}", RejectReason.MISSING_TIME, "'ts'");
        rejected("{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":\" \"}", RejectReason.MISSING_TIME, "'ts'");
    }

    @Test
    void badTime() {
        rejected("{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":\"yesterday\"}", RejectReason.BAD_TIME, "'ts'",
                "yesterday");
        rejected("{\"type\":\"track\",\"event\":\"x\",\"userId\":\"u\",\"timestamp\":\"2026-13-45T99:00:00Z\"}",
                RejectReason.BAD_TIME, "'timestamp'");
        rejected("{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":{\"s\":1}}", RejectReason.BAD_TIME, "'ts'",
                "object");
        rejected("{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":-5}", RejectReason.BAD_TIME, "'ts'");
        rejected("{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":1.5}", RejectReason.BAD_TIME, "'ts'");
        // a present but bad timestamp does not fall back to originalTimestamp
        rejected("{\"type\":\"track\",\"event\":\"x\",\"userId\":\"u\",\"timestamp\":\"bad\","
                + "\"originalTimestamp\":\"2026-11-22T10:00:00Z\"}", RejectReason.BAD_TIME, "'timestamp'");
    }

    @Test
    void futureTime() {
        long tooFar = NOW + Duration.ofHours(1).toMillis() + 1;
        rejected("{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":" + tooFar + "}", RejectReason.FUTURE_TIME,
                "'ts'", "PT1H");
        rejected("{\"type\":\"track\",\"event\":\"x\",\"userId\":\"u\",\"timestamp\":\"2030-01-01T00:00:00Z\"}",
                RejectReason.FUTURE_TIME, "'timestamp'");
        EventParser lenient = new EventParser(ParserSettings.defaults().withClock(WallClock.fixed(NOW))
                .withMaxFutureSkew(Duration.ofDays(3650)));
        assertThat(lenient.parseJson(("{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":\"2030-01-01T00:00:00Z\"}")
                .getBytes(StandardCharsets.UTF_8), SRC, 1).isAccepted()).isTrue();
    }

    @Test
    void missingType() {
        rejected("{\"type\":\"track\",\"userId\":\"u\",\"timestamp\":\"2026-11-22T10:00:00Z\"}",
                RejectReason.MISSING_TYPE, "'event'");
        rejected("{\"type\":\"track\",\"event\":\" \",\"userId\":\"u\",\"timestamp\":\"2026-11-22T10:00:00Z\"}",
                RejectReason.MISSING_TYPE, "'event'");
        rejected("{\"user_id\":\"u\",\"ts\":1}", RejectReason.MISSING_TYPE, "'event_type'");
    }

    @Test
    void badField() {
        String base = "{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":1,";
        rejected(base + "\"price\":\"abc\"}", RejectReason.BAD_FIELD, "'price'", "abc");
        rejected(base + "\"price\":NaN}", RejectReason.BAD_FIELD, "'price'", "finite");
        rejected(base + "\"price\":Infinity}", RejectReason.BAD_FIELD, "'price'", "finite");
        rejected(base + "\"price\":\"NaN\"}", RejectReason.BAD_FIELD, "'price'");
        rejected(base + "\"price\":-1}", RejectReason.BAD_FIELD, "'price'", "negative");
        rejected(base + "\"price\":true}", RejectReason.BAD_FIELD, "'price'", "boolean");
        rejected(base + "\"quantity\":-1}", RejectReason.BAD_FIELD, "'quantity'", "negative");
        rejected(base + "\"quantity\":1.5}", RejectReason.BAD_FIELD, "'quantity'", "whole");
        rejected(base + "\"quantity\":\"two\"}", RejectReason.BAD_FIELD, "'quantity'");
        rejected(base + "\"item_id\":{\"a\":1}}", RejectReason.BAD_FIELD, "'item_id'", "object");
        rejected(base + "\"item_id\":1.5}", RejectReason.BAD_FIELD, "'item_id'");
        rejected(base + "\"item_id\":\"a\\u0000b\"}", RejectReason.BAD_FIELD, "'item_id'", "control");
        rejected(base + "\"item_id\":\"a\\ud800b\"}", RejectReason.BAD_FIELD, "'item_id'", "surrogate");
        rejected(base + "\"item_id\":\"" + "x".repeat(2000) + "\"}", RejectReason.BAD_FIELD, "'item_id'",
                "longer");
        rejected("{\"event_type\":\"view\",\"user_id\":[\"u\"],\"ts\":1}", RejectReason.BAD_FIELD, "'user_id'");
        rejected("{\"type\":\"track\",\"event\":\"x\",\"userId\":\"u\",\"timestamp\":1,\"properties\":"
                + "{\"price\":\"12,5\"}}", RejectReason.BAD_FIELD, "'properties.price'");
        rejected("{\"type\":\"track\",\"event\":\"x\",\"userId\":\"u\",\"timestamp\":1,\"context\":\"web\"}",
                RejectReason.BAD_FIELD, "'context'");
        rejected("{\"type\":\"track\",\"event\":\"x\",\"userId\":\"u\",\"timestamp\":1,\"context\":"
                + "{\"device\":{\"id\":true}}}", RejectReason.BAD_FIELD, "'context.device.id'");
        rejected("{\"type\":\"track\",\"event\":\"x\",\"userId\":\"u\",\"timestamp\":1,\"properties\":"
                + "{\"quantity\":-3}}", RejectReason.BAD_FIELD, "'properties.quantity'");
    }

    /** A parser with the bounds a shop would configure: prices up to 1e9, quantities up to a million. */
    static final EventParser BOUNDED = new EventParser(ParserSettings.defaults().withClock(WallClock.fixed(NOW))
            .withMaxPrice(1e9).withMaxQuantity(1_000_000));

    static RejectedEvent rejectedWithBounds(String json, String... detailMentions) {
        byte[] raw = json.getBytes(StandardCharsets.UTF_8);
        IngestRecord r = BOUNDED.parseJson(raw, SRC, 42);
        assertThat(r.event).as("accepted %s", json).isNull();
        assertThat(r.rejected.reason).as(r.rejected.toString()).isEqualTo(RejectReason.BAD_FIELD.name());
        assertThat(r.rejected.detail).contains(detailMentions);
        assertThat(r.rejected.raw).isEqualTo(raw);
        assertThat(r.rejected.position).isEqualTo(42);
        return r.rejected;
    }

    @Test
    void numbersAboveTheConfiguredBoundsAreRejectedNamingTheField() {
        String base = "{\"event_type\":\"cart_add\",\"user_id\":\"u\",\"ts\":1,";
        rejectedWithBounds(base + "\"price\":1e308}", "'price'", "parser.max-price", "1000000000", "1.0E308");
        rejectedWithBounds(base + "\"price\":\"1000000000.01\"}", "'price'", "1000000000.01");
        rejectedWithBounds(base + "\"quantity\":1000001}", "'quantity'", "parser.max-quantity", "1000000", "1000001");
        rejectedWithBounds(base + "\"quantity\":\"2147483647\"}", "'quantity'", "2147483647");
        String track = "{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"u\",\"timestamp\":1,"
                + "\"properties\":";
        rejectedWithBounds(track + "{\"price\":1e10}}", "'properties.price'");
        rejectedWithBounds(track + "{\"total\":1.7e308}}", "'properties.total'");
        rejectedWithBounds(track + "{\"revenue\":\"5e9\"}}", "'properties.revenue'");
        rejectedWithBounds(track + "{\"price\":5,\"quantity\":2000000}}", "'properties.quantity'");
        // not finite: rejected whatever the bound
        rejectedWithBounds(base + "\"price\":NaN}", "'price'", "finite");
        rejectedWithBounds(base + "\"price\":-Infinity}", "'price'", "finite");
        rejectedWithBounds(track + "{\"price\":1e400}}", "'properties.price'", "finite");

        JourneyEvent atTheBounds = BOUNDED.parseJson((base + "\"price\":1e9,\"quantity\":1000000}")
                .getBytes(StandardCharsets.UTF_8), SRC, 1).event;
        assertThat(atTheBounds).as("the bounds are inclusive").isNotNull();
        assertThat(atTheBounds.price).isEqualTo(1e9);
        assertThat(atTheBounds.quantity).isEqualTo(1_000_000);
    }

    @Test
    void byDefaultPricesAboveATrillionAndQuantitiesAboveAMillionAreRejectedNamingTheField() {
        assertThat(ParserSettings.defaults().maxPrice()).isEqualTo(1e12).isEqualTo(ParserSettings.DEFAULT_MAX_PRICE);
        assertThat(ParserSettings.defaults().maxQuantity()).isEqualTo(1_000_000)
                .isEqualTo(ParserSettings.DEFAULT_MAX_QUANTITY);
        String base = "{\"event_type\":\"purchase\",\"user_id\":\"u\",\"ts\":1,";
        for (String[] c : new String[][] {
                {"\"price\":1e308}", "'price'", "parser.max-price", "1000000000000", "1.0E308"},
                {"\"price\":\"1.7e308\"}", "'price'", "parser.max-price"},
                {"\"price\":1000000000000.5}", "'price'", "parser.max-price"},
                {"\"quantity\":2147483647}", "'quantity'", "parser.max-quantity", "1000000", "2147483647"},
                {"\"quantity\":1000001}", "'quantity'", "parser.max-quantity"}}) {
            byte[] raw = (base + c[0]).getBytes(StandardCharsets.UTF_8);
            IngestRecord r = PARSER.parseJson(raw, SRC, 7);
            assertThat(r.event).as("accepted %s", c[0]).isNull();
            assertThat(r.rejected.reason).as(c[0]).isEqualTo(RejectReason.BAD_FIELD.name());
            assertThat(r.rejected.detail).as(c[0]).contains(java.util.Arrays.copyOfRange(c, 1, c.length));
        }
        JourneyEvent atTheBounds = accepted(base + "\"price\":1e12,\"quantity\":1000000}");
        assertThat(atTheBounds.price).isEqualTo(1e12);
        assertThat(atTheBounds.quantity).isEqualTo(1_000_000);
    }

    @Test
    void withTheBoundsLiftedEveryFiniteNumberIsAccepted() {
        EventParser unbounded = new EventParser(ParserSettings.defaults().withClock(WallClock.fixed(NOW))
                .withMaxPrice(ParserSettings.UNBOUNDED_PRICE).withMaxQuantity(ParserSettings.UNBOUNDED_QUANTITY));
        JourneyEvent e = unbounded.parseJson(("{\"event_type\":\"purchase\",\"user_id\":\"u\",\"ts\":1,"
                + "\"price\":1.7e308,\"quantity\":2147483647}").getBytes(StandardCharsets.UTF_8), SRC, 1).event;
        assertThat(e).isNotNull();
        assertThat(e.price).isEqualTo(1.7e308);
        assertThat(e.quantity).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void boundsAreValidated() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ParserSettings.defaults().withMaxPrice(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxPrice");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> ParserSettings.defaults().withMaxPrice(Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxPrice");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ParserSettings.defaults().withMaxQuantity(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxQuantity");
    }

    @Test
    void unicodeIdsAndBomAreFine() {
        byte[] body = "{\"event_type\":\"view\",\"user_id\":\"ü-😀\",\"ts\":1}".getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[body.length + 3];
        withBom[0] = (byte) 0xef;
        withBom[1] = (byte) 0xbb;
        withBom[2] = (byte) 0xbf;
        System.arraycopy(body, 0, withBom, 3, body.length);
        IngestRecord r = PARSER.parseJson(withBom, SRC, 1);
        assertThat(r.isAccepted()).as(String.valueOf(r)).isTrue();
        assertThat(r.event.userId).isEqualTo("ü-😀");
    }

    @Test
    void randomGarbageNeverThrows() {
        java.util.Random random = new java.util.Random(7);
        String seed = "{\"type\":\"track\",\"event\":\"Product Added\",\"userId\":\"u\",\"timestamp\":"
                + "\"2026-11-22T10:00:00Z\",\"properties\":{\"price\":1.5,\"quantity\":2},\"context\":{\"device\":"
                + "{\"id\":\"d\"}}}";
        byte[] base = seed.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = base.clone();
            int flips = 1 + random.nextInt(4);
            for (int k = 0; k < flips; k++) {
                b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            }
            IngestRecord r = PARSER.parseJson(b, SRC, i);
            assertThat(r.isAccepted() ^ (r.rejected != null)).isTrue();
        }
    }

    // ------------------------------------------------------------------ privacy

    @Test
    void withAPseudonymizerAcceptedEventsCarryPseudonymsAndRejectionsCanDropTheirRawBytes() {
        io.journeycep.pipeline.privacy.Pseudonymizer p = io.journeycep.pipeline.privacy.Pseudonymizer.of(
                "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        EventParser parser = new EventParser(ParserSettings.defaults().withClock(WallClock.fixed(NOW))
                .withPseudonymizer(p).withDeadLetterRaw(false));
        String json = "{\"type\":\"track\",\"event\":\"Product Added\",\"messageId\":\"m-1\","
                + "\"userId\":\"u-42\",\"anonymousId\":\"a-9\",\"timestamp\":\"2026-11-22T10:15:30.120Z\","
                + "\"properties\":{\"card_id\":\"c-1\"},"
                + "\"context\":{\"ip\":\"203.0.113.5\",\"device\":{\"id\":\"d-3\"}}}";
        JourneyEvent e = parser.parseJson(json.getBytes(StandardCharsets.UTF_8), SRC, 42).event;
        assertThat(e.userId).isEqualTo("p1:IGXtEJTKLmVbjA3aFApBbg");
        assertThat(e.anonymousId).isEqualTo("p1:acSzIOrwlJ1pftro4JAjRQ");
        assertThat(e.ip).isEqualTo("p1:hO7lXe5K5cY-v8cnTYmdBA");
        assertThat(e.deviceId).startsWith("p1:");
        assertThat(e.cardId).startsWith("p1:");
        assertThat(e.eventId).isEqualTo("m-1");
        assertThat(e.toString()).doesNotContain("u-42", "a-9", "d-3", "c-1", "203.0.113");

        RejectedEvent r = parser.parseJson("{\"user_id\":\"u-42\"}".getBytes(StandardCharsets.UTF_8), SRC, 43)
                .rejected;
        assertThat(r.reason).isEqualTo(RejectReason.MISSING_TIME.name());
        assertThat(r.raw).isEmpty();
        assertThat(PARSER.parseJson("{\"user_id\":\"u-42\"}".getBytes(StandardCharsets.UTF_8), SRC, 43).rejected.raw)
                .as("by default the raw bytes are kept").isNotEmpty();
    }
}
