package io.journeycep.pipeline.config;

/** A config or rule file that cannot be used; the message names the file, line and field at fault. */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
