package io.journeycep.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import io.journeycep.sinks.RejectReason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvEventParserTest {
    static final EventParser PARSER = EventParserTest.PARSER;

    @TempDir
    Path dir;

    static CsvEventParser csv(String mapping) {
        return new CsvEventParser(CsvMapping.named(mapping), PARSER);
    }

    static IngestRecord line(CsvEventParser p, String row, long lineNo) {
        return p.parseLine(row.getBytes(StandardCharsets.UTF_8), "file:x.csv", lineNo);
    }

    static JourneyEvent accepted(CsvEventParser p, String row) {
        IngestRecord r = line(p, row, 7);
        assertThat(r).isNotNull();
        assertThat(r.rejected).as("rejection").isNull();
        return r.event;
    }

    static void rejected(CsvEventParser p, String row, RejectReason reason, String... mentions) {
        IngestRecord r = line(p, row, 7);
        assertThat(r.event).isNull();
        assertThat(r.rejected.reason).as(r.rejected.toString()).isEqualTo(reason.name());
        assertThat(r.rejected.detail).contains(mentions);
        assertThat(r.rejected.source).isEqualTo("file:x.csv");
        assertThat(r.rejected.position).isEqualTo(7);
        assertThat(r.rejected.raw).isEqualTo(row.getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ rees46

    @Test
    void rees46Row() {
        JourneyEvent e = accepted(csv("rees46"), "2019-10-01 00:00:04 UTC,cart,1307067,2053013558920217191,"
                + "computers.notebook,lenovo,251.74,550050854,7c90fc70-0e80-4590-96f3-13c02c18c713\r");
        assertThat(e.type).isEqualTo(EventType.CART_ADD);
        assertThat(e.sourceEventName).isEqualTo("cart");
        assertThat(e.timestamp).isEqualTo(Instant.parse("2019-10-01T00:00:04Z").toEpochMilli());
        assertThat(e.itemId).isEqualTo("1307067");
        assertThat(e.categoryId).isEqualTo("2053013558920217191");
        assertThat(e.price).isEqualTo(251.74);
        assertThat(e.userId).isEqualTo("550050854");
        assertThat(e.sessionId).isEqualTo("7c90fc70-0e80-4590-96f3-13c02c18c713");
        assertThat(e.eventId).isEqualTo("file:x.csv#7");
        assertThat(e.source).isEqualTo("file:x.csv");
        assertThat(e.position).isEqualTo(7);
        assertThat(accepted(csv("rees46"), "2019-10-01 00:00:00 UTC,view,44600062,2103807459595387724,,shiseido,"
                + "35.79,541312140,72d76fde-8bb3-4e00-8c23-a032dfed738c").type).isEqualTo(EventType.VIEW);
        assertThat(accepted(csv("rees46"), "2019-10-01 02:10:00 UTC,purchase,1,2,,,10,3,s").type)
                .isEqualTo(EventType.PURCHASE);
    }

    @Test
    void quotedFieldsWithCommasAndQuotes() {
        JourneyEvent e = accepted(csv("rees46"), "2019-10-01 00:00:04 UTC,view,\"13,07\",2053,"
                + "\"electronics, \"\"smart\"\" phones\",\"acme, inc\",\"1.5\",\"550050854\",s-1");
        assertThat(e.itemId).isEqualTo("13,07");
        assertThat(e.userId).isEqualTo("550050854");
        // a price with a decimal comma is a bad field, not a crash
        assertThat(line(csv("rees46"), "2019-10-01 00:00:04 UTC,view,1,2,,,\"1,5\",3,s", 7).rejected.reason)
                .isEqualTo("BAD_FIELD");
    }

    @Test
    void headerLineIsSkippedNotRejected() {
        CsvEventParser p = csv("rees46");
        String header = "event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session";
        assertThat(line(p, header + "\r", 1)).isNull();
        assertThat(line(p, "\uFEFF" + header, 1)).isNull();
        // a repeated header further down (concatenated exports) is skipped too
        assertThat(line(p, header, 5000)).isNull();
    }

    @Test
    void cutOffRowIsMalformed() {
        rejected(csv("rees46"), "2019-10-01 02:50:00 UTC,view,10900305,2053013555069845885,appliances.kitchen.mixer,"
                + "elenberg,25.71,520403300", RejectReason.MALFORMED, "expected 9 columns", "found 8", "cut off");
        rejected(csv("rees46"), "a,b,c,d,e,f,g,h,i,j", RejectReason.MALFORMED, "found 10");
        rejected(csv("rees46"), "2019-10-01 00:00:04 UTC,view,\"unterminated,2,,,1,3,s", RejectReason.MALFORMED,
                "not closed");
        rejected(csv("rees46"), "2019-10-01 00:00:04 UTC,view,\"a\"b,2,,,1,3,s", RejectReason.MALFORMED,
                "after the closing quote");
    }

    @Test
    void rowRejectsNameTheColumn() {
        CsvEventParser p = csv("rees46");
        rejected(p, "2019-10-01 00:00:04 UTC,view,1,2,,,abc,3,s", RejectReason.BAD_FIELD, "price", "abc");
        rejected(p, "2019-10-01 00:00:04 UTC,view,1,2,,,-3,3,s", RejectReason.BAD_FIELD, "price");
        rejected(p, "2019-10-01T00:00:04Z,view,1,2,,,1,3,s", RejectReason.BAD_TIME, "event_time (ts)");
        rejected(p, ",view,1,2,,,1,3,s", RejectReason.MISSING_TIME, "event_time (ts)");
        rejected(p, "2019-10-01 00:00:04 UTC,,1,2,,,1,3,s", RejectReason.MISSING_TYPE, "event_type");
        rejected(p, "2019-10-01 00:00:04 UTC,view,1,2,,,1,,s", RejectReason.MISSING_USER, "user_id");
        rejected(p, "2029-10-01 00:00:04 UTC,view,1,2,,,1,3,s", RejectReason.FUTURE_TIME, "event_time (ts)");
        rejected(p, "2019-10-01 00:00:04 UTC,view,1,2,,,1,u\u0007,s", RejectReason.BAD_FIELD, "user_id",
                "control");
        byte[] bad = "2019-10-01 00:00:04 UTC,view,1,2,,,1,3,s".getBytes(StandardCharsets.UTF_8);
        bad[bad.length - 1] = (byte) 0xfe;
        assertThat(p.parseLine(bad, "f", 3).rejected.reason).isEqualTo("BAD_ENCODING");
    }

    @Test
    void aPriceAboveTheConfiguredBoundIsRejectedNamingTheColumn() {
        CsvEventParser p = new CsvEventParser(CsvMapping.named("rees46"), EventParserTest.BOUNDED);
        rejected(p, "2019-10-01 00:00:04 UTC,cart,1,2,,,1e308,3,s", RejectReason.BAD_FIELD, "price",
                "parser.max-price");
        assertThat(accepted(p, "2019-10-01 00:00:04 UTC,cart,1,2,,,999999999.99,3,s").price).isEqualTo(999999999.99);
    }

    // ------------------------------------------------------------------ taobao, retailrocket

    @Test
    void taobaoRows() {
        CsvEventParser p = csv("taobao");
        JourneyEvent e = accepted(p, "1,2268318,2520377,pv,1511544070");
        assertThat(e.type).isEqualTo(EventType.VIEW);
        assertThat(e.userId).isEqualTo("1");
        assertThat(e.itemId).isEqualTo("2268318");
        assertThat(e.categoryId).isEqualTo("2520377");
        assertThat(e.timestamp).isEqualTo(1_511_544_070_000L);
        assertThat(accepted(p, "1,2,3,cart,1511544070").type).isEqualTo(EventType.CART_ADD);
        assertThat(accepted(p, "1,2,3,fav,1511544070").type).isEqualTo(EventType.OTHER);
        assertThat(accepted(p, "1,2,3,buy,1511544070").type).isEqualTo(EventType.PURCHASE);
        // no header: line 1 is data
        assertThat(line(p, "1,2,3,buy,1511544070", 1).isAccepted()).isTrue();
        rejected(p, "1,2,3,buy,15115440.70", RejectReason.BAD_TIME, "unix_seconds (ts)", "epoch seconds");
    }

    @Test
    void retailrocketRows() {
        CsvEventParser p = csv("retailrocket");
        assertThat(line(p, "timestamp,visitorid,event,itemid,transactionid", 1)).isNull();
        JourneyEvent e = accepted(p, "1433221332117,257597,view,355908,");
        assertThat(e.type).isEqualTo(EventType.VIEW);
        assertThat(e.userId).isEqualTo("257597");
        assertThat(e.itemId).isEqualTo("355908");
        assertThat(e.timestamp).isEqualTo(1_433_221_332_117L);
        assertThat(accepted(p, "1433224214164,992329,addtocart,248676,").type).isEqualTo(EventType.CART_ADD);
        assertThat(accepted(p, "1433193500981,121688,transaction,15335,11117").type).isEqualTo(EventType.PURCHASE);
    }

    @Test
    void unknownNamedMapping() {
        assertThatThrownBy(() -> CsvMapping.named("shopify"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shopify")
                .hasMessageContaining("rees46, taobao, retailrocket");
    }

    // ------------------------------------------------------------------ custom mapping files

    private Path file(String text) throws Exception {
        Path f = dir.resolve("shop.properties");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void customMappingFile() throws Exception {
        Path f = file("# a shop export\n"
                + "header = yes\n"
                + "delimiter = ;\n"
                + "columns = when,what,sku,who,amount,qty,card\n"
                + "time.format = dd.MM.yyyy HH:mm:ss   # local format, read as UTC\n"
                + "field.ts = when\n"
                + "field.event_type = what\n"
                + "field.item_id = sku\n"
                + "field.anonymous_id = who\n"
                + "field.price = amount\n"
                + "field.quantity = qty\n"
                + "field.card_id = card\n"
                + "type.Add To Basket = cart_add\n"
                + "type.declined = payment_failed\n");
        CsvMapping m = CsvMapping.fromFile(f);
        assertThat(m.name()).isEqualTo("shop");
        CsvEventParser p = new CsvEventParser(m, PARSER);
        JourneyEvent e = accepted(p, "01.10.2019 12:30:00;add to basket;\"p;1\";a-1;12.5;3;c-9");
        assertThat(e.type).isEqualTo(EventType.CART_ADD);
        assertThat(e.itemId).isEqualTo("p;1");
        assertThat(e.anonymousId).isEqualTo("a-1");
        assertThat(e.userId).isNull();
        assertThat(e.quantity).isEqualTo(3);
        assertThat(e.cardId).isEqualTo("c-9");
        assertThat(e.timestamp).isEqualTo(Instant.parse("2019-10-01T12:30:00Z").toEpochMilli());
        assertThat(accepted(p, "01.10.2019 12:31:00;declined;p;a-1;;;c-9").type).isEqualTo(EventType.PAYMENT_FAILED);
        rejected(p, "01.10.2019 12:31:00;declined;p;a-1;;1.5;c-9", RejectReason.BAD_FIELD, "qty (quantity)");
    }

    @Test
    void customMappingErrorsNameFileLineAndKey() throws Exception {
        String ok = "header = true\ncolumns = t,e,u\nfield.ts = t\nfield.event_type = e\nfield.user_id = u\n";
        assertMappingError(ok.replace("field.user_id = u", "field.user = u"), 5, "field.user", "unknown event field");
        assertMappingError(ok.replace("field.user_id = u", "field.user_id = x"), 5, "field.user_id",
                "column 'x' is not in 'columns'");
        assertMappingError(ok + "type.wish = wishlist\n", 6, "type.wish", "not a canonical event type");
        assertMappingError(ok + "type.view = page\n", 0, "type.*", "always maps to itself");
        assertMappingError(ok + "time.format = yyyy-MM-dd\n", 6, "time.format", "usable");
        assertMappingError(ok + "time.format = qqqq-bogus-VV\n", 6, "time.format", "not iso");
        assertMappingError(ok + "header = false\n", 6, "header", "given twice (first on line 1)");
        assertMappingError(ok.replace("header = true", "header = maybe"), 1, "header", "true or false");
        assertMappingError(ok + "colour = red\n", 6, "colour", "unknown key");
        assertMappingError(ok + "just words\n", 6, null, "expected 'key = value'");
        assertMappingError(ok.replace("columns = t,e,u", "columns = t,e,,u"), 2, "columns", "empty column name");
        assertMappingError(ok.replace("columns = t,e,u", "columns = t,e,u,t"), 2, "columns", "listed twice");
        assertMappingError(ok + "delimiter = ;;\n", 6, "delimiter", "one character");
        assertMappingError(ok.replace("field.ts = t\n", ""), 0, "field.ts", "required");
        assertMappingError(ok.replace("field.user_id = u\n", ""), 0, "field.user_id", "anonymous_id");
        assertMappingError(ok.replace("columns = t,e,u\n", ""), 0, "columns", "required");
    }

    private void assertMappingError(String text, int line, String key, String problem) throws Exception {
        Path f = file(text);
        assertThatThrownBy(() -> CsvMapping.fromFile(f))
                .isInstanceOfSatisfying(CsvMapping.CsvMappingException.class, ex -> {
                    assertThat(ex.file()).isEqualTo(f.toString());
                    assertThat(ex.line()).isEqualTo(line);
                    assertThat(ex.key()).isEqualTo(key);
                    assertThat(ex.getMessage())
                            .startsWith(f + (line > 0 ? ":" + line : "") + ": " + (key != null ? key + ": " : ""))
                            .contains(problem);
                });
    }

    @Test
    void missingMappingFile() {
        Path f = dir.resolve("nope.properties");
        assertThatThrownBy(() -> CsvMapping.fromFile(f))
                .isInstanceOf(CsvMapping.CsvMappingException.class)
                .hasMessageContaining("nope.properties")
                .hasMessageContaining("cannot read");
    }

    // ------------------------------------------------------------------ the splitter

    @Test
    void splitterFollowsRfc4180() throws Exception {
        assertThat(CsvLineSplitter.split("a,b,c", ',')).containsExactly("a", "b", "c");
        assertThat(CsvLineSplitter.split("", ',')).containsExactly("");
        assertThat(CsvLineSplitter.split(",", ',')).containsExactly("", "");
        assertThat(CsvLineSplitter.split("a,,", ',')).containsExactly("a", "", "");
        assertThat(CsvLineSplitter.split("\"a,b\",\"\",\"x\"\"y\"", ',')).containsExactly("a,b", "", "x\"y");
        assertThat(CsvLineSplitter.split("5\" screen,b", ',')).containsExactly("5\" screen", "b");
        assertThat(CsvLineSplitter.split("a\tb", '\t')).containsExactly("a", "b");
        assertThatThrownBy(() -> CsvLineSplitter.split("\"a", ','))
                .hasMessageContaining("field 1").hasMessageContaining("not closed");
        assertThatThrownBy(() -> CsvLineSplitter.split("x,\"a\" ,b", ','))
                .hasMessageContaining("field 2").hasMessageContaining("character 6");
    }
}
