package io.journeycep.sinks;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Deterministic alert ids (DESIGN §3): a hash of kind, rule id and version, subject key and evidence event ids, so a
 * replay after a failure yields the same {@code alert_id} and the idempotent sinks drop the repeat.
 *
 * <p>The hashed input is an unambiguous encoding: a format tag, then every string as a 4-byte length followed by
 * its UTF-8 bytes (length {@code -1} for {@code null}), the rule version as 4 bytes and the evidence list as its size
 * followed by its elements in the given order. So {@code ("ab","c")} and {@code ("a","bc")} never collide by
 * construction. The id is the first 16 bytes of the SHA-256 digest as 32 lowercase hex characters.
 *
 * <p>Times (window, event time, detection time) are deliberately not part of the id: the evidence ids already pin
 * the case down, and detection time differs between a run and its replay.
 */
public final class AlertIds {
    /** Bumped only if the encoding changes (which would change every id). */
    private static final String FORMAT = "journey-cep/alert-id/v1";

    private AlertIds() {}

    public static String of(
            AlertKind kind, String ruleId, int ruleVersion, String subjectKey, List<String> evidenceEventIds) {
        Objects.requireNonNull(kind, "kind");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeString(out, FORMAT);
            writeString(out, kind.name());
            writeString(out, ruleId);
            out.writeInt(ruleVersion);
            writeString(out, subjectKey);
            if (evidenceEventIds == null) {
                out.writeInt(-1);
            } else {
                out.writeInt(evidenceEventIds.size());
                for (String id : evidenceEventIds) {
                    writeString(out, id);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen with a ByteArrayOutputStream
        }
        byte[] digest = sha256().digest(bytes.toByteArray());
        return HexFormat.of().formatHex(digest, 0, 16);
    }

    /**
     * The id of a segment change (DESIGN §4 {@code segment_changes.change_id}): the same encoding over user, segment,
     * action, rule version and event time, under its own format tag. A replay yields the same ids.
     */
    public static String ofSegmentChange(String userId, String segment, SegmentAction action, int ruleVersion,
            long eventTime) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeString(out, "journey-cep/segment-change-id/v1");
            writeString(out, userId);
            writeString(out, segment);
            writeString(out, action.name());
            out.writeInt(ruleVersion);
            out.writeLong(eventTime);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HexFormat.of().formatHex(sha256().digest(bytes.toByteArray()), 0, 16);
    }

    /** Convenience: the id of an alert from its own fields (ignores whatever {@code alert.alertId} holds). */
    public static String of(Alert alert) {
        return of(alert.kind, alert.ruleId, alert.ruleVersion, alert.subjectKey, alert.evidenceEventIds);
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    /** One digest per thread: looking a provider up costs more than hashing these few bytes (segment changes). */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    });

    private static MessageDigest sha256() {
        MessageDigest digest = SHA256.get();
        digest.reset();
        return digest;
    }
}
