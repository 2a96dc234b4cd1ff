package io.journeycep.pipeline.ingest;

import io.journeycep.model.EventType;
import io.journeycep.model.EventTypeMapping;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How the columns of a CSV backfill map to the fields of the flat event shape (DESIGN §2).
 *
 * <p>Named mappings ship as resources ({@code mappings/<name>.properties}): {@code rees46}, {@code taobao},
 * {@code retailrocket}. A custom mapping is a small file in the same format, read by {@link #fromFile(Path)}:
 *
 * <pre>
 * # comments start with '#'; one "key = value" per line; the key ends at the first '='
 * name        = my-shop                        # optional, defaults to the file name
 * header      = true                           # true|false: the first line of each file is a header (skipped)
 * delimiter   = ,                              # optional: one character, or "tab"; default ","
 * columns     = when,what,sku,who,price        # all columns in file order (always comma-separated here)
 * time.format = yyyy-MM-dd HH:mm:ss 'UTC'      # iso | epoch_millis | epoch_seconds | a java.time pattern (UTC)
 * field.ts         = when                      # field.&lt;flat field&gt; = &lt;column&gt;
 * field.event_type = what
 * field.user_id    = who
 * field.item_id    = sku
 * field.price      = price
 * type.add         = cart_add                  # type.&lt;source name&gt; = &lt;canonical type&gt;, on top of the defaults
 * </pre>
 *
 * <p>Flat fields: {@value #FIELD_LIST}. Required: {@code columns}, {@code field.ts}, {@code field.event_type}, and
 * {@code field.user_id} or {@code field.anonymous_id}. Columns without a field are ignored. Every error names the
 * file, the line and the key ({@link CsvMappingException}).
 */
public final class CsvMapping implements Serializable {
    private static final long serialVersionUID = 1L;

    static final String FIELD_LIST = "event_id, event_type, user_id, anonymous_id, session_id, ts, item_id, "
            + "category_id, price, currency, quantity, ip, device_id, card_id";
    static final List<String> FIELDS = List.of(FIELD_LIST.split(", "));
    /** The mappings bundled as resources. */
    public static final List<String> NAMED = List.of("rees46", "taobao", "retailrocket");

    public static final String TIME_ISO = "iso";
    public static final String TIME_EPOCH_MILLIS = "epoch_millis";
    public static final String TIME_EPOCH_SECONDS = "epoch_seconds";

    private final String name;
    private final boolean header;
    private final char delimiter;
    private final ArrayList<String> columns;
    /** flat field → column index. */
    private final HashMap<String, Integer> fieldColumns;
    private final String timeFormat;
    private final LinkedHashMap<String, String> typeNames;
    private transient DateTimeFormatter formatter;

    private CsvMapping(String name, boolean header, char delimiter, List<String> columns,
            Map<String, Integer> fieldColumns, String timeFormat, Map<String, String> typeNames) {
        this.name = name;
        this.header = header;
        this.delimiter = delimiter;
        this.columns = new ArrayList<>(columns);
        this.fieldColumns = new HashMap<>(fieldColumns);
        this.timeFormat = timeFormat;
        this.typeNames = new LinkedHashMap<>(typeNames);
    }

    /** A bundled mapping by name ({@link #NAMED}). */
    public static CsvMapping named(String name) {
        String key = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        if (!NAMED.contains(key)) {
            throw new IllegalArgumentException("unknown CSV mapping '" + name + "' (known: "
                    + String.join(", ", NAMED) + "; or give a mapping file)");
        }
        String resource = "/mappings/" + key + ".properties";
        try (InputStream in = CsvMapping.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("bundled CSV mapping " + resource + " is missing from the class path");
            }
            return parse("classpath:" + resource, new String(in.readAllBytes(), StandardCharsets.UTF_8), key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A bundled mapping when {@code nameOrFile} is one of {@link #NAMED}, else the mapping file at that path. */
    public static CsvMapping namedOrFile(String nameOrFile) {
        if (nameOrFile != null && NAMED.contains(nameOrFile.strip().toLowerCase(Locale.ROOT))) {
            return named(nameOrFile);
        }
        return fromFile(Path.of(nameOrFile));
    }

    /**
     * Reads a mapping file (format in the class comment).
     *
     * @throws CsvMappingException naming the file, line and key at fault
     */
    public static CsvMapping fromFile(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CsvMappingException(file.toString(), 0, null, "cannot read the mapping file: " + e);
        }
        String base = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        int dot = base.lastIndexOf('.');
        return parse(file.toString(), text, dot > 0 ? base.substring(0, dot) : base);
    }

    /** Parses mapping text; {@code origin} names it in errors. */
    static CsvMapping parse(String origin, String text, String defaultName) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, Integer> lines = new HashMap<>();
        String[] rows = text.split("\r?\n", -1);
        for (int i = 0; i < rows.length; i++) {
            int lineNo = i + 1;
            String row = stripComment(rows[i]).strip();
            if (i == 0 && row.startsWith("\uFEFF")) {
                row = row.substring(1).strip();
            }
            if (row.isEmpty()) {
                continue;
            }
            int eq = row.indexOf('=');
            if (eq < 0) {
                throw new CsvMappingException(origin, lineNo, null, "expected 'key = value', got '"
                        + Fields.show(row) + "'");
            }
            String key = row.substring(0, eq).strip();
            String value = row.substring(eq + 1).strip();
            if (key.isEmpty()) {
                throw new CsvMappingException(origin, lineNo, null, "empty key");
            }
            if (!isKnownKey(key)) {
                throw new CsvMappingException(origin, lineNo, key, "unknown key (known: name, header, delimiter, "
                        + "columns, time.format, field.<field>, type.<source name>)");
            }
            if (values.containsKey(key)) {
                throw new CsvMappingException(origin, lineNo, key, "given twice (first on line " + lines.get(key) + ")");
            }
            values.put(key, value);
            lines.put(key, lineNo);
        }

        String name = values.getOrDefault("name", defaultName);
        if (name == null || name.isBlank()) {
            throw new CsvMappingException(origin, lines.getOrDefault("name", 0), "name", "empty name");
        }

        boolean header;
        String h = values.getOrDefault("header", "false").toLowerCase(Locale.ROOT);
        if (h.equals("true") || h.equals("yes")) {
            header = true;
        } else if (h.equals("false") || h.equals("no")) {
            header = false;
        } else {
            throw new CsvMappingException(origin, lines.get("header"), "header",
                    "expected true or false, got '" + Fields.show(h) + "'");
        }

        char delimiter = ',';
        if (values.containsKey("delimiter")) {
            String d = values.get("delimiter");
            if (d.equalsIgnoreCase("tab") || d.equals("\\t")) {
                delimiter = '\t';
            } else if (d.length() == 1 && d.charAt(0) != '"') {
                delimiter = d.charAt(0);
            } else {
                throw new CsvMappingException(origin, lines.get("delimiter"), "delimiter",
                        "expected one character (not '\"') or 'tab', got '" + Fields.show(d) + "'");
            }
        }

        if (!values.containsKey("columns") || values.get("columns").isEmpty()) {
            throw new CsvMappingException(origin, lines.getOrDefault("columns", 0), "columns",
                    "required: the comma-separated column names in file order");
        }
        List<String> columns = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String c : values.get("columns").split(",", -1)) {
            String col = c.strip();
            if (col.isEmpty()) {
                throw new CsvMappingException(origin, lines.get("columns"), "columns",
                        "empty column name at position " + (columns.size() + 1));
            }
            if (!seen.add(col)) {
                throw new CsvMappingException(origin, lines.get("columns"), "columns",
                        "column '" + col + "' is listed twice");
            }
            columns.add(col);
        }

        Map<String, Integer> fieldColumns = new LinkedHashMap<>();
        Map<String, String> typeNames = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            String key = e.getKey();
            int line = lines.get(key);
            if (key.startsWith("field.")) {
                String field = key.substring("field.".length());
                if (!FIELDS.contains(field)) {
                    throw new CsvMappingException(origin, line, key,
                            "unknown event field '" + field + "' (known: " + FIELD_LIST + ")");
                }
                int idx = columns.indexOf(e.getValue());
                if (idx < 0) {
                    throw new CsvMappingException(origin, line, key, "column '" + Fields.show(e.getValue())
                            + "' is not in 'columns' (" + String.join(",", columns) + ")");
                }
                fieldColumns.put(field, idx);
            } else if (key.startsWith("type.")) {
                String source = key.substring("type.".length()).strip();
                if (source.isEmpty()) {
                    throw new CsvMappingException(origin, line, key, "empty source event name");
                }
                if (EventType.fromWireName(e.getValue().toLowerCase(Locale.ROOT)) == null) {
                    throw new CsvMappingException(origin, line, key, "'" + Fields.show(e.getValue())
                            + "' is not a canonical event type (" + canonicalNames() + ")");
                }
                typeNames.put(source, e.getValue().toLowerCase(Locale.ROOT));
            }
        }
        try {
            EventTypeMapping.defaults().withOverrides(typeNames);
        } catch (IllegalArgumentException ex) {
            throw new CsvMappingException(origin, 0, "type.*", ex.getMessage());
        }
        for (String required : new String[] {"ts", "event_type"}) {
            if (!fieldColumns.containsKey(required)) {
                throw new CsvMappingException(origin, 0, "field." + required,
                        "required: which column holds " + (required.equals("ts") ? "the event time" : "the event type"));
            }
        }
        if (!fieldColumns.containsKey("user_id") && !fieldColumns.containsKey("anonymous_id")) {
            throw new CsvMappingException(origin, 0, "field.user_id",
                    "required: field.user_id or field.anonymous_id");
        }

        String timeFormat = values.getOrDefault("time.format", TIME_ISO);
        try {
            checkTimeFormat(timeFormat);
        } catch (IllegalArgumentException | java.time.DateTimeException ex) {
            throw new CsvMappingException(origin, lines.getOrDefault("time.format", 0), "time.format",
                    "'" + Fields.show(timeFormat) + "' is not iso, epoch_millis, epoch_seconds or a usable "
                            + "java.time pattern: " + ex.getMessage());
        }
        return new CsvMapping(name, header, delimiter, columns, fieldColumns, timeFormat, typeNames);
    }

    private static boolean isKnownKey(String key) {
        switch (key) {
            case "name":
            case "header":
            case "delimiter":
            case "columns":
            case "time.format":
                return true;
            default:
                return key.startsWith("field.") || key.startsWith("type.");
        }
    }

    private static String stripComment(String row) {
        // '#' starts a comment at the beginning of a line or after white space (so "a#b" stays a value).
        for (int i = 0; i < row.length(); i++) {
            if (row.charAt(i) == '#' && (i == 0 || Character.isWhitespace(row.charAt(i - 1)))) {
                return row.substring(0, i);
            }
        }
        return row;
    }

    private static void checkTimeFormat(String format) {
        switch (format) {
            case TIME_ISO:
            case TIME_EPOCH_MILLIS:
            case TIME_EPOCH_SECONDS:
                return;
            default:
                DateTimeFormatter f = formatterFor(format);
                // The pattern must carry a full date and time: format an instant and read it back.
                Instant sample = Instant.parse("2019-10-01T02:03:04Z");
                Instant back = Instant.from(f.parse(f.format(sample)));
                if (!back.equals(sample)) {
                    throw new IllegalArgumentException("does not read back a full date and time to the second");
                }
        }
    }

    private static DateTimeFormatter formatterFor(String pattern) {
        return DateTimeFormatter.ofPattern(pattern, Locale.ROOT).withZone(ZoneOffset.UTC);
    }

    private static String canonicalNames() {
        List<String> names = new ArrayList<>();
        for (EventType t : EventType.values()) {
            names.add(t.wireName());
        }
        return String.join(", ", names);
    }

    // ---------------------------------------------------------------- accessors

    public String name() {
        return name;
    }

    public boolean hasHeader() {
        return header;
    }

    public char delimiter() {
        return delimiter;
    }

    public List<String> columns() {
        return Collections.unmodifiableList(columns);
    }

    /** Flat field → column index (read-only). */
    public Map<String, Integer> fieldColumns() {
        return Collections.unmodifiableMap(fieldColumns);
    }

    public String timeFormat() {
        return timeFormat;
    }

    /** Source event name → canonical wire name, applied on top of the parser's mapping (read-only). */
    public Map<String, String> typeNames() {
        return Collections.unmodifiableMap(typeNames);
    }

    /** Event time of a non-blank cell, epoch ms. */
    long parseTime(String label, String value) throws RejectException {
        switch (timeFormat) {
            case TIME_ISO:
                return Fields.isoOrEpochMillis(label, value);
            case TIME_EPOCH_MILLIS:
                return Fields.epoch(label, value, 1);
            case TIME_EPOCH_SECONDS:
                return Fields.epoch(label, value, 1000);
            default:
                if (formatter == null) {
                    formatter = formatterFor(timeFormat);
                }
                String t = value.strip();
                long millis;
                try {
                    millis = Instant.from(formatter.parse(t)).toEpochMilli();
                } catch (RuntimeException e) {
                    throw Fields.badTime(label, t, "expected the pattern " + timeFormat);
                }
                return Fields.checkRange(label, millis, t);
        }
    }

    @Override
    public String toString() {
        return "CsvMapping{" + name + ", header=" + header + ", columns=" + columns + ", fields=" + fieldColumns
                + ", time=" + timeFormat + ", types=" + typeNames + '}';
    }

    /** An invalid mapping file: {@link #getMessage()} is {@code <file>:<line>: <key>: <problem>}. */
    public static final class CsvMappingException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String file;
        private final int line;
        private final String key;

        CsvMappingException(String file, int line, String key, String problem) {
            super(file + (line > 0 ? ":" + line : "") + ": " + (key != null ? key + ": " : "") + problem);
            this.file = file;
            this.line = line;
            this.key = key;
        }

        public String file() {
            return file;
        }

        /** 1-based line, or 0 when the problem is a key that is missing altogether. */
        public int line() {
            return line;
        }

        public String key() {
            return key;
        }
    }

}
