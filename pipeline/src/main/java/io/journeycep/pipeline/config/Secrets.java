package io.journeycep.pipeline.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads secrets from the environment or a file, never from config text; messages never contain the secret. */
public final class Secrets {
    private Secrets() {}

    /**
     * @param what the config section, for messages
     * @param envName environment variable that holds the secret, or null
     * @param file path of a file whose first line is the secret, or null
     * @return the secret, or null when neither source is configured
     */
    public static String resolve(String what, String envName, String file) {
        if (!JobConfig.isBlank(envName)) {
            String value = System.getenv(envName);
            if (value == null) {
                throw new ConfigException(what + ": environment variable " + envName + " is not set");
            }
            return value;
        }
        if (!JobConfig.isBlank(file)) {
            try {
                String content = Files.readString(Path.of(file), StandardCharsets.UTF_8);
                int nl = content.indexOf('\n');
                return (nl >= 0 ? content.substring(0, nl) : content).strip();
            } catch (IOException e) {
                throw new ConfigException(what + ": cannot read secret file " + file + " (" + e.getClass().getSimpleName()
                        + ")");
            }
        }
        return null;
    }
}
