package io.journeycep.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * A suppression request ({@code suppress}) or its end ({@code unsuppress}) as it travels with its markers to the dedupe
 * stage (README "Privacy", suppression): a {@link JourneyEvent} whose {@link JourneyEvent#suppression} is set is not an
 * event but the order to drop, from {@link #at} on, the events of the marker's user key at ingestion ({@link
 * #suppress}), or to admit them again from {@link #at} on. A Flink POJO (arrays, no collections). Like {@link Erasure}
 * it never holds the raw user id: the keys are the state keys (pseudonyms when pseudonymization is on) and the id only
 * as a hash.
 */
public class Suppression {
    /** The request's id: {@code <source>@<position>} of its control message (no personal data). */
    public String requestId;
    /** {@code sha256:<hex>} or {@code hmac-sha256:<hex>} of the user id as requested, never the id. */
    public String userHash;
    /** {@code true} for {@code suppress}, {@code false} for {@code unsuppress}. */
    public boolean suppress;
    /** The event time from which it holds (the control record's timestamp, else when it was read), epoch millis. */
    public long at;
    /** Every user key the request covers ({@link UserKeys}): the user's, then one per anonymous id. */
    public String[] userKeys = new String[0];

    public Suppression() {}

    public static Suppression of(String requestId, String userHash, boolean suppress, long at, String[] userKeys) {
        Suppression s = new Suppression();
        s.requestId = requestId;
        s.userHash = userHash;
        s.suppress = suppress;
        s.at = at;
        s.userKeys = userKeys.clone();
        return s;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Suppression)) {
            return false;
        }
        Suppression that = (Suppression) o;
        return suppress == that.suppress && at == that.at && Objects.equals(requestId, that.requestId)
                && Objects.equals(userHash, that.userHash) && Arrays.equals(userKeys, that.userKeys);
    }

    @Override
    public int hashCode() {
        return Objects.hash(requestId, userHash, suppress, at);
    }

    /** The id and the hash only: never a key. */
    @Override
    public String toString() {
        return "Suppression{" + (suppress ? "suppress " : "unsuppress ") + requestId + ' ' + userHash + '}';
    }
}
