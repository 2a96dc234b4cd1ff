package io.journeycep.pipeline.stages;

import io.journeycep.model.JourneyEvent;

import org.apache.flink.api.java.functions.KeySelector;

/** The key selectors of the stages keyed by user. */
public final class Keys {
    private Keys() {}

    /** The user key ({@link JourneyEvent#userKey()}). */
    public static final class UserKey implements KeySelector<JourneyEvent, String> {
        @Override
        public String getKey(JourneyEvent event) {
            return event.userKey();
        }
    }
}
