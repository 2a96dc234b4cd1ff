package io.journeycep.pipeline.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/** Line numbers of the fields of a YAML document by dotted path ({@code outputs.jdbc.url}), for error messages. */
final class YamlLocations {
    private final Map<String, Integer> lines = new HashMap<>();

    YamlLocations(String yaml) {
        try (JsonParser p = new YAMLFactory().createParser(yaml)) {
            Deque<String> path = new ArrayDeque<>();
            Deque<Integer> listIndex = new ArrayDeque<>();
            String pendingField = null;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.FIELD_NAME) {
                    pendingField = p.currentName();
                    lines.put(join(path, pendingField), p.currentLocation().getLineNr());
                } else if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    if (pendingField != null) {
                        path.addLast(pendingField);
                        pendingField = null;
                    } else if (!listIndex.isEmpty() && !path.isEmpty()) {
                        path.addLast(String.valueOf(listIndex.peekLast()));
                        listIndex.addLast(listIndex.removeLast() + 1);
                    } else {
                        path.addLast("");
                    }
                    if (t == JsonToken.START_ARRAY) {
                        listIndex.addLast(0);
                    }
                } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    if (t == JsonToken.END_ARRAY && !listIndex.isEmpty()) {
                        listIndex.removeLast();
                    }
                    if (!path.isEmpty()) {
                        path.removeLast();
                    }
                } else {
                    pendingField = null;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Locations are a courtesy for messages; a syntax error is reported by the binder with its own line.
        }
    }

    private static String join(Deque<String> path, String field) {
        StringBuilder sb = new StringBuilder();
        for (String p : path) {
            if (!p.isEmpty()) {
                sb.append(p).append('.');
            }
        }
        return sb.append(field).toString();
    }

    /** The line of a field, or of its closest parent that has one; 0 when unknown. */
    int lineOf(String dottedPath) {
        String p = dottedPath;
        while (true) {
            Integer line = lines.get(p);
            if (line != null) {
                return line;
            }
            int dot = p.lastIndexOf('.');
            if (dot < 0) {
                return 0;
            }
            p = p.substring(0, dot);
        }
    }
}
