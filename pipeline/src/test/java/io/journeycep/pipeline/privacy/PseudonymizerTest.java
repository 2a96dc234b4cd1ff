package io.journeycep.pipeline.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.journeycep.model.JourneyEvent;
import io.journeycep.pipeline.privacy.Pseudonymizer.Field;
import io.journeycep.pipeline.privacy.Pseudonymizer.IpMode;

import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;

class PseudonymizerTest {
    static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    static final byte[] OTHER_KEY = "0123456789abcdef0123456789abcdeF".getBytes(StandardCharsets.US_ASCII);

    @Test
    void theHmacIsHmacSha256() {
        // RFC 4231 test case 6 (a key longer than the block size; the short-key cases are under our 32-byte minimum)
        byte[] key = new byte[131];
        Arrays.fill(key, (byte) 0xaa);
        byte[] mac = Pseudonymizer.of(key)
                .hmac("Test Using Larger Than Block-Size Key - Hash Key First".getBytes(StandardCharsets.US_ASCII));
        assertThat(HexFormat.of().formatHex(mac))
                .isEqualTo("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }

    @Test
    void knownPseudonymsAsDocumented() {
        // printf 'user:u-42' | openssl dgst -sha256 -hmac 0123456789abcdef0123456789abcdef -binary | head -c16 \
        //   | basenc --base64url | tr -d =
        Pseudonymizer p = Pseudonymizer.of(KEY);
        assertThat(p.pseudonym(Field.USER, "u-42")).isEqualTo("p1:IGXtEJTKLmVbjA3aFApBbg");
        assertThat(p.pseudonym(Field.ANONYMOUS, "a-9")).isEqualTo("p1:acSzIOrwlJ1pftro4JAjRQ");
        assertThat(p.ip("203.0.113.5")).isEqualTo("p1:hO7lXe5K5cY-v8cnTYmdBA");
    }

    @Test
    void stableAcrossInstancesAndSerializationAndKeyedByKeyAndKind() throws Exception {
        Pseudonymizer p = Pseudonymizer.of(KEY);
        Pseudonymizer copy = InstantiationUtil.clone(p);
        String u = p.pseudonym(Field.USER, "u-42");
        assertThat(Pseudonymizer.of(KEY.clone()).pseudonym(Field.USER, "u-42")).isEqualTo(u);
        assertThat(copy.pseudonym(Field.USER, "u-42")).as("after serialization (task managers)").isEqualTo(u);
        assertThat(u).hasSize(Pseudonymizer.PREFIX.length() + 22).matches("p1:[A-Za-z0-9_-]{22}");
        assertThat(Pseudonymizer.of(OTHER_KEY).pseudonym(Field.USER, "u-42")).as("another key").isNotEqualTo(u);
        assertThat(p.pseudonym(Field.DEVICE, "u-42")).as("another kind of field").isNotEqualTo(u);
        assertThat(p.pseudonym(Field.USER, "u-43")).isNotEqualTo(u);
        assertThat(p.pseudonym(Field.USER, null)).isNull();
    }

    @Test
    void eventsGetTheirConfiguredIdsReplaced() {
        Pseudonymizer p = new Pseudonymizer(KEY, EnumSet.of(Field.USER, Field.CARD, Field.IP), IpMode.TRUNCATE);
        JourneyEvent e = new JourneyEvent();
        e.eventId = "m-1";
        e.userId = "u-42";
        e.anonymousId = "a-9";
        e.deviceId = "d-3";
        e.cardId = "c-1";
        e.ip = "203.0.113.77";
        e.sessionId = "s-1";
        p.apply(e);
        assertThat(e.userId).isEqualTo(Pseudonymizer.of(KEY).pseudonym(Field.USER, "u-42"));
        assertThat(e.cardId).isEqualTo(Pseudonymizer.of(KEY).pseudonym(Field.CARD, "c-1"));
        assertThat(e.ip).isEqualTo("203.0.113.0");
        assertThat(e.anonymousId).as("not selected").isEqualTo("a-9");
        assertThat(e.deviceId).as("not selected").isEqualTo("d-3");
        assertThat(e.eventId).isEqualTo("m-1");
        assertThat(e.sessionId).isEqualTo("s-1");
    }

    @Test
    void ipTruncationKeepsIpv4Slash24AndIpv6Slash48() {
        Pseudonymizer t = new Pseudonymizer(KEY, EnumSet.allOf(Field.class), IpMode.TRUNCATE);
        assertThat(t.ip("203.0.113.77")).isEqualTo("203.0.113.0");
        assertThat(t.ip(" 10.1.2.255 ")).isEqualTo("10.1.2.0");
        assertThat(t.ip("2001:db8:85a3:8d3:1319:8a2e:370:7348")).isEqualTo("2001:db8:85a3::");
        assertThat(t.ip("2001:DB8:85A3::1")).isEqualTo("2001:db8:85a3::");
        assertThat(t.ip("::1")).isEqualTo("::");
        assertThat(t.ip("::ffff:203.0.113.77")).as("IPv4-mapped counts as IPv4").isEqualTo("203.0.113.0");
    }

    @Test
    void aValueThatIsNotAnIpLiteralIsHashedAsItIsNeverLookedUpOrPassedOn() {
        Pseudonymizer t = new Pseudonymizer(KEY, EnumSet.allOf(Field.class), IpMode.TRUNCATE);
        Pseudonymizer h = Pseudonymizer.of(KEY);
        for (String bad : new String[] {"localhost", "example.com", "1.2.3", "256.1.1.1", "1.2.3.4.5", "fe80::1%eth0",
                "unknown", ".:", "12:zz::1"}) {
            assertThat(t.ip(bad)).as(bad).isEqualTo(h.pseudonym(Field.IP, bad)).startsWith("p1:");
            assertThat(h.ip(bad)).as(bad).isEqualTo(h.pseudonym(Field.IP, bad));
        }
    }

    @Test
    void hashingUsesTheCanonicalAddressSoSpellingsOfOneAddressAgree() {
        Pseudonymizer h = Pseudonymizer.of(KEY);
        assertThat(h.ip("2001:DB8::1")).isEqualTo(h.ip("2001:db8:0:0::1")).isEqualTo(h.ip("2001:db8::0:1"))
                .startsWith("p1:");
        assertThat(h.ip("203.0.113.5")).isNotEqualTo(h.ip("203.0.113.6"));
        assertThat(new Pseudonymizer(KEY, EnumSet.allOf(Field.class), IpMode.KEEP).ip("203.0.113.5"))
                .isEqualTo("203.0.113.5");
    }

    @Test
    void aShortKeyIsRefusedWithoutShowingItAndToStringHidesTheKey() {
        assertThatThrownBy(() -> Pseudonymizer.of("short-key-short-key".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the pseudonymization key must be at least 32 bytes, was 19");
        assertThat(Pseudonymizer.of(KEY).toString()).doesNotContain("0123456789abcdef").contains("key=****");
    }
}
