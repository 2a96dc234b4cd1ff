package io.journeycep.pipeline.ingest;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.journeycep.model.EventTypeMapping;
import io.journeycep.sinks.RejectReason;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns one CSV line into an event or a rejection under a {@link CsvMapping}. Never throws.
 *
 * <p>The row's mapped cells become a flat-shape record and go through the same validation as JSON
 * ({@link EventParser}), so reason codes and limits are the same; reject details name both the column and the
 * flat field. The mapping's {@code type.*} names are applied on top of the parser's event-type mapping. A record
 * without an event id column gets {@code source#line}.
 */
public class CsvEventParser implements Serializable {
    private static final long serialVersionUID = 1L;

    private final CsvMapping mapping;
    private final EventParser parser;
    private final EventTypeMapping types;

    public CsvEventParser(CsvMapping mapping, EventParser parser) {
        this.mapping = Objects.requireNonNull(mapping, "mapping");
        this.parser = Objects.requireNonNull(parser, "parser");
        this.types = parser.settings().mapping().withOverrides(mapping.typeNames());
    }

    public CsvMapping mapping() {
        return mapping;
    }

    public EventParser parser() {
        return parser;
    }

    /**
     * Parses one line (without its line terminator; a trailing {@code \r} is ignored).
     *
     * @return the event or rejection, or {@code null} for a header line (line 1 of a mapping with a header, or a
     *     line whose cells are exactly the mapping's column names), which is skipped, not rejected
     */
    public IngestRecord parseLine(byte[] rawLine, String source, long lineNumber) {
        long now = parser.settings().clock().nowMillis();
        byte[] raw = rawLine == null ? new byte[0] : rawLine;
        try {
            parser.checkSizeAndEncoding(raw);
            String line = new String(raw, StandardCharsets.UTF_8);
            if (!line.isEmpty() && line.charAt(0) == '\uFEFF') {
                line = line.substring(1);
            }
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (mapping.hasHeader() && lineNumber == 1) {
                return null;
            }
            List<String> cells;
            try {
                cells = CsvLineSplitter.split(line, mapping.delimiter());
            } catch (CsvLineSplitter.CsvSyntaxException e) {
                throw new RejectException(RejectReason.MALFORMED, "not a valid CSV row: " + e.getMessage());
            }
            List<String> columns = mapping.columns();
            if (mapping.hasHeader() && cells.size() == columns.size() && isHeader(cells, columns)) {
                return null;
            }
            if (cells.size() != columns.size()) {
                throw new RejectException(RejectReason.MALFORMED, "expected " + columns.size() + " columns ("
                        + String.join(",", columns) + ") for CSV mapping '" + mapping.name() + "', found "
                        + cells.size() + (cells.size() < columns.size() ? " (row cut off?)" : ""));
            }
            ObjectNode flat = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, Integer> e : mapping.fieldColumns().entrySet()) {
                String field = e.getKey();
                String cell = cells.get(e.getValue());
                if (cell.isBlank()) {
                    continue;
                }
                if (field.equals("ts")) {
                    flat.put("ts", mapping.parseTime(label("ts"), cell));
                } else {
                    flat.put(field, cell);
                }
            }
            return IngestRecord.accepted(
                    parser.settings().accept(parser.fromFlat(flat, types, this::label, source, lineNumber, now)));
        } catch (RejectException e) {
            return parser.reject(source, lineNumber, e.reason, e.getMessage(), raw, now);
        } catch (RuntimeException | StackOverflowError e) {
            return parser.reject(source, lineNumber, RejectReason.MALFORMED,
                    "unexpected parser failure: " + e.getClass().getSimpleName(), raw, now);
        }
    }

    /** {@code column (field)} for mapped fields, the field name otherwise. */
    private String label(String field) {
        Integer idx = mapping.fieldColumns().get(field);
        if (idx == null) {
            return field;
        }
        String column = mapping.columns().get(idx);
        return column.equals(field) ? field : column + " (" + field + ")";
    }

    private static boolean isHeader(List<String> cells, List<String> columns) {
        for (int i = 0; i < cells.size(); i++) {
            if (!cells.get(i).strip().equalsIgnoreCase(columns.get(i))) {
                return false;
            }
        }
        return true;
    }

}
