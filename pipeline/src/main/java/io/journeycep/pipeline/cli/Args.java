package io.journeycep.pipeline.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name value} and {@code --flag} options of one verb; unknown options are an error naming them. */
final class Args {
    private final Map<String, List<String>> values = new LinkedHashMap<>();

    private Args() {}

    static Args parse(String verb, String[] argv, int from, Set<String> withValue, Set<String> flags) {
        Args args = new Args();
        for (int i = from; i < argv.length; i++) {
            String a = argv[i];
            if (a.equals("-h")) {
                a = "--help";
            }
            if (!a.startsWith("--")) {
                throw new UsageException(verb + ": unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            String inline = null;
            int eq = name.indexOf('=');
            if (eq > 0) {
                inline = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (flags.contains(name) || name.equals("help")) {
                args.values.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
            } else if (withValue.contains(name)) {
                String value = inline;
                if (value == null) {
                    if (i + 1 >= argv.length) {
                        throw new UsageException(verb + ": --" + name + " needs a value");
                    }
                    value = argv[++i];
                }
                args.values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else {
                throw new UsageException(verb + ": unknown option --" + name);
            }
        }
        return args;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String get(String name) {
        List<String> v = values.get(name);
        return v == null ? null : v.get(v.size() - 1);
    }

    String get(String name, String fallback) {
        String v = get(name);
        return v == null ? fallback : v;
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    String require(String verb, String name) {
        String v = get(name);
        if (v == null) {
            throw new UsageException(verb + ": --" + name + " is required");
        }
        return v;
    }

    /** A command-line mistake: printed with the verb's usage, exit code 2. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
