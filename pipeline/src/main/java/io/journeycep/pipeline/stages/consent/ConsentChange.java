package io.journeycep.pipeline.stages.consent;

import java.util.Arrays;
import java.util.Objects;

/**
 * A user's consent from one event time on: the categories granted, of those some trigger needs (sorted). A Flink POJO.
 */
public class ConsentChange {
    /** Event time of the event that carried the consent. */
    public long timestamp;
    public String[] granted = new String[0];

    public ConsentChange() {}

    public ConsentChange(long timestamp, String[] granted) {
        this.timestamp = timestamp;
        this.granted = granted;
    }

    boolean grants(String category) {
        return Arrays.binarySearch(granted, category) >= 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConsentChange that && timestamp == that.timestamp && Arrays.equals(granted, that.granted);
    }

    @Override
    public int hashCode() {
        return Objects.hash(timestamp, Arrays.hashCode(granted));
    }

    @Override
    public String toString() {
        return "ConsentChange{" + timestamp + " " + Arrays.toString(granted) + '}';
    }
}
