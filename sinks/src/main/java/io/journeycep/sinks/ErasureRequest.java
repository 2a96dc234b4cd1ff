package io.journeycep.sinks;

import java.util.Objects;

/**
 * One user key of an erasure request, for the erasure sink (README "Privacy"): delete the rows written under {@link
 * #userKey} and log the request under its id with the hash of the user id. A Flink POJO. {@link #toString()} never
 * shows the key.
 */
public class ErasureRequest {
    /** {@code <source>@<offset>} of the request on the control topic. */
    public String erasureId;
    /** {@code sha256:<hex>} or {@code hmac-sha256:<hex>}: never the id. */
    public String userHash;
    /** Epoch millis. */
    public long requestedAt;
    /** The user key as the rows hold it ({@code user_id}, {@code subject_key}): a pseudonym when pseudonymized. */
    public String userKey;

    public ErasureRequest() {}

    public static ErasureRequest of(String erasureId, String userHash, long requestedAt, String userKey) {
        ErasureRequest r = new ErasureRequest();
        r.erasureId = erasureId;
        r.userHash = userHash;
        r.requestedAt = requestedAt;
        r.userKey = userKey;
        return r;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ErasureRequest)) {
            return false;
        }
        ErasureRequest that = (ErasureRequest) o;
        return requestedAt == that.requestedAt && Objects.equals(erasureId, that.erasureId)
                && Objects.equals(userHash, that.userHash) && Objects.equals(userKey, that.userKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(erasureId, userHash, requestedAt, userKey);
    }

    @Override
    public String toString() {
        return "ErasureRequest{" + erasureId + ' ' + userHash + '}';
    }
}
