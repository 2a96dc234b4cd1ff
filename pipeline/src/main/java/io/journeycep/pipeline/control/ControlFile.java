package io.journeycep.pipeline.control;

import io.journeycep.pipeline.config.ConfigException;
import io.journeycep.pipeline.config.Instants;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A file of control messages for a replay ({@code replay --control FILE}): JSON lines, each a control message as the
 * control topic carries it plus {@code ts}, its event time (ISO-8601 with a zone, or epoch milliseconds, as a string
 * or a number), which stands for the Kafka record's timestamp: a privacy request's request time. Blank lines are
 * skipped. Every line is checked here, with the parser the job uses, so a bad one stops the replay before it starts,
 * with the file, line and field ({@code control file c.jsonl, line 3: user-id: required, …}); the values of privacy
 * requests are never quoted.
 *
 * <p>The records come out ordered by {@code ts} (lines with equal times in file order), each with source {@code
 * file:<file>} and the line number as its position (an erasure's id is {@code file:<file>@<line>}).
 */
public final class ControlFile {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private ControlFile() {}

    /**
     * @param parser checks each message as the job will (its segment horizon; ids are not kept from this parse)
     * @throws ConfigException naming the file, line and field of the first bad line, or a file that cannot be read
     */
    public static List<ControlRecord> read(Path file, ControlMessageParser parser) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("control file " + file + ": cannot be read (" + e.getClass().getSimpleName()
                    + ")");
        }
        List<ControlRecord> records = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            records.add(record(file, i + 1, line, parser));
        }
        records.sort(Comparator.comparingLong(r -> r.timestamp)); // stable: equal times keep the file's order
        return records;
    }

    private static ControlRecord record(Path file, int lineNumber, String line, ControlMessageParser parser) {
        String where = "control file " + file + ", line " + lineNumber + ": ";
        JsonNode root;
        try {
            root = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new ConfigException(where + "not JSON: " + firstLine(e.getOriginalMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(where + "a line is a JSON object (a control message with its ts)");
        }
        ObjectNode message = (ObjectNode) root;
        JsonNode ts = message.remove("ts");
        long timestamp;
        if (ts == null || ts.isNull()) {
            throw new ConfigException(where + "ts: required, the message's event time (ISO-8601 with a zone, or epoch"
                    + " milliseconds)");
        } else if (ts.isIntegralNumber() && ts.canConvertToLong()) {
            timestamp = ts.longValue();
        } else if (ts.isTextual()) {
            try {
                timestamp = Instants.parse(ts.asText()).toEpochMilli();
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new ConfigException(where + "ts: " + e.getMessage());
            }
        } else {
            throw new ConfigException(where + "ts: must be ISO-8601 with a zone or epoch milliseconds, was a "
                    + ts.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (timestamp <= 0) {
            throw new ConfigException(where + "ts: must be after 1970-01-01T00:00:00Z, was " + timestamp);
        }
        ControlRecord r = ControlRecord.of("file:" + file, lineNumber, null,
                message.toString().getBytes(StandardCharsets.UTF_8), timestamp);
        ControlMessageParser.Result parsed = parser.parse(r);
        if (!parsed.isAccepted()) {
            throw new ConfigException(where + parsed.rejected.detail);
        }
        return r;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        String first = nl < 0 ? s : s.substring(0, nl);
        return first.length() <= 200 ? first : first.substring(0, 200) + "…";
    }
}
