package io.journeycep.pipeline.testing;

import io.journeycep.pipeline.ingest.ParserSettings;
import io.journeycep.sinks.RejectReason;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A corpus of malformed and hostile input records for the {@code events} topic, each with a name and the outcome the
 * job's rules give it (DESIGN §2, README "Semantics in brief"):
 *
 * <ul>
 *   <li>{@link #rejected()}: records the parser must reject, each with its reason code. They must end in
 *       {@code events.dlq} and {@code rejected_events} with their raw bytes and source position, and never fail the
 *       job.
 *   <li>{@link #valid(String, long)}: hostile-looking records that are <b>valid</b> under the job's rules and must be
 *       accepted: a SQL-looking user id or a script tag in an item id is just a string, a JSON integer user id is
 *       its decimal text, an unknown event name maps to {@code other}, a UTF-8 byte order mark is skipped, {@code -0}
 *       is zero, a huge but finite price is a price. The user ids are unique per run.
 * </ul>
 *
 * <p>Binary cases (invalid UTF-8, UTF-16, Latin-1, a NUL byte outside strings, a Kafka tombstone) are why this is a
 * Java builder and not a resource file of lines. {@link Case#raw} {@code null} is a Kafka record with a null value.
 */
public final class BadRecordCorpus {
    /** 2023-11-14T22:13:20Z: a valid event time used by the rejected records that have one. */
    public static final long TS = 1_700_000_000_000L;

    private BadRecordCorpus() {}

    /** A rejected record: its name, its bytes as sent ({@code null}: a tombstone) and the expected reason. */
    public record Case(String name, byte[] raw, RejectReason reason) {
        /**
         * The bytes the dead-letter outputs hold with the default {@code parser.max-record-bytes}: the record as sent;
         * a tombstone as no bytes; a TOO_LARGE record as its first max-record-bytes bytes (so that the dead letter
         * fits the output: README "Semantics in brief").
         */
        public byte[] expectedRaw() {
            if (raw == null) {
                return new byte[0];
            }
            int max = ParserSettings.DEFAULT_MAX_RECORD_BYTES;
            return reason == RejectReason.TOO_LARGE && raw.length > max ? java.util.Arrays.copyOf(raw, max) : raw;
        }
    }

    /** A hostile but valid record of the user {@code user} (the id the alerts carry as {@code subject_key}). */
    public record Valid(String name, String user, byte[] raw) {}

    /** Every rejected case; names and raw bytes are distinct. */
    public static List<Case> rejected() {
        List<Case> c = new ArrayList<>();
        String ok = flat("bad-id", "view", "bad-user", TS, "sku-1");
        // ---- broken JSON
        add(c, "truncated object", ok.substring(0, ok.length() / 2), RejectReason.MALFORMED);
        add(c, "trailing garbage", ok + " xyz", RejectReason.MALFORMED);
        add(c, "two objects in one record", ok + ok, RejectReason.MALFORMED);
        add(c, "unbalanced: missing close brace", "{\"user_id\":\"u\",\"properties\":{\"a\":1}",
                RejectReason.MALFORMED);
        add(c, "unbalanced: extra close brace", ok + "}", RejectReason.MALFORMED);
        add(c, "unbalanced: array closes object", "{\"user_id\":\"u\",\"ts\":1]", RejectReason.MALFORMED);
        add(c, "single-quoted strings", "{'event_type':'view','user_id':'u','ts':1700000000000}",
                RejectReason.MALFORMED);
        add(c, "unquoted keys", "{event_type:\"view\",user_id:\"u\",ts:1700000000000}", RejectReason.MALFORMED);
        add(c, "trailing comma", "{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":1700000000000,}",
                RejectReason.MALFORMED);
        add(c, "comment before the object", "/* hi */ " + ok, RejectReason.MALFORMED);
        add(c, "unterminated string", "{\"event_type\":\"view\",\"user_id\":\"u", RejectReason.MALFORMED);
        add(c, "raw control byte inside a string",
                "{\"event_type\":\"view\",\"user_id\":\"a\u0001b\",\"ts\":1700000000000}", RejectReason.MALFORMED);
        add(c, "NUL byte between tokens", "{\"event_type\":\"view\",\u0000\"user_id\":\"u\",\"ts\":1700000000000}",
                RejectReason.MALFORMED);
        add(c, "bad escape", "{\"event_type\":\"view\",\"user_id\":\"\\q\",\"ts\":1700000000000}",
                RejectReason.MALFORMED);
        add(c, "empty record", "", RejectReason.MALFORMED);
        add(c, "whitespace only", " \t\r\n  ", RejectReason.MALFORMED);
        c.add(new Case("Kafka tombstone (null value)", null, RejectReason.MALFORMED));
        add(c, "top-level array", "[" + ok + "]", RejectReason.MALFORMED);
        add(c, "top-level string", "\"view\"", RejectReason.MALFORMED);
        add(c, "top-level number", "1700000000000", RejectReason.MALFORMED);
        add(c, "top-level -0", "-0", RejectReason.MALFORMED);
        add(c, "top-level null", "null", RejectReason.MALFORMED);
        add(c, "top-level true", "true", RejectReason.MALFORMED);
        add(c, "duplicate keys", "{\"event_type\":\"view\",\"user_id\":\"a\",\"user_id\":\"b\",\"ts\":1700000000000}",
                RejectReason.MALFORMED);
        add(c, "deep nesting: 10k arrays", "{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":1700000000000,"
                + "\"x\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}", RejectReason.MALFORMED);
        add(c, "deep nesting: 10k objects", "{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":1700000000000,"
                + "\"x\":" + "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000) + "}", RejectReason.MALFORMED);
        add(c, "extremely long key (300 chars)", "{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":1700000000000,\""
                + "k".repeat(300) + "\":1}", RejectReason.MALFORMED);
        add(c, "number literal of 150 digits", "{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":1700000000000,"
                + "\"price\":" + "9".repeat(150) + "}", RejectReason.MALFORMED);
        add(c, "CSV line", "u-1,view,sku-1,1700000000000", RejectReason.MALFORMED);
        add(c, "CSV header", "event_time,event_type,product_id,category_id,category_code,brand,price,user_id",
                RejectReason.MALFORMED);
        add(c, "XML", "<event><user_id>u</user_id></event>", RejectReason.MALFORMED);
        // ---- encodings
        c.add(new Case("invalid UTF-8 (C3 28)", bytes(0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d),
                RejectReason.BAD_ENCODING));
        c.add(new Case("UTF-16LE with BOM", concat(bytes(0xff, 0xfe), ok.getBytes(StandardCharsets.UTF_16LE)),
                RejectReason.BAD_ENCODING));
        c.add(new Case("UTF-16BE with BOM", concat(bytes(0xfe, 0xff), ok.getBytes(StandardCharsets.UTF_16BE)),
                RejectReason.BAD_ENCODING));
        c.add(new Case("Latin-1 user id (Jos\u00e9)",
                flat("latin1", "view", "Jos\u00e9", TS, "sku-1").getBytes(StandardCharsets.ISO_8859_1),
                RejectReason.BAD_ENCODING));
        c.add(new Case("overlong UTF-8 for '/' (C0 AF)", concat(utf8("{\"user_id\":\"a"), bytes(0xc0, 0xaf),
                utf8("\"}")), RejectReason.BAD_ENCODING));
        c.add(new Case("UTF-8-encoded surrogate (ED A0 80)", concat(utf8("{\"user_id\":\"a"), bytes(0xed, 0xa0, 0x80),
                utf8("\"}")), RejectReason.BAD_ENCODING));
        c.add(new Case("truncated multi-byte sequence at the end", concat(utf8(ok), bytes(0xe2, 0x82)),
                RejectReason.BAD_ENCODING));
        c.add(new Case("code point above U+10FFFF (F4 90 80 80)", concat(utf8("{\"user_id\":\""),
                bytes(0xf4, 0x90, 0x80, 0x80), utf8("\"}")), RejectReason.BAD_ENCODING));
        // ---- sizes
        add(c, "record over max-record-bytes (100 KB)", padded(100_000), RejectReason.TOO_LARGE);
        add(c, "record of max-record-bytes + 1", padded(65_537), RejectReason.TOO_LARGE);
        add(c, "record near the broker's 1 MB limit (700 KB)", padded(700_000), RejectReason.TOO_LARGE);
        add(c, "user id of 5000 chars in a small record", flat("huge-field", "view", "u".repeat(5000), TS, "sku-1"),
                RejectReason.BAD_FIELD);
        add(c, "user id of 1025 chars", flat("id-1025", "view", "u".repeat(1025), TS, "sku-1"),
                RejectReason.BAD_FIELD);
        // 3072 bytes: over PostgreSQL's btree entry limit (2704) for alerts.subject_key and segment_membership's key
        add(c, "user id of 1024 CJK characters (3072 UTF-8 bytes)", flat("id-cjk", "view", cjk(1024), TS, "sku-1"),
                RejectReason.BAD_FIELD);
        // ---- wrong types
        add(c, "float as user id", "{\"event_type\":\"view\",\"user_id\":1.5,\"ts\":1700000000000}",
                RejectReason.BAD_FIELD);
        add(c, "object as user id", "{\"event_type\":\"view\",\"user_id\":{\"id\":\"u\"},\"ts\":1700000000000}",
                RejectReason.BAD_FIELD);
        add(c, "array as user id", "{\"event_type\":\"view\",\"user_id\":[\"u\"],\"ts\":1700000000000}",
                RejectReason.BAD_FIELD);
        add(c, "boolean as event id", "{\"event_id\":true,\"event_type\":\"view\",\"user_id\":\"u\","
                + "\"ts\":1700000000000}", RejectReason.BAD_FIELD);
        add(c, "array as event type", "{\"event_type\":[\"view\"],\"user_id\":\"u\",\"ts\":1700000000000}",
                RejectReason.BAD_FIELD);
        add(c, "object as ts", "{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":{\"$date\":1700000000000}}",
                RejectReason.BAD_TIME);
        add(c, "array as ts", "{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":[1700000000000]}",
                RejectReason.BAD_TIME);
        add(c, "boolean as ts", "{\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":true}", RejectReason.BAD_TIME);
        add(c, "string price", withField("price", "\"cheap\""), RejectReason.BAD_FIELD);
        add(c, "boolean price", withField("price", "false"), RejectReason.BAD_FIELD);
        add(c, "negative price", withField("price", "-12.5"), RejectReason.BAD_FIELD);
        add(c, "NaN price", withField("price", "NaN"), RejectReason.BAD_FIELD);
        add(c, "Infinity price", withField("price", "Infinity"), RejectReason.BAD_FIELD);
        add(c, "price 1e400 (overflows to infinity)", withField("price", "1e400"), RejectReason.BAD_FIELD);
        add(c, "negative quantity", withField("quantity", "-1"), RejectReason.BAD_FIELD);
        add(c, "huge quantity (1e10)", withField("quantity", "10000000000"), RejectReason.BAD_FIELD);
        add(c, "fractional quantity", withField("quantity", "1.5"), RejectReason.BAD_FIELD);
        add(c, "quantity string 1e9999", withField("quantity", "\"1e9999\""), RejectReason.BAD_FIELD);
        // finite, but above the default bounds (parser.max-price 1e12, parser.max-quantity 1000000): a sum of two
        // such prices would be "Infinity" in a cart's evidence
        add(c, "price 1.7e308 (above parser.max-price)", withField("price", "1.7e308"), RejectReason.BAD_FIELD);
        add(c, "price string \"1.7e308\" (above parser.max-price)", withField("price", "\"1.7e308\""),
                RejectReason.BAD_FIELD);
        add(c, "quantity 2147483647 (above parser.max-quantity)", withField("quantity", "2147483647"),
                RejectReason.BAD_FIELD);
        // ---- times
        add(c, "ts year 9999 (far future)", withTs("\"9999-12-31T23:59:59Z\""), RejectReason.FUTURE_TIME);
        add(c, "ts year 2100", withTs("\"2100-01-01T00:00:00Z\""), RejectReason.FUTURE_TIME);
        add(c, "ts year 1", withTs("\"0001-01-01T00:00:00Z\""), RejectReason.BAD_TIME);
        add(c, "ts epoch -1", withTs("-1"), RejectReason.BAD_TIME);
        add(c, "ts in microseconds (ms/s confusion, year 55,800)", withTs("1700000000000000"), RejectReason.BAD_TIME);
        add(c, "ts of 20 digits", withTs("17000000000000000000"), RejectReason.BAD_TIME);
        add(c, "ts NaN", withTs("NaN"), RejectReason.BAD_TIME);
        add(c, "ts -Infinity", withTs("-Infinity"), RejectReason.BAD_TIME);
        add(c, "ts fractional millis", withTs("1700000000000.5"), RejectReason.BAD_TIME);
        add(c, "ts words", withTs("\"yesterday\""), RejectReason.BAD_TIME);
        add(c, "ts February 30th", withTs("\"2023-02-30T10:00:00Z\""), RejectReason.BAD_TIME);
        add(c, "ts ISO year +999999999", withTs("\"+999999999-12-31T23:59:59Z\""), RejectReason.BAD_TIME);
        add(c, "ts missing", "{\"event_type\":\"view\",\"user_id\":\"u\"}", RejectReason.MISSING_TIME);
        add(c, "ts empty string", withTs("\"\""), RejectReason.MISSING_TIME);
        // ---- ids: control characters, NUL, surrogates, absence
        add(c, "NUL in user id", flat("nul", "view", "u\\u0000x", TS, "sku-1"), RejectReason.BAD_FIELD);
        add(c, "BEL in event id", flat("e\\u0007", "view", "u", TS, "sku-1"), RejectReason.BAD_FIELD);
        add(c, "DEL in item id", flat("del", "view", "u", TS, "sku\\u007f"), RejectReason.BAD_FIELD);
        add(c, "C1 control (NEL) in user id", flat("nel", "view", "u\\u0085", TS, "sku-1"), RejectReason.BAD_FIELD);
        add(c, "newline in user id", flat("nl", "view", "u\\nx", TS, "sku-1"), RejectReason.BAD_FIELD);
        add(c, "unpaired high surrogate in user id", flat("sur", "view", "u\\ud800", TS, "sku-1"),
                RejectReason.BAD_FIELD);
        add(c, "lone low surrogate in item id", flat("sur2", "view", "u", TS, "\\udc00"), RejectReason.BAD_FIELD);
        add(c, "blank user id", flat("blank", "view", "   ", TS, "sku-1"), RejectReason.MISSING_USER);
        add(c, "no user at all", "{\"event_type\":\"view\",\"ts\":1700000000000}", RejectReason.MISSING_USER);
        add(c, "null user and anonymous id", "{\"event_type\":\"view\",\"user_id\":null,\"anonymous_id\":null,"
                + "\"ts\":1700000000000}", RejectReason.MISSING_USER);
        add(c, "no event type", "{\"user_id\":\"u\",\"ts\":1700000000000}", RejectReason.MISSING_TYPE);
        add(c, "empty object", "{}", RejectReason.UNKNOWN_SHAPE);
        add(c, "unknown shape", "{\"foo\":\"bar\",\"when\":1700000000000}", RejectReason.UNKNOWN_SHAPE);
        // ---- Segment / RudderStack calls with missing or wrong parts
        add(c, "Segment track without event", "{\"type\":\"track\",\"userId\":\"u\",\"timestamp\":"
                + "\"2023-11-14T22:13:20Z\"}", RejectReason.MISSING_TYPE);
        add(c, "Segment track without timestamp", "{\"type\":\"track\",\"event\":\"Product Viewed\",\"userId\":\"u\"}",
                RejectReason.MISSING_TIME);
        add(c, "Segment identify without ids", "{\"type\":\"identify\",\"timestamp\":\"2023-11-14T22:13:20Z\"}",
                RejectReason.MISSING_USER);
        add(c, "Segment alias without previousId", "{\"type\":\"alias\",\"userId\":\"u\",\"timestamp\":"
                + "\"2023-11-14T22:13:20Z\"}", RejectReason.MISSING_USER);
        add(c, "Segment batch envelope", "{\"batch\":[{\"type\":\"track\",\"event\":\"Product Viewed\","
                + "\"userId\":\"u\",\"timestamp\":\"2023-11-14T22:13:20Z\"}]}", RejectReason.UNKNOWN_SHAPE);
        add(c, "Segment properties as a string", "{\"type\":\"track\",\"event\":\"Product Viewed\",\"userId\":\"u\","
                + "\"timestamp\":\"2023-11-14T22:13:20Z\",\"properties\":\"price=5\"}", RejectReason.BAD_FIELD);
        add(c, "Segment context.device as a string", "{\"type\":\"track\",\"event\":\"Product Viewed\","
                + "\"userId\":\"u\",\"timestamp\":\"2023-11-14T22:13:20Z\",\"context\":{\"device\":\"d-1\"}}",
                RejectReason.BAD_FIELD);
        add(c, "Segment price 'free'", "{\"type\":\"track\",\"event\":\"Product Added\",\"userId\":\"u\","
                + "\"timestamp\":\"2023-11-14T22:13:20Z\",\"properties\":{\"price\":\"free\"}}", RejectReason.BAD_FIELD);
        add(c, "Segment timestamp as object", "{\"type\":\"page\",\"userId\":\"u\",\"timestamp\":{}}",
                RejectReason.BAD_TIME);

        Set<String> names = new HashSet<>();
        Set<String> raws = new HashSet<>();
        for (Case k : c) {
            if (!names.add(k.name) || !raws.add(java.util.Arrays.toString(k.raw))) {
                throw new IllegalStateException("duplicate case " + k.name);
            }
        }
        return Collections.unmodifiableList(c);
    }

    /**
     * Hostile but valid records, each by its own user ({@code run} makes the ids unique) at event time {@code t}: every
     * user views and adds to the cart (so a CART_ABANDONED alert names the user verbatim once event time passes
     * {@code t + 31 min}), except where said.
     */
    public static List<Valid> valid(String run, long t) {
        List<Valid> v = new ArrayList<>();
        cart(v, "SQL-looking user id", "'; DROP TABLE alerts; -- " + run, t, "<script>alert(1)</script>");
        cart(v, "quotes, backslash and JSON-looking user id", "u\"\\\"},{\"kind\":\"x " + run, t,
                "sku-\"quoted\"");
        cart(v, "emoji, RTL and combining marks in user id", "\uD83D\uDED2\u200F\u05E9\u05DC\u05D5\u05DD"
                + "e\u0301\u200B " + run, t, "\uFEFFsku-bom-inside");
        int n = (1023 - run.length()) / 3; // CJK characters are 3 bytes in UTF-8: exactly 1024 bytes in all
        cart(v, "user id of 1024 UTF-8 bytes, mostly CJK", cjk(n) + "-" + run + "x".repeat(1023 - run.length() - 3 * n),
                t, "sku-1");
        cart(v, "user id of 1024 ASCII characters", run + "-" + "x".repeat(1023 - run.length()), t, "sku-1");
        // a JSON integer user id is its decimal text, exactly (beyond double precision)
        String numeric = "9007199254740993" + Math.abs(run.hashCode() % 1000);
        v.add(new Valid("JSON integer user id", numeric, utf8("{\"event_id\":\"num-v-" + run + "\","
                + "\"event_type\":\"view\",\"user_id\":" + numeric + ",\"ts\":" + t + ",\"item_id\":\"sku-1\"}")));
        v.add(new Valid("JSON integer user id (cart)", numeric, utf8("{\"event_id\":\"num-c-" + run + "\","
                + "\"event_type\":\"cart_add\",\"user_id\":" + numeric + ",\"ts\":" + (t + 60_000) + ","
                + "\"item_id\":\"sku-1\",\"price\":-0.0,\"quantity\":-0}")));
        String other = "unknown-type-" + run;
        v.add(new Valid("unknown event type (maps to other)", other,
                utf8(flat("other-" + run, "teleport", other, t, "sku-1"))));
        v.add(new Valid("UTF-8 BOM before the object", other,
                concat(bytes(0xef, 0xbb, 0xbf), utf8(flat("bom-" + run, "view", other, t + 1, "sku-1")))));
        v.add(new Valid("unknown fields, a key with NUL and a 256-char key", other,
                utf8("{\"event_id\":\"extra-" + run + "\",\"event_type\":\"view\",\"user_id\":\"" + other + "\","
                        + "\"ts\":" + (t + 2) + ",\"\\u0000\":\"x\",\"" + "k".repeat(256) + "\":{\"deep\":[1,2]}}")));
        return Collections.unmodifiableList(v);
    }

    /** The users of {@link #valid} whose view and cart_add must give exactly one CART_ABANDONED alert each. */
    public static List<String> abandoningUsers(List<Valid> valid) {
        List<String> users = new ArrayList<>();
        for (Valid x : valid) {
            if (x.name.endsWith("(cart)") || x.name.startsWith("cart of ")) {
                users.add(x.user);
            }
        }
        return users;
    }

    private static void cart(List<Valid> v, String name, String user, long t, String item) {
        String id = "v" + v.size();
        v.add(new Valid(name, user, utf8(json(id + "-view", "view", user, t, item))));
        v.add(new Valid("cart of " + name, user, utf8(json(id + "-cart", "cart_add", user, t + 60_000, item))));
    }

    /** A flat record with JSON-escaped string fields (the values given here are raw, not yet escaped). */
    private static String json(String id, String type, String user, long ts, String item) {
        return "{\"event_id\":" + quote(id + "-" + Integer.toHexString(user.hashCode())) + ",\"event_type\":"
                + quote(type) + ",\"user_id\":" + quote(user) + ",\"ts\":" + ts + ",\"item_id\":" + quote(item)
                + ",\"price\":42.5}";
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"' || ch == '\\') {
                sb.append('\\').append(ch);
            } else if (ch < 0x20) {
                sb.append(String.format("\\u%04x", (int) ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.append('"').toString();
    }

    /** A flat record; values are put in verbatim (so escapes such as {@code \\u0000} reach the JSON as escapes). */
    public static String flat(String id, String type, String user, long ts, String item) {
        return "{\"event_id\":\"" + id + "\",\"event_type\":\"" + type + "\",\"user_id\":\"" + user + "\",\"ts\":" + ts
                + ",\"item_id\":\"" + item + "\",\"price\":99.5}";
    }

    private static String withField(String field, String jsonValue) {
        return "{\"event_id\":\"f-" + field + jsonValue.hashCode() + "\",\"event_type\":\"view\",\"user_id\":\"u\","
                + "\"ts\":" + TS + ",\"" + field + "\":" + jsonValue + "}";
    }

    private static String withTs(String jsonValue) {
        return "{\"event_id\":\"t-" + jsonValue.hashCode() + "\",\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":"
                + jsonValue + "}";
    }

    /** A valid-looking flat record padded to exactly {@code size} bytes. */
    private static String padded(int size) {
        String head = "{\"event_id\":\"big-" + size + "\",\"event_type\":\"view\",\"user_id\":\"u\",\"ts\":" + TS
                + ",\"pad\":\"";
        String tail = "\"}";
        return head + "p".repeat(size - head.length() - tail.length()) + tail;
    }

    private static String cjk(int n) {
        Random r = new Random(42); // random, so PostgreSQL cannot compress it below its index limits
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append((char) (0x4E00 + r.nextInt(0x9FFF - 0x4E00)));
        }
        return sb.toString();
    }

    private static void add(List<Case> c, String name, String json, RejectReason reason) {
        c.add(new Case(name, utf8(json), reason));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** For messages: the instant of {@code ms}. */
    static String iso(long ms) {
        return Instant.ofEpochMilli(ms).toString();
    }
}
