package io.journeycep.pipeline.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import io.journeycep.model.UserKeys;
import io.journeycep.patterns.velocity.VelocityField;
import io.journeycep.patterns.velocity.VelocityRule;
import io.journeycep.pipeline.ingest.WallClock;
import io.journeycep.pipeline.privacy.Pseudonymizer;
import io.journeycep.pipeline.stages.erasure.ErasureMarkers;
import io.journeycep.pipeline.stages.suppression.SuppressionMarkers;
import io.journeycep.sinks.RejectReason;
import io.journeycep.sinks.RejectedEvent;

import org.apache.flink.api.common.functions.util.ListCollector;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

class ControlMessageParserTest {
    private static final long NOW = 1_795_400_000_000L;
    /** {@code printf 'u-42' | sha256sum}. */
    private static final String SHA256_U42 = "16ec525b74b75626eb93ecad8acc749885fcf4e83c95b139342769a4ab1828a3";
    private final ControlMessageParser parser = new ControlMessageParser(WallClock.fixed(NOW));

    private static final String RULE = "{\"rule-id\":\"users-per-device\",\"version\":3,"
            + "\"event-types\":[\"login\",\"signup\"],\"dimension\":\"device\",\"aggregate\":\"distinct_count\","
            + "\"field\":\"userId\",\"comparison\":\">\",\"threshold\":4,\"window\":\"2h\",\"severity\":\"critical\","
            + "\"cooldown\":\"30m\"}";

    private ControlMessageParser.Result parse(String key, String value) {
        return parser.parse(ControlRecord.of("kafka:control/0", 17L, key, value));
    }

    private RejectedEvent rejected(String value) {
        ControlMessageParser.Result r = parse(null, value);
        assertThat(r.isAccepted()).as("rejected: %s", value).isFalse();
        assertThat(r.rejected.reason).isEqualTo(RejectReason.BAD_CONTROL_MESSAGE.name());
        assertThat(r.rejected.source).isEqualTo("kafka:control/0");
        assertThat(r.rejected.position).isEqualTo(17L);
        assertThat(r.rejected.receivedAt).isEqualTo(NOW);
        if (value != null) {
            assertThat(new String(r.rejected.raw, StandardCharsets.UTF_8)).isEqualTo(value);
        }
        return r.rejected;
    }

    @Test
    void aVelocityRuleMessageCarriesTheSameRuleAsTheConfigForm() {
        ControlMessageParser.Result r = parse("users-per-device", "{\"type\":\"velocity-rule\",\"rule\":" + RULE + "}");
        assertThat(r.isAccepted()).as("%s", r).isTrue();
        ControlMessage m = r.message;
        assertThat(m.type).isEqualTo(ControlMessage.VELOCITY_RULE);
        assertThat(m.ruleId).isEqualTo("users-per-device");
        assertThat(m.version).isEqualTo(3);
        assertThat(m.source).isEqualTo("kafka:control/0");
        assertThat(m.position).isEqualTo(17L);
        assertThat(m.rule).isEqualTo(VelocityRule.of("users-per-device", 3, EnumSet.of(EventType.LOGIN,
                EventType.SIGNUP), VelocityRule.Dimension.DEVICE, VelocityRule.Aggregate.DISTINCT_COUNT,
                VelocityField.USER_ID, VelocityRule.Comparison.GT, 4, Duration.ofHours(2),
                VelocityRule.Severity.CRITICAL, Duration.ofMinutes(30)));
        assertThat(parse(null, "{\"type\":\"velocity-rule\",\"rule\":" + RULE + "}").isAccepted())
                .as("no key").isTrue();
    }

    @Test
    void aRemovalNamesTheRuleAndAVersion() {
        ControlMessageParser.Result r =
                parse("x", "{\"type\":\"velocity-rule-removed\",\"rule-id\":\"x\",\"version\":4}");
        assertThat(r.isAccepted()).isTrue();
        assertThat(r.message.type).isEqualTo(ControlMessage.VELOCITY_RULE_REMOVED);
        assertThat(r.message.ruleId).isEqualTo("x");
        assertThat(r.message.version).isEqualTo(4);
        assertThat(r.message.rule).isNull();
    }

    @Test
    void segmentRuleMessagesCarryAValidDefinitionOrNameTheFieldAtFault() {
        String segment = "{\"id\":\"FREQUENT_BUYER\",\"version\":2,"
                + "\"when\":{\"count\":[\"purchase\"],\"within\":\"365d\",\"more-than\":10}}";
        ControlMessageParser.Result ok = parse("FREQUENT_BUYER", "{\"type\":\"segment-rule\",\"segment\":" + segment + "}");
        assertThat(ok.isAccepted()).isTrue();
        assertThat(ok.message.isSegment()).isTrue();
        assertThat(ok.message.ruleId).isEqualTo("FREQUENT_BUYER");
        assertThat(ok.message.version).isEqualTo(2);
        assertThat(ok.message.definition).contains("\"more-than\":10");
        ControlMessageParser.Result removed =
                parse(null, "{\"type\":\"segment-rule-removed\",\"segment-id\":\"FREQUENT_BUYER\",\"version\":2}");
        assertThat(removed.message.type).isEqualTo(ControlMessage.SEGMENT_RULE_REMOVED);
        assertThat(rejected("{\"type\":\"segment-rule\",\"segment\":" + segment.replace("\"version\":2,", "") + "}")
                .detail).startsWith("segment.version: required in a control message");
        assertThat(rejected("{\"type\":\"segment-rule\",\"segment\":" + segment.replace("purchase", "buy") + "}")
                .detail).isEqualTo("segment.when.count[0]: 'buy' is not a canonical event type, session or "
                        + "cart_abandoned");
        assertThat(rejected("{\"type\":\"segment-rule\",\"segment\":" + segment.replace("365d", "400d") + "}")
                .detail).isEqualTo("segment.when.within: at most the horizon (365d), was 400d");
        assertThat(rejected("{\"type\":\"segment-rule-removed\",\"segment-id\":\"X\"}").detail)
                .startsWith("version: required");
    }

    @Test
    void badMessagesAreRejectedNamingTheFieldAtFault() {
        assertThat(rejected("not json").detail).startsWith("value: not JSON");
        assertThat(rejected("[1,2]").detail).isEqualTo("value: a control message is a JSON object, was array");
        assertThat(rejected("{\"rule\":" + RULE + "}").detail)
                .isEqualTo("type: required, one of velocity-rule, velocity-rule-removed, segment-rule, "
                        + "segment-rule-removed, erasure, suppress, unsuppress");
        assertThat(rejected("{\"type\":\"erase-everything\"}").detail).isEqualTo(
                "type: unknown control message type 'erase-everything'; known: velocity-rule, velocity-rule-removed, "
                        + "segment-rule, segment-rule-removed, erasure, suppress, unsuppress");
        assertThat(rejected("{\"type\":\"velocity-rule\"}").detail).startsWith("rule: required");
        assertThat(rejected("{\"type\":\"velocity-rule\",\"rule\":" + RULE + ",\"note\":1}").detail)
                .startsWith("note: unknown field of a velocity-rule message");
        assertThat(rejected("{\"type\":\"velocity-rule\",\"rule\":" + RULE.replace("\"version\":3,", "") + "}").detail)
                .startsWith("rule.version: required in a control message");
        assertThat(rejected("{\"type\":\"velocity-rule\",\"rule\":" + RULE.replace("\"version\":3", "\"version\":2.5")
                + "}").detail).isEqualTo("rule.version: must be a whole number, was 2.5");
        assertThat(rejected("{\"type\":\"velocity-rule\",\"rule\":" + RULE.replace("\"threshold\":4", "\"threshold\":4.5")
                + "}").detail).isEqualTo("rule.threshold: a count threshold must be a whole number, was 4.5");
        assertThat(rejected("{\"type\":\"velocity-rule\",\"rule\":" + RULE.replace("\"threshold\"", "\"thresold\"")
                + "}").detail).startsWith("rule.thresold: unknown field; a rule has rule-id, version,");
        assertThat(rejected("{\"type\":\"velocity-rule\",\"rule\":" + RULE.replace("\"2h\"", "\"2 parsecs\"")
                + "}").detail).startsWith("rule.window: '2 parsecs' is not a duration");
        assertThat(rejected("{\"type\":\"velocity-rule\",\"rule\":" + RULE.replace("\"device\"", "\"planet\"")
                + "}").detail).startsWith("rule.dimension: ");
        assertThat(rejected("{\"type\":\"velocity-rule\",\"rule\":" + RULE.replace("\"login\"", "\"logon\"")
                + "}").detail).startsWith("rule.event-types: unknown event type 'logon'");
        assertThat(rejected("{\"type\":\"velocity-rule\",\"rule\":" + RULE.replace("\"field\":\"userId\",", "")
                .replace("\"window\":\"2h\"", "\"window\":\"400d\"") + "}").detail)
                .isEqualTo("rule.field: DISTINCT_COUNT needs a text field (userId, ip, deviceId, cardId, itemId,"
                        + " categoryId, sessionId), was none; rule.window: must be at most 366d, was 400d");
        assertThat(rejected("{\"type\":\"velocity-rule-removed\",\"version\":1}").detail)
                .startsWith("rule-id: required");
        assertThat(rejected("{\"type\":\"velocity-rule-removed\",\"rule-id\":\"x\"}").detail)
                .startsWith("version: required");
        assertThat(rejected("{\"type\":\"velocity-rule-removed\",\"rule-id\":\"x\",\"version\":0}").detail)
                .isEqualTo("version: must be a whole number >= 1, was 0");
        assertThat(rejected("{\"type\":\"velocity-rule-removed\",\"rule-id\":\"x\",\"version\":1,\"rule\":{}}")
                .detail).startsWith("rule: unknown field of a velocity-rule-removed message");
        assertThat(rejected("{\"type\":\"velocity-rule\",\"type\":\"velocity-rule\"}").detail)
                .startsWith("value: not JSON: Duplicate field 'type'");
        assertThat(rejected(null).detail).startsWith("value: an empty record");
    }

    @Test
    void aKeyMustBeTheRuleId() {
        ControlMessageParser.Result r = parse("other", "{\"type\":\"velocity-rule\",\"rule\":" + RULE + "}");
        assertThat(r.isAccepted()).isFalse();
        assertThat(r.rejected.detail)
                .startsWith("key: the record key 'other' is not the rule id 'users-per-device'");
        assertThat(parse("y", "{\"type\":\"velocity-rule-removed\",\"rule-id\":\"x\",\"version\":1}").isAccepted())
                .isFalse();
    }

    @Test
    void anErasureRequestCarriesTheKeysAsTheStateHoldsThemAndTheIdOnlyHashed() {
        ControlMessageParser.Result r = parser.parse(ControlRecord.of("kafka:control/0", 17L, null,
                "{\"type\":\"erasure\",\"user-id\":\"u-42\",\"anonymous-ids\":[\"a-9\",\"a-9\",\"a-10\"]}"
                        .getBytes(StandardCharsets.UTF_8), 1_700_000_000_000L));
        assertThat(r.isAccepted()).as("%s", r).isTrue();
        ControlMessage m = r.message;
        assertThat(m.isErasure()).isTrue();
        assertThat(m.raw).as("the raw request holds the id").isNull();
        assertThat(m.erasure.erasureId).isEqualTo("kafka:control/0@17");
        assertThat(m.erasure.userKeys).containsExactly("u-42", "anon:a-9", "anon:a-10");
        assertThat(m.erasure.requestedAt).isEqualTo(1_700_000_000_000L);
        // printf 'u-42' | sha256sum
        assertThat(m.erasure.userHash).isEqualTo("sha256:" + SHA256_U42).doesNotContain("u-42");
        assertThat(m.toString()).doesNotContain("u-42").doesNotContain("a-9");
        // without a record timestamp the request time is when it was read
        assertThat(parse(null, "{\"type\":\"erasure\",\"user-id\":\"u-42\"}").message.erasure.requestedAt)
                .isEqualTo(NOW);
    }

    @Test
    void anErasureRequestsIdsAreTrimmedAsEventsIdsAreAndNotNormalised() {
        ControlMessage m = parse(null, "{\"type\":\"erasure\",\"user-id\":\" u-42\\t\",\"anonymous-ids\":"
                + "[\"a-9 \",\"\\u2003a-9\",\"cafe\u0301 \"]}").message;
        assertThat(m.erasure.userKeys).as("trimmed, duplicates after trimming dropped, NFD kept as sent")
                .containsExactly("u-42", "anon:a-9", "anon:cafe\u0301");
        assertThat(m.erasure.userHash).isEqualTo("sha256:" + SHA256_U42);
        // the keys are those of the events the parser accepts for the same ids, spaces and all
        JourneyEvent event = io.journeycep.pipeline.ingest.EventParser.withDefaults().parseJson((
                "{\"type\":\"track\",\"event\":\"Product Viewed\",\"userId\":\"u-42 \",\"anonymousId\":\" a-9\","
                        + "\"timestamp\":\"2023-11-14T22:13:20Z\"}").getBytes(StandardCharsets.UTF_8), "t", 1).event;
        assertThat(event.userKey()).isEqualTo(m.erasure.userKeys[0]);
        assertThat(UserKeys.anonymous(event.anonymousId)).isEqualTo(m.erasure.userKeys[1]);
    }

    @Test
    void withPseudonymizationTheKeysArePseudonymsAndTheHashIsKeyed() {
        byte[] key = "0123456789abcdef0123456789abcdef0123".getBytes(StandardCharsets.UTF_8);
        io.journeycep.pipeline.privacy.Pseudonymizer p = io.journeycep.pipeline.privacy.Pseudonymizer.of(key);
        ControlMessageParser keyed = new ControlMessageParser(WallClock.fixed(NOW), 365, p);
        ControlMessage m = keyed.parse(ControlRecord.of("kafka:control/0", 3L, null,
                "{\"type\":\"erasure\",\"user-id\":\"u-42\",\"anonymous-ids\":[\"a-9\"]}")).message;
        assertThat(m.erasure.userKeys).containsExactly(
                p.pseudonym(io.journeycep.pipeline.privacy.Pseudonymizer.Field.USER, "u-42"),
                "anon:" + p.pseudonym(io.journeycep.pipeline.privacy.Pseudonymizer.Field.ANONYMOUS, "a-9"));
        assertThat(m.erasure.userHash).startsWith("hmac-sha256:").isEqualTo(p.erasureHash("u-42"))
                .isNotEqualTo(io.journeycep.pipeline.privacy.Pseudonymizer.plainErasureHash("u-42"));
        // the log hash is not the user's pseudonym (another HMAC domain)
        assertThat(m.erasure.userHash).doesNotContain(m.erasure.userKeys[0].substring(3));
    }

    @Test
    void withPseudonymizationASuppressionReachesTheKeysAnErasureOfTheSameIdsReaches() {
        byte[] key = "0123456789abcdef0123456789abcdef0123".getBytes(StandardCharsets.UTF_8);
        io.journeycep.pipeline.privacy.Pseudonymizer p = io.journeycep.pipeline.privacy.Pseudonymizer.of(key);
        ControlMessageParser keyed = new ControlMessageParser(WallClock.fixed(NOW), 365, p);
        ControlMessage erasure = keyed.parse(ControlRecord.of("kafka:control/0", 3L, null,
                "{\"type\":\"erasure\",\"user-id\":\"u-42\",\"anonymous-ids\":[\"a-9\"]}")).message;
        ControlMessage suppress = keyed.parse(ControlRecord.of("kafka:control/0", 4L, null,
                "{\"type\":\"suppress\",\"user-id\":\"u-42\",\"anonymous-ids\":[\"a-9\"],\"delete\":true}")).message;
        assertThat(suppress.suppression.userKeys).containsExactly(erasure.erasure.userKeys)
                .doesNotContain("u-42", "anon:a-9");
        assertThat(suppress.suppression.userHash).isEqualTo(erasure.erasure.userHash);
        assertThat(suppress.erasure.userKeys).containsExactly(erasure.erasure.userKeys);
    }

    @Test
    void anErasureOfAUserWhoseIdLooksLikeAnAnonymousKeyIsKeyedAsThatUserAndMarksOnlyThatUser() {
        ControlMessage m = parse(null, "{\"type\":\"erasure\",\"user-id\":\"anon:x\",\"anonymous-ids\":"
                + "[\"anon:x\",\"user:anon:x\",\"caf\u00e9\",\"cafe\u0301\"]}").message;
        assertThat(m.erasure.userKeys).containsExactly("user:anon:x", "anon:anon:x", "anon:user:anon:x",
                "anon:caf\u00e9", "anon:cafe\u0301");
        List<JourneyEvent> markers = new ArrayList<>();
        new ErasureMarkers().flatMap(m, new ListCollector<>(markers));
        assertThat(markers).extracting(JourneyEvent::userKey).containsExactly(m.erasure.userKeys);
        assertThat(markers.get(0).userId).isEqualTo("anon:x");
        assertThat(markers.get(0).anonymousId).isNull();
        assertThat(markers.subList(1, markers.size())).extracting(e -> e.anonymousId)
                .containsExactly("anon:x", "user:anon:x", "caf\u00e9", "cafe\u0301");
        assertThat(markers).extracting(JourneyEvent::userKey).as("visitor x is not named")
                .doesNotContain(UserKeys.anonymous("x"));

        // pseudonymized anonymous ids, raw user ids: a user id that is a visitor's key in state is still a user
        byte[] key = "0123456789abcdef0123456789abcdef0123".getBytes(StandardCharsets.UTF_8);
        Pseudonymizer p = new Pseudonymizer(key, EnumSet.of(Pseudonymizer.Field.ANONYMOUS),
                Pseudonymizer.IpMode.HASH);
        String visitorKey = UserKeys.anonymous(p.pseudonym(Pseudonymizer.Field.ANONYMOUS, "x"));
        ControlMessage keyed = new ControlMessageParser(WallClock.fixed(NOW), 365, p).parse(ControlRecord.of(
                "kafka:control/0", 4L, null, "{\"type\":\"erasure\",\"user-id\":\"" + visitorKey + "\"}")).message;
        assertThat(keyed.erasure.userKeys).containsExactly("user:" + visitorKey);
    }

    @Test
    void aBadErasureRequestNamesTheFieldNeverTheValueAndKeepsNoRawBytes() {
        for (String[] c : new String[][] {
                {"{\"type\":\"erasure\"}", "user-id: required"},
                {"{\"type\":\"erasure\",\"user-id\":\" \"}", "user-id: required"},
                {"{\"type\":\"erasure\",\"user-id\":42}", "user-id: required"},
                {"{\"type\":\"erasure\",\"user-id\":\"u-42\",\"anonymous-ids\":\"a-9\"}",
                        "anonymous-ids: must be a list"},
                {"{\"type\":\"erasure\",\"user-id\":\"u-42\",\"anonymous-ids\":[\"a-9\",7]}",
                        "anonymous-ids[1]: must be a non-empty string"},
                {"{\"type\":\"erasure\",\"user-id\":\"u-42\",\"email\":\"x@y\"}",
                        "email: unknown field of an erasure"}}) {
            ControlMessageParser.Result r = parse(null, c[0]);
            assertThat(r.isAccepted()).as(c[0]).isFalse();
            assertThat(r.rejected.reason).isEqualTo(RejectReason.BAD_CONTROL_MESSAGE.name());
            assertThat(r.rejected.detail).as(c[0]).startsWith(c[1]).doesNotContain("u-42").doesNotContain("a-9")
                    .doesNotContain("x@y");
            assertThat(r.rejected.raw).as(c[0]).isNull();
        }
    }

    @Test
    void aSuppressRequestCarriesTheKeysAndTheHashAsAnErasureDoesAndDeleteMakesItAnErasureToo() {
        ControlMessage m = parser.parse(ControlRecord.of("kafka:control/0", 17L, null,
                "{\"type\":\"suppress\",\"user-id\":\" u-42\",\"anonymous-ids\":[\"a-9\",\"a-9\"]}"
                        .getBytes(StandardCharsets.UTF_8), 1_700_000_000_000L)).message;
        assertThat(m.type).isEqualTo(ControlMessage.SUPPRESS);
        assertThat(m.isSuppression()).isTrue();
        assertThat(m.erases()).as("no delete: not an erasure").isFalse();
        assertThat(m.isErasure()).isFalse();
        assertThat(m.raw).as("the raw request holds the id").isNull();
        assertThat(m.suppression.suppress).isTrue();
        assertThat(m.suppression.requestId).isEqualTo("kafka:control/0@17");
        assertThat(m.suppression.userKeys).containsExactly("u-42", "anon:a-9");
        assertThat(m.suppression.at).isEqualTo(1_700_000_000_000L);
        assertThat(m.suppression.userHash).isEqualTo("sha256:" + SHA256_U42);
        assertThat(m.toString()).doesNotContain("u-42").doesNotContain("a-9");

        ControlMessage withDelete = parse(null, "{\"type\":\"suppress\",\"user-id\":\"u-42\",\"delete\":true}").message;
        assertThat(withDelete.isSuppression()).isTrue();
        assertThat(withDelete.erases()).isTrue();
        assertThat(withDelete.erasure.erasureId).isEqualTo("kafka:control/0@17");
        assertThat(withDelete.erasure.userKeys).containsExactly("u-42");
        assertThat(withDelete.erasure.requestedAt).as("no record timestamp: when it was read")
                .isEqualTo(withDelete.suppression.at).isEqualTo(NOW);
        List<JourneyEvent> erasureMarkers = new ArrayList<>();
        new ErasureMarkers().flatMap(withDelete, new ListCollector<>(erasureMarkers));
        assertThat(erasureMarkers).singleElement().satisfies(e -> {
            assertThat(e.isErasure()).isTrue();
            assertThat(e.userKey()).isEqualTo("u-42");
        });
        assertThat(parse(null, "{\"type\":\"suppress\",\"user-id\":\"u-42\",\"delete\":false}").message.erases())
                .isFalse();
    }

    @Test
    void anUnsuppressRequestBecomesOneMarkerPerKeyAndNoErasure() {
        ControlMessage m = parse(null,
                "{\"type\":\"unsuppress\",\"user-id\":\"anon:x\",\"anonymous-ids\":[\"x\"]}").message;
        assertThat(m.type).isEqualTo(ControlMessage.UNSUPPRESS);
        assertThat(m.suppression.suppress).isFalse();
        assertThat(m.erases()).isFalse();
        List<JourneyEvent> markers = new ArrayList<>();
        new SuppressionMarkers().flatMap(m, new ListCollector<>(markers));
        assertThat(markers).extracting(JourneyEvent::userKey).containsExactly("user:anon:x", "anon:x");
        assertThat(markers).allSatisfy(e -> {
            assertThat(e.isSuppression()).isTrue();
            assertThat(e.isErasure()).isFalse();
            assertThat(e.timestamp).isEqualTo(NOW);
            assertThat(e.toString()).doesNotContain("anon:x");
        });
        List<JourneyEvent> none = new ArrayList<>();
        new ErasureMarkers().flatMap(m, new ListCollector<>(none));
        new SuppressionMarkers().flatMap(parse(null, "{\"type\":\"erasure\",\"user-id\":\"u-42\"}").message,
                new ListCollector<>(none));
        assertThat(none).as("an unsuppress erases nothing; an erasure suppresses nothing").isEmpty();
    }

    @Test
    void aBadSuppressionRequestNamesTheFieldNeverTheValueAndKeepsNoRawBytes() {
        for (String[] c : new String[][] {
                {"{\"type\":\"suppress\"}", "user-id: required, the id of the user to suppress"},
                {"{\"type\":\"unsuppress\",\"user-id\":\" \"}", "user-id: required, the id of the user to unsuppress"},
                {"{\"type\":\"suppress\",\"user-id\":\"u-42\",\"anonymous-ids\":\"a-9\"}",
                        "anonymous-ids: must be a list"},
                {"{\"type\":\"suppress\",\"user-id\":\"u-42\",\"anonymous-ids\":[\"a-9\",7]}",
                        "anonymous-ids[1]: must be a non-empty string"},
                {"{\"type\":\"suppress\",\"user-id\":\"u-42\",\"delete\":\"yes\"}",
                        "delete: must be true or false"},
                {"{\"type\":\"unsuppress\",\"user-id\":\"u-42\",\"delete\":true}",
                        "delete: unknown field of an unsuppress message; it has anonymous-ids, type, user-id"},
                {"{\"type\":\"suppress\",\"user-id\":\"u-42\",\"email\":\"x@y\"}",
                        "email: unknown field of a suppress message; it has anonymous-ids, delete, type, user-id"}}) {
            ControlMessageParser.Result r = parse(null, c[0]);
            assertThat(r.isAccepted()).as(c[0]).isFalse();
            assertThat(r.rejected.reason).isEqualTo(RejectReason.BAD_CONTROL_MESSAGE.name());
            assertThat(r.rejected.detail).as(c[0]).startsWith(c[1]).doesNotContain("u-42").doesNotContain("a-9")
                    .doesNotContain("x@y");
            assertThat(r.rejected.raw).as(c[0]).isNull();
        }
    }
}
