package io.journeycep.pipeline.privacy;

import io.journeycep.model.JourneyEvent;

import java.io.Serializable;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed pseudonymization of an event's personal identifiers (README "Privacy"), applied by the parsers right after a
 * record is parsed, so no raw id reaches dedupe, state or a sink.
 *
 * <p>A pseudonym is {@value #PREFIX} followed by the first 128 bits of {@code HMAC-SHA256(key, "<kind>:<value>")} in
 * unpadded base64url (22 characters), where kind is {@code user}, {@code anonymous}, {@code device}, {@code card} or
 * {@code ip}. The same value, kind and key always give the same pseudonym (replays, joins and dedupe work as
 * before); another key, or the same value in another kind of field, gives another one. Without the key a pseudonym
 * cannot be linked back to its value, not even by trying candidate values.
 *
 * <p>IPs ({@link IpMode}): {@code hash} hashes the address in its canonical form (so {@code 2001:DB8::1} and
 * {@code 2001:db8:0:0::1} give one pseudonym); {@code truncate} keeps the network, IPv4 /24 ({@code 203.0.113.0}),
 * IPv6 /48 ({@code 2001:db8:85a3::}); an IPv4-mapped IPv6 address counts as IPv4. A value that is not an IP literal
 * (no name lookups are ever made) is hashed as it is, in both modes: it is never passed on raw, and the event is not
 * rejected for it. {@code keep} passes IPs on unchanged.
 *
 * <p>The key travels with the parser inside the job graph (the task managers need it); {@link #toString()} never
 * shows it.
 */
public final class Pseudonymizer implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Marks a pseudonymized value (version 1 of the scheme). */
    public static final String PREFIX = "p1:";
    /** The shortest key accepted, in bytes. */
    public static final int MIN_KEY_BYTES = 32;
    static final int PSEUDONYM_BYTES = 16;

    /** The identifiers that can be pseudonymized; the wire name is the config's and the HMAC's domain. */
    public enum Field {
        USER, ANONYMOUS, DEVICE, CARD, IP;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Field fromWireName(String name) {
            for (Field f : values()) {
                if (f.wireName().equals(name)) {
                    return f;
                }
            }
            return null;
        }
    }

    /** What happens to IPs when {@link Field#IP} is pseudonymized. */
    public enum IpMode { HASH, TRUNCATE, KEEP }

    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f:.]*");

    private final byte[] key;
    private final EnumSet<Field> fields;
    private final IpMode ipMode;
    private transient ThreadLocal<Mac> macs;

    /**
     * @param key at least {@value #MIN_KEY_BYTES} bytes (copied)
     * @param fields the identifiers to pseudonymize
     */
    public Pseudonymizer(byte[] key, Set<Field> fields, IpMode ipMode) {
        Objects.requireNonNull(key, "key");
        if (key.length < MIN_KEY_BYTES) {
            // the length only, never the key
            throw new IllegalArgumentException("the pseudonymization key must be at least " + MIN_KEY_BYTES
                    + " bytes, was " + key.length);
        }
        this.key = key.clone();
        this.fields = fields.isEmpty() ? EnumSet.noneOf(Field.class) : EnumSet.copyOf(fields);
        this.ipMode = Objects.requireNonNull(ipMode, "ipMode");
    }

    /** All fields, IPs hashed. */
    public static Pseudonymizer of(byte[] key) {
        return new Pseudonymizer(key, EnumSet.allOf(Field.class), IpMode.HASH);
    }

    /** Replaces the event's identifiers in place (those configured); returns it. */
    public JourneyEvent apply(JourneyEvent e) {
        if (fields.contains(Field.USER)) {
            e.userId = pseudonym(Field.USER, e.userId);
        }
        if (fields.contains(Field.ANONYMOUS)) {
            e.anonymousId = pseudonym(Field.ANONYMOUS, e.anonymousId);
        }
        if (fields.contains(Field.DEVICE)) {
            e.deviceId = pseudonym(Field.DEVICE, e.deviceId);
        }
        if (fields.contains(Field.CARD)) {
            e.cardId = pseudonym(Field.CARD, e.cardId);
        }
        if (fields.contains(Field.IP)) {
            e.ip = ip(e.ip);
        }
        return e;
    }

    /**
     * A value of one kind as the job's state holds it: its pseudonym when that kind is pseudonymized, else as it is.
     */
    public String asInState(Field kind, String value) {
        if (kind == Field.IP) {
            return fields.contains(Field.IP) ? ip(value) : value;
        }
        return fields.contains(kind) ? pseudonym(kind, value) : value;
    }

    /**
     * The hash an erasure is logged with (README "Privacy"): {@code hmac-sha256:} + the hex HMAC-SHA256 of
     * {@code "erasure:" + userId} with this key (a domain of its own, so it is not the user's pseudonym).
     */
    public String erasureHash(String userId) {
        return "hmac-sha256:" + java.util.HexFormat.of().formatHex(
                hmac(("erasure:" + userId).getBytes(StandardCharsets.UTF_8)));
    }

    /** The erasure hash without a key: {@code sha256:} + the hex SHA-256 of the user id's UTF-8 bytes. */
    public static String plainErasureHash(String userId) {
        try {
            return "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(userId.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always there", e);
        }
    }

    /** The pseudonym of a value of one kind of field; {@code null} stays {@code null}. */
    public String pseudonym(Field kind, String value) {
        if (value == null) {
            return null;
        }
        byte[] mac = hmac((kind.wireName() + ":" + value).getBytes(StandardCharsets.UTF_8));
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(mac, PSEUDONYM_BYTES));
    }

    /** An IP as the configured mode makes it (ignoring whether {@link Field#IP} is selected). */
    public String ip(String value) {
        if (value == null || ipMode == IpMode.KEEP) {
            return value;
        }
        InetAddress address = parseIpLiteral(value);
        if (address == null) {
            return pseudonym(Field.IP, value);
        }
        return ipMode == IpMode.TRUNCATE ? truncate(address) : pseudonym(Field.IP, address.getHostAddress());
    }

    /** IPv4 /24, IPv6 /48, as an address with the host bits zeroed (IPv6 in its compressed form). */
    static String truncate(InetAddress address) {
        byte[] b = address.getAddress();
        int keep = b.length == 4 ? 3 : 6;
        Arrays.fill(b, keep, b.length, (byte) 0);
        try {
            return compress(InetAddress.getByAddress(b));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // a 4- or 16-byte array is always an address
        }
    }

    /** Parses an IPv4 or IPv6 literal without ever resolving a name; {@code null} when it is not one. */
    static InetAddress parseIpLiteral(String value) {
        String v = value.strip();
        boolean v4 = IPV4.matcher(v).matches();
        boolean v6 = !v4 && v.indexOf(':') >= 0 && IPV6_CHARS.matcher(v).matches();
        if (!v4 && !v6) {
            return null;
        }
        try {
            // a literal of these characters only (digits and dots, or hex digits, colons and dots with a colon) is
            // parsed as an address by InetAddress, never looked up
            return InetAddress.getByName(v);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static String compress(InetAddress a) {
        String s = a.getHostAddress();
        if (s.indexOf(':') < 0) {
            return s;
        }
        // getHostAddress gives the full form (2001:db8:85a3:0:0:0:0:0); compress the longest run of zero groups
        String[] groups = s.split(":", -1);
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < groups.length; ) {
            if (groups[i].equals("0")) {
                int j = i;
                while (j < groups.length && groups[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLen && j - i > 1) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestStart < 0) {
            return s;
        }
        String head = String.join(":", Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", Arrays.copyOfRange(groups, bestStart + bestLen, groups.length));
        return head + "::" + tail;
    }

    /** HMAC-SHA256 of {@code message} under the key (all 32 bytes). */
    byte[] hmac(byte[] message) {
        return macs().get().doFinal(message);
    }

    private ThreadLocal<Mac> macs() {
        ThreadLocal<Mac> m = macs;
        if (m == null) {
            // a race only builds a second ThreadLocal: each thread still gets its own Mac
            m = ThreadLocal.withInitial(this::newMac);
            macs = m;
        }
        return m;
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    public Set<Field> fields() {
        return EnumSet.copyOf(fields);
    }

    public IpMode ipMode() {
        return ipMode;
    }

    /** Never shows the key. */
    @Override
    public String toString() {
        return "Pseudonymizer{key=****, fields=" + fields + ", ip=" + ipMode + '}';
    }
}
