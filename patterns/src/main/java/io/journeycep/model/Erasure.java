package io.journeycep.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * An erasure request as it travels with its markers through the keyed stages (README "Privacy", erasure): a
 * {@link JourneyEvent} whose {@link JourneyEvent#erasure} is set is not an event but the order to delete everything
 * the stage holds under the marker's key. A Flink POJO (arrays, no collections). It never holds the raw user id: the
 * keys are the state keys (pseudonyms when pseudonymization is on) and the id only as a hash.
 */
public class Erasure {
    /** The request's id: {@code <source>@<position>} of its control message (no personal data). */
    public String erasureId;
    /** {@code sha256:<hex>} or {@code hmac-sha256:<hex>} of the user id as requested, never the id. */
    public String userHash;
    /** When the request was made (the control record's timestamp, else when it was read), epoch millis. */
    public long requestedAt;
    /** Every user key the request covers ({@link UserKeys}): the user's, then one per anonymous id. */
    public String[] userKeys = new String[0];

    public Erasure() {}

    public static Erasure of(String erasureId, String userHash, long requestedAt, String[] userKeys) {
        Erasure e = new Erasure();
        e.erasureId = erasureId;
        e.userHash = userHash;
        e.requestedAt = requestedAt;
        e.userKeys = userKeys.clone();
        return e;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Erasure)) {
            return false;
        }
        Erasure that = (Erasure) o;
        return requestedAt == that.requestedAt && Objects.equals(erasureId, that.erasureId)
                && Objects.equals(userHash, that.userHash) && Arrays.equals(userKeys, that.userKeys);
    }

    @Override
    public int hashCode() {
        return Objects.hash(erasureId, userHash, requestedAt);
    }

    /** The id and the hash only: never a key. */
    @Override
    public String toString() {
        return "Erasure{" + erasureId + ' ' + userHash + '}';
    }
}
