package io.journeycep.pipeline.ingest;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one CSV line into fields per RFC 4180: fields are separated by the delimiter; a field that starts with
 * {@code "} is quoted, may contain the delimiter, and writes a quote as {@code ""}; after the closing quote only the
 * delimiter or the end of the line may follow. Quotes inside an unquoted field are kept as they are (lenient, like
 * most CSV readers). Records spanning lines are not supported: the file reader splits on newlines first, so a quoted
 * field left open at the end of the line is an error.
 */
final class CsvLineSplitter {
    private CsvLineSplitter() {}

    /** Thrown for a line that is not valid CSV; the message says where. */
    static final class CsvSyntaxException extends Exception {
        private static final long serialVersionUID = 1L;

        CsvSyntaxException(String message) {
            super(message, null, false, false);
        }
    }

    static List<String> split(String line, char delimiter) throws CsvSyntaxException {
        List<String> fields = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        int i = 0;
        int n = line.length();
        while (true) {
            sb.setLength(0);
            if (i < n && line.charAt(i) == '"') {
                int open = i;
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = line.charAt(i);
                    if (c == '"') {
                        if (i + 1 < n && line.charAt(i + 1) == '"') {
                            sb.append('"');
                            i += 2;
                        } else {
                            closed = true;
                            i++;
                            break;
                        }
                    } else {
                        sb.append(c);
                        i++;
                    }
                }
                if (!closed) {
                    throw new CsvSyntaxException("quoted field " + (fields.size() + 1) + " opened at character "
                            + (open + 1) + " is not closed before the end of the line");
                }
                if (i < n && line.charAt(i) != delimiter) {
                    throw new CsvSyntaxException("unexpected character '" + Fields.show(String.valueOf(line.charAt(i)))
                            + "' after the closing quote of field " + (fields.size() + 1) + " at character "
                            + (i + 1));
                }
            } else {
                while (i < n && line.charAt(i) != delimiter) {
                    sb.append(line.charAt(i));
                    i++;
                }
            }
            fields.add(sb.toString());
            if (i >= n) {
                return fields;
            }
            i++; // the delimiter
        }
    }
}
