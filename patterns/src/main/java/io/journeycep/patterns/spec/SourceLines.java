package io.journeycep.patterns.spec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Line numbers of the fields of a YAML or JSON document by path ({@code patterns[2].steps[1].event-types[0]}), for
 * messages. A list element's line is the line its value starts on; an absent field takes its parent's line. Used
 * for rules files and for the job config (pipeline {@code JobConfig}).
 */
public final class SourceLines {
    private final Map<String, Integer> lines = new HashMap<>();

    private static final class Container {
        final String path;
        final boolean list;
        int next;

        Container(String path, boolean list) {
            this.path = path;
            this.list = list;
        }
    }

    public SourceLines(JsonFactory factory, String text) {
        try (JsonParser p = factory.createParser(text)) {
            Deque<Container> open = new ArrayDeque<>();
            String pendingField = null;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.FIELD_NAME) {
                    Container parent = open.peekLast();
                    String parentPath = parent == null ? "" : parent.path;
                    pendingField = parentPath.isEmpty() ? p.currentName() : parentPath + '.' + p.currentName();
                    lines.putIfAbsent(pendingField, p.currentLocation().getLineNr());
                    continue;
                }
                if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    open.pollLast();
                    pendingField = null;
                    continue;
                }
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
            // a syntax error is reported by the reader with its own line; the lines before it are known
        }
    }

    /** The line of a field, or of its closest parent that has one; 0 when unknown. */
    public int lineOf(String path) {
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
