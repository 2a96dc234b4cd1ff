package io.journeycep.model;

import java.util.Objects;

/**
 * The one place a user key is built and read back (README "User keys"). A user key names one identity, a known user
 * or an anonymous visitor; the keyed stages hold their state under it, and the sinks write it as {@code subject_key}
 * and {@code user_id}. No two identities may share a key, whatever their ids hold: otherwise one person's events close
 * another's cart, or an erasure of one reaches the other.
 *
 * <ul>
 *   <li>anonymous id {@code x}: {@code anon:x};
 *   <li>user id {@code u}: {@code u} as it is, unless it could be read as one of the other forms, that is unless it
 *       is {@code anon:}, after any number of {@code user:}s ({@code anon:x}, {@code user:anon:x}, ...): then
 *       {@code user:u} ({@code user:anon:x}, {@code user:user:anon:x}, ...).
 * </ul>
 *
 * <p>So the three sets of keys are disjoint (anonymous keys start with {@code anon:}, escaped user keys are
 * {@code user:}... {@code anon:}..., plain user keys are neither) and {@link #parse} inverts the encoding. The escape
 * only touches user ids that look like an anonymous key: every other user's key, and so its alert ids and rows, are
 * what they were before the escape existed (why the escape is not a kind prefix on every key). Ids are compared as
 * they come, character by character (no Unicode normalisation: composed and decomposed look-alikes are two ids).
 */
public final class UserKeys {
    /** What an anonymous visitor's key starts with. */
    public static final String ANONYMOUS_PREFIX = "anon:";
    /** What an escaped user id's key starts with. */
    public static final String USER_PREFIX = "user:";

    private UserKeys() {}

    /** A key read back: which kind of id, and the id. */
    public record Identity(boolean anonymous, String id) {
        public Identity {
            Objects.requireNonNull(id, "id");
        }
    }

    /** The key of an event's identity: its user id when it has one, else its anonymous id. */
    public static String of(String userId, String anonymousId) {
        return userId != null ? user(userId) : anonymous(anonymousId);
    }

    /** The key of a known user. */
    public static String user(String userId) {
        Objects.requireNonNull(userId, "userId");
        return looksAnonymous(userId, 0) ? USER_PREFIX + userId : userId;
    }

    /** The key of an anonymous visitor. */
    public static String anonymous(String anonymousId) {
        Objects.requireNonNull(anonymousId, "anonymousId");
        return ANONYMOUS_PREFIX + anonymousId;
    }

    /** The identity a key was built from: {@code parse(user(u))} is user u, {@code parse(anonymous(a))} visitor a. */
    public static Identity parse(String key) {
        Objects.requireNonNull(key, "key");
        if (key.startsWith(ANONYMOUS_PREFIX)) {
            return new Identity(true, key.substring(ANONYMOUS_PREFIX.length()));
        }
        if (key.startsWith(USER_PREFIX) && looksAnonymous(key, USER_PREFIX.length())) {
            return new Identity(false, key.substring(USER_PREFIX.length()));
        }
        return new Identity(false, key);
    }

    /** Whether {@code s} from {@code from} on is {@code anon:} after zero or more {@code user:}. Called per event. */
    private static boolean looksAnonymous(String s, int from) {
        int i = from;
        while (s.startsWith(USER_PREFIX, i)) {
            i += USER_PREFIX.length();
        }
        return s.startsWith(ANONYMOUS_PREFIX, i);
    }
}
