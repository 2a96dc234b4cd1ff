package io.journeycep.pipeline.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.journeycep.model.EventType;
import io.journeycep.model.EventTypeMapping;
import io.journeycep.model.JourneyEvent;
import io.journeycep.sinks.RejectReason;
import io.journeycep.sinks.RejectedEvent;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * Turns one raw JSON record into a {@link JourneyEvent} or a {@link RejectedEvent} (DESIGN §2). Never throws.
 *
 * <p>Two shapes are detected per record:
 *
 * <ul>
 *   <li><b>Segment / RudderStack</b>: a {@code type} of {@code track}, {@code page}, {@code screen},
 *       {@code identify}, {@code alias} or {@code group} (a record without {@code type} but with {@code event} and
 *       {@code userId}, {@code anonymousId} or {@code messageId} is taken as a {@code track} call). Event time is
 *       {@code timestamp}; only when it is absent, {@code originalTimestamp} (the device clock). {@code sentAt} and
 *       {@code receivedAt} are never used: they say when the record was sent or received, not when the event
 *       happened. {@code page}/{@code screen} calls become {@link EventType#PAGE}, {@code identify} calls
 *       {@link EventType#OTHER} with source event name {@code identify}, keeping {@code userId} and
 *       {@code anonymousId} for identity stitching; {@code group} calls {@link EventType#OTHER} named {@code group}
 *       with {@link JourneyEvent#groupId} and the scalar {@code traits} as text. Any of these may carry consent
 *       ({@link #consent}).
 *   <li><b>Flat</b>: any of {@code event_type}, {@code event_id}, {@code user_id}, {@code anonymous_id},
 *       {@code ts}. {@code ts} is ISO-8601 or epoch milliseconds (number or digit string). An optional
 *       {@code source_event_name} carries the original event name (written by {@link EventJson}).
 * </ul>
 *
 * <p>Checks, in order: size ({@code TOO_LARGE}, before anything else), UTF-8 ({@code BAD_ENCODING}), JSON syntax,
 * a single object with nothing after it, no duplicate keys, nesting ≤ {@value #MAX_NESTING} ({@code MALFORMED}),
 * shape ({@code UNKNOWN_SHAPE}), ids of the wrong type ({@code BAD_FIELD}), user ({@code MISSING_USER}), time
 * ({@code MISSING_TIME}, {@code BAD_TIME}, {@code FUTURE_TIME}), event name ({@code MISSING_TYPE}), the other fields
 * ({@code BAD_FIELD}; numbers must be finite, not negative and within the configured bounds of
 * {@link ParserSettings#maxPrice()} and {@link ParserSettings#maxQuantity()}, the detail naming the field). Strings are trimmed; blank strings count as absent. A record without
 * {@code messageId}/{@code event_id} gets the id {@code source#position}. Times are UTC.
 */
public class EventParser implements Serializable {
    private static final long serialVersionUID = 1L;

    static final int MAX_NESTING = 32;
    static final int MAX_NUMBER_CHARS = 100;
    static final int MAX_NAME_CHARS = 256;

    private final ParserSettings settings;
    private transient ObjectReader reader;

    public EventParser(ParserSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public static EventParser withDefaults() {
        return new EventParser(ParserSettings.defaults());
    }

    public ParserSettings settings() {
        return settings;
    }

    /**
     * Parses one JSON record.
     *
     * @param raw the record's bytes exactly as received (kept whole in a rejection; a {@code TOO_LARGE} one keeps its
     *     first {@code maxRecordBytes} bytes)
     * @param source {@code kafka:<topic>/<partition>} or {@code file:<name>}
     * @param position Kafka offset or 1-based line number
     */
    public IngestRecord parseJson(byte[] raw, String source, long position) {
        long now = settings.clock().nowMillis();
        byte[] bytes = raw == null ? new byte[0] : raw;
        try {
            checkSizeAndEncoding(bytes);
            JsonNode root = readTree(bytes);
            return IngestRecord.accepted(settings.accept(fromJson(root, source, position, now)));
        } catch (RejectException e) {
            return reject(source, position, e.reason, e.getMessage(), bytes, now);
        } catch (RuntimeException | StackOverflowError e) {
            return reject(source, position, RejectReason.MALFORMED,
                    "unexpected parser failure: " + e.getClass().getSimpleName(), bytes, now);
        }
    }

    // ---------------------------------------------------------------- package-private API for the CSV parser and
    // the file reader

    /** Rejection of a record whose size exceeds the limit; {@code raw} may be a prefix of the record. */
    IngestRecord tooLarge(byte[] raw, long actualLength, String source, long position) {
        long now = settings.clock().nowMillis();
        return reject(source, position, RejectReason.TOO_LARGE, tooLargeDetail(actualLength), raw, now);
    }

    /**
     * A rejection. A {@code TOO_LARGE} record keeps only its first {@code maxRecordBytes} bytes (the detail gives its
     * full length): the dead-letter record must fit the output, and a Kafka record of up to the broker's limit (1 MB)
     * written whole, as Base64 and as text, is far over it (the Kafka sink would then fail the job on every restart).
     */
    IngestRecord reject(String source, long position, RejectReason reason, String detail, byte[] raw, long now) {
        byte[] kept = settings.deadLetterRaw() || raw == null ? raw : new byte[0];
        if (reason == RejectReason.TOO_LARGE && kept != null && kept.length > settings.maxRecordBytes()) {
            kept = java.util.Arrays.copyOf(kept, settings.maxRecordBytes());
        }
        return IngestRecord.rejected(RejectedEvent.of(source, position, reason, detail, kept, now));
    }

    void checkSizeAndEncoding(byte[] bytes) throws RejectException {
        if (bytes.length > settings.maxRecordBytes()) {
            throw new RejectException(RejectReason.TOO_LARGE, tooLargeDetail(bytes.length));
        }
        int bad = Utf8.firstInvalidByte(bytes, 0, bytes.length);
        if (bad >= 0) {
            throw new RejectException(RejectReason.BAD_ENCODING,
                    String.format("not valid UTF-8: byte 0x%02x at offset %d", bytes[bad] & 0xff, bad));
        }
    }

    private String tooLargeDetail(long actualLength) {
        return "record is " + actualLength + " bytes, larger than the limit of " + settings.maxRecordBytes()
                + " bytes (not parsed)";
    }

    private JsonNode readTree(byte[] bytes) throws RejectException {
        if (bytes.length == 0) {
            throw new RejectException(RejectReason.MALFORMED, "empty record");
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.charAt(0) == '\uFEFF') {
            text = text.substring(1);
        }
        JsonNode root;
        try {
            root = reader().readTree(text);
        } catch (StreamConstraintsException e) {
            throw new RejectException(RejectReason.MALFORMED, "JSON exceeds a parser limit: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new RejectException(RejectReason.MALFORMED, "not valid JSON" + where + ": "
                    + Fields.show(firstLine(e.getOriginalMessage()), 240));
        }
        if (root == null || root.isMissingNode()) {
            throw new RejectException(RejectReason.MALFORMED, "no JSON value (blank record)");
        }
        if (!root.isObject()) {
            throw new RejectException(RejectReason.MALFORMED,
                    "expected a JSON object, got " + Fields.describe(root));
        }
        return root;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private ObjectReader reader() {
        if (reader == null) {
            int maxChars = Math.max(settings.maxRecordBytes(), 1024);
            JsonFactory factory = JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING)
                            .maxNumberLength(MAX_NUMBER_CHARS)
                            .maxNameLength(MAX_NAME_CHARS)
                            .maxStringLength(maxChars)
                            .maxDocumentLength(maxChars)
                            .maxTokenCount(maxChars)
                            .build())
                    .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build();
            ObjectMapper mapper = new ObjectMapper(factory);
            mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
            reader = mapper.reader();
        }
        return reader;
    }

    // ---------------------------------------------------------------- shapes

    private JourneyEvent fromJson(JsonNode root, String source, long position, long now) throws RejectException {
        ObjectNode o = (ObjectNode) root;
        String call = segmentCall(o);
        if (call != null) {
            return fromSegment(o, call, source, position, now);
        }
        if (o.has("event_type") || o.has("event_id") || o.has("user_id") || o.has("anonymous_id") || o.has("ts")) {
            return fromFlat(o, settings.mapping(), UnaryOperator.identity(), source, position, now);
        }
        JsonNode type = o.get("type");
        if (type != null && type.isTextual()) {
            throw new RejectException(RejectReason.UNKNOWN_SHAPE, "field 'type': Segment call type '"
                    + Fields.show(type.textValue())
                    + "' is not supported (track, page, screen, identify, alias, group)");
        }
        throw new RejectException(RejectReason.UNKNOWN_SHAPE, "neither the Segment/RudderStack shape (field 'type' "
                + "track|page|screen|identify|alias|group) nor the flat shape (fields 'event_type', 'user_id', 'ts')");
    }

    /** track/page/screen/identify/alias/group, or null when the record is not Segment-shaped. */
    private static String segmentCall(ObjectNode o) {
        JsonNode type = o.get("type");
        if (type != null && type.isTextual()) {
            String t = type.textValue().strip().toLowerCase(Locale.ROOT);
            switch (t) {
                case "track":
                case "page":
                case "screen":
                case "identify":
                case "alias":
                case "group":
                    return t;
                default:
                    return null;
            }
        }
        if (type == null && o.has("event") && (o.has("userId") || o.has("anonymousId") || o.has("messageId"))) {
            return "track";
        }
        return null;
    }

    private JourneyEvent fromSegment(ObjectNode o, String call, String source, long position, long now)
            throws RejectException {
        JourneyEvent e = new JourneyEvent();
        e.source = source;
        e.position = position;
        e.eventId = Fields.jsonText("messageId", o.get("messageId"));
        e.userId = Fields.jsonText("userId", o.get("userId"));
        e.anonymousId = Fields.jsonText("anonymousId", o.get("anonymousId"));
        if ("alias".equals(call)) {
            // previousId → userId: the earlier identity is linked as an event with both ids links it
            String previousId = Fields.jsonText("previousId", o.get("previousId"));
            if (e.userId == null || previousId == null) {
                throw new RejectException(RejectReason.MISSING_USER,
                        "fields 'userId' and 'previousId' are both required for an alias call");
            }
            e.anonymousId = previousId;
        }
        if (e.userId == null && e.anonymousId == null) {
            throw new RejectException(RejectReason.MISSING_USER,
                    "fields 'userId' and 'anonymousId' are both missing or empty");
        }
        String timeField = present(o.get("timestamp")) ? "timestamp"
                : present(o.get("originalTimestamp")) ? "originalTimestamp" : null;
        if (timeField == null) {
            throw new RejectException(RejectReason.MISSING_TIME,
                    "field 'timestamp' (and fallback 'originalTimestamp') is missing or empty");
        }
        e.timestamp = checkFuture(timeField, Fields.jsonTime(timeField, o.get(timeField)), now);
        switch (call) {
            case "track":
                String name = Fields.jsonText("event", o.get("event"));
                if (name == null) {
                    throw new RejectException(RejectReason.MISSING_TYPE,
                            "field 'event' is missing or empty (required for a track call)");
                }
                e.sourceEventName = name;
                e.type = settings.mapping().map(name);
                break;
            case "page":
            case "screen":
                e.sourceEventName = call;
                e.type = EventType.PAGE;
                break;
            case "group": // the user's account: kept by the user's pass, no step of the journey
                e.groupId = Fields.jsonText("groupId", o.get("groupId"));
                if (e.groupId == null) {
                    throw Fields.bad("groupId", "missing or empty (required for a group call)");
                }
                e.sourceEventName = call;
                e.type = EventType.OTHER;
                groupTraits(e, object(o, "traits", "traits"));
                break;
            default: // identify, alias: a link of two ids, not a step of the journey
                e.sourceEventName = call;
                e.type = EventType.OTHER;
        }
        ObjectNode props = object(o, "properties", "properties");
        ObjectNode context = object(o, "context", "context");
        e.consentGranted = context == null ? null : consent(context);
        ObjectNode device = context == null ? null : object(context, "device", "context.device");
        e.itemId = firstText(props, "properties.", "product_id", "sku", "id");
        e.categoryId = prop(props, "category");
        e.currency = prop(props, "currency");
        e.cardId = prop(props, "card_id");
        e.price = null;
        if (props != null) {
            for (String f : new String[] {"price", "total", "revenue"}) {
                if (present(props.get(f))) {
                    e.price = price("properties." + f, props.get(f));
                    break;
                }
            }
            e.quantity = quantity("properties.quantity", props.get("quantity"));
        }
        e.ip = context == null ? null : Fields.jsonText("context.ip", context.get("ip"));
        e.deviceId = device == null ? null : Fields.jsonText("context.device.id", device.get("id"));
        String session = context == null ? null : Fields.jsonText("context.sessionId", context.get("sessionId"));
        e.sessionId = session != null ? session : prop(props, "session_id");
        if (e.eventId == null) {
            e.eventId = source + "#" + position;
        }
        return e;
    }

    /**
     * A group call's traits: each string, number or boolean value as text (a string checked as any text field, the
     * detail naming {@code traits.<name>}); objects, arrays and nulls are not kept (the pass keeps only allow-listed
     * scalar traits, README "Segment calls").
     */
    private static void groupTraits(JourneyEvent e, ObjectNode traits) throws RejectException {
        if (traits == null) {
            return;
        }
        List<String> names = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (var it = traits.fields(); it.hasNext(); ) {
            var field = it.next();
            JsonNode v = field.getValue();
            String value;
            if (v.isTextual()) {
                value = Fields.jsonText("traits." + Fields.show(field.getKey()), v);
            } else if (v.isNumber() || v.isBoolean()) {
                if (v.isNumber() && !Double.isFinite(v.asDouble())) {
                    throw Fields.bad("traits." + Fields.show(field.getKey()),
                            "not a finite number, got " + Fields.show(v.asText()));
                }
                value = v.asText();
            } else {
                value = null;
            }
            String name = Fields.text("traits (a trait name)", field.getKey());
            if (value != null && name != null) {
                names.add(name);
                values.add(value);
            }
        }
        if (!names.isEmpty()) {
            e.groupTraitNames = names.toArray(new String[0]);
            e.groupTraitValues = values.toArray(new String[0]);
        }
    }

    /**
     * The consent categories an event grants (README "Consent"), or {@code null} when it carries no consent object.
     * Segment: {@code context.consent.categoryPreferences}, an object of category → boolean (granted when
     * {@code true}). RudderStack: {@code context.consentManagement.allowedConsentIds} (granted) and
     * {@code deniedConsentIds}, arrays of category ids. With both, a category is granted when one grants it and
     * neither denies it. Category names are compared as sent (trimmed; case-sensitive, as both CDPs do). A consent
     * object of the wrong shape rejects the record ({@code BAD_FIELD}, field named): ignoring it could keep sending
     * marketing to a user who just withdrew consent.
     */
    private static String[] consent(ObjectNode context) throws RejectException {
        TreeSet<String> granted = new TreeSet<>();
        Set<String> denied = new HashSet<>();
        boolean seen = false;
        ObjectNode segment = object(context, "consent", "context.consent");
        ObjectNode preferences = segment == null ? null
                : object(segment, "categoryPreferences", "context.consent.categoryPreferences");
        if (preferences != null) {
            seen = true;
            for (var it = preferences.fields(); it.hasNext(); ) {
                var field = it.next();
                String label = "context.consent.categoryPreferences." + Fields.show(field.getKey());
                String category = Fields.text(label, field.getKey());
                JsonNode v = field.getValue();
                if (!v.isBoolean()) {
                    throw Fields.bad(label, "expected true or false, got " + Fields.describe(v));
                }
                if (category != null) {
                    (v.booleanValue() ? granted : denied).add(category);
                }
            }
        }
        ObjectNode rudder = object(context, "consentManagement", "context.consentManagement");
        if (rudder != null) {
            String[] allowed = ids(rudder, "allowedConsentIds");
            String[] refused = ids(rudder, "deniedConsentIds");
            if (allowed != null || refused != null) {
                seen = true;
                granted.addAll(Arrays.asList(allowed == null ? new String[0] : allowed));
                denied.addAll(Arrays.asList(refused == null ? new String[0] : refused));
            }
        }
        if (!seen) {
            return null;
        }
        granted.removeAll(denied);
        return granted.toArray(new String[0]);
    }

    /** A RudderStack consent id list: an array of strings (or integral numbers), or {@code null} when absent. */
    private static String[] ids(ObjectNode consentManagement, String field) throws RejectException {
        JsonNode n = consentManagement.get(field);
        String label = "context.consentManagement." + field;
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray()) {
            throw Fields.bad(label, "expected an array of category ids, got " + Fields.describe(n));
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            String id = Fields.jsonText(label + "[" + i + "]", n.get(i));
            if (id != null) {
                ids.add(id);
            }
        }
        return ids.toArray(new String[0]);
    }

    /**
     * The flat shape. {@code label} turns a flat field name into the name used in reject details (the CSV parser
     * adds the column name).
     */
    JourneyEvent fromFlat(ObjectNode o, EventTypeMapping mapping, UnaryOperator<String> label, String source,
            long position, long now) throws RejectException {
        JourneyEvent e = new JourneyEvent();
        e.source = source;
        e.position = position;
        e.eventId = Fields.jsonText(label.apply("event_id"), o.get("event_id"));
        e.userId = Fields.jsonText(label.apply("user_id"), o.get("user_id"));
        e.anonymousId = Fields.jsonText(label.apply("anonymous_id"), o.get("anonymous_id"));
        if (e.userId == null && e.anonymousId == null) {
            throw new RejectException(RejectReason.MISSING_USER, "fields " + label.apply("user_id") + " and "
                    + label.apply("anonymous_id") + " are both missing or empty");
        }
        JsonNode ts = o.get("ts");
        if (!present(ts)) {
            throw new RejectException(RejectReason.MISSING_TIME,
                    "field '" + label.apply("ts") + "' is missing or empty");
        }
        e.timestamp = checkFuture(label.apply("ts"), Fields.jsonTime(label.apply("ts"), ts), now);
        String type = Fields.jsonText(label.apply("event_type"), o.get("event_type"));
        if (type == null) {
            throw new RejectException(RejectReason.MISSING_TYPE,
                    "field '" + label.apply("event_type") + "' is missing or empty");
        }
        String sourceName = Fields.jsonText("source_event_name", o.get("source_event_name"));
        e.sourceEventName = sourceName != null ? sourceName : type;
        e.type = mapping.map(type);
        e.sessionId = Fields.jsonText(label.apply("session_id"), o.get("session_id"));
        e.itemId = Fields.jsonText(label.apply("item_id"), o.get("item_id"));
        e.categoryId = Fields.jsonText(label.apply("category_id"), o.get("category_id"));
        e.price = price(label.apply("price"), o.get("price"));
        e.currency = Fields.jsonText(label.apply("currency"), o.get("currency"));
        e.quantity = quantity(label.apply("quantity"), o.get("quantity"));
        e.ip = Fields.jsonText(label.apply("ip"), o.get("ip"));
        e.deviceId = Fields.jsonText(label.apply("device_id"), o.get("device_id"));
        e.cardId = Fields.jsonText(label.apply("card_id"), o.get("card_id"));
        if (e.eventId == null) {
            e.eventId = source + "#" + position;
        }
        return e;
    }

    /**
     * A price as {@link Fields#jsonPrice} reads it (finite, not negative), at most {@link ParserSettings#maxPrice()}:
     * sums of huge finite prices overflow to {@code Infinity} in a cart's value.
     */
    private Double price(String label, JsonNode node) throws RejectException {
        Double price = Fields.jsonPrice(label, node);
        if (price != null && price > settings.maxPrice()) {
            throw Fields.bad(label, "above the configured bound (parser.max-price) of "
                    + java.math.BigDecimal.valueOf(settings.maxPrice()).toPlainString() + ", got "
                    + Fields.show(node.asText()));
        }
        return price;
    }

    /** A quantity as {@link Fields#jsonQuantity} reads it (whole, not negative), at most the configured bound. */
    private Integer quantity(String label, JsonNode node) throws RejectException {
        Integer quantity = Fields.jsonQuantity(label, node);
        if (quantity != null && quantity > settings.maxQuantity()) {
            throw Fields.bad(label, "above the configured bound (parser.max-quantity) of " + settings.maxQuantity()
                    + ", got " + Fields.show(node.asText()));
        }
        return quantity;
    }

    long checkFuture(String label, long millis, long now) throws RejectException {
        long bound = settings.maxFutureSkew().toMillis();
        if (millis - now > bound) {
            throw new RejectException(RejectReason.FUTURE_TIME, "field '" + label + "': " + Fields.isoOf(millis)
                    + " is " + (millis - now) / 1000 + " s ahead of the wall clock (" + Fields.isoOf(now)
                    + "), more than the allowed " + settings.maxFutureSkew());
        }
        return millis;
    }

    private static boolean present(JsonNode n) {
        return n != null && !n.isNull() && !n.isMissingNode() && !(n.isTextual() && n.textValue().isBlank());
    }

    private static ObjectNode object(ObjectNode parent, String field, String label) throws RejectException {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw Fields.bad(label, "expected an object, got " + Fields.describe(n));
        }
        return (ObjectNode) n;
    }

    private static String prop(ObjectNode props, String field) throws RejectException {
        return props == null ? null : Fields.jsonText("properties." + field, props.get(field));
    }

    private static String firstText(ObjectNode o, String prefix, String... fields) throws RejectException {
        if (o == null) {
            return null;
        }
        for (String f : fields) {
            String v = Fields.jsonText(prefix + f, o.get(f));
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
