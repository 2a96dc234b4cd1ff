package io.journeycep.pipeline.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Line numbers of the fields of a YAML document by path, for error messages: dotted field names with list indexes in
 * brackets, as in {@code outputs.jdbc.url} or {@code velocity.rules[2].threshold} (a list element's own line is the
 * line its value starts on).
 */
final class YamlLocations {
    private final Map<String, Integer> lines = new HashMap<>();

    /** An open object or list and its path; for a list, the index of its next element. */
    private static final class Container {
        final String path;
        final boolean list;
        int next;

        Container(String path, boolean list) {
            this.path = path;
            this.list = list;
        }
    }

    YamlLocations(String yaml) {
        try (JsonParser p = new YAMLFactory().createParser(yaml)) {
            Deque<Container> open = new ArrayDeque<>();
            String pendingField = null;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.FIELD_NAME) {
                    Container parent = open.peekLast();
                    pendingField = child(parent == null ? "" : parent.path, p.currentName());
                    lines.putIfAbsent(pendingField, p.currentLocation().getLineNr());
                    continue;
                }
                if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    open.pollLast();
                    pendingField = null;
                    continue;
                }
                // a value: a scalar or the start of an object or list
                Container parent = open.peekLast();
                String path;
                if (parent == null) {
                    path = "";
                } else if (parent.list) {
                    path = parent.path + '[' + parent.next++ + ']';
                    lines.putIfAbsent(path, p.currentTokenLocation().getLineNr());
                } else {
                    path = pendingField == null ? parent.path : pendingField;
                }
                pendingField = null;
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    open.addLast(new Container(path, t == JsonToken.START_ARRAY));
                }
            }
        } catch (IOException | RuntimeException e) {
            // Locations are a courtesy for messages; a syntax error is reported by the binder with its own line.
        }
    }

    private static String child(String parent, String field) {
        return parent.isEmpty() ? field : parent + '.' + field;
    }

    /**
     * The line of a field ({@code a.b}, {@code a.list[3].c}), or of its closest parent that has one; 0 when unknown.
     */
    int lineOf(String path) {
        String p = path;
        while (!p.isEmpty()) {
            Integer line = lines.get(p);
            if (line != null) {
                return line;
            }
            int cut = Math.max(p.lastIndexOf('.'), p.endsWith("]") ? p.lastIndexOf('[') : -1);
            if (cut <= 0) {
                return 0;
            }
            p = p.substring(0, cut);
        }
        return 0;
    }
}
