package io.journeycep.pipeline.ingest;

import static io.journeycep.pipeline.ingest.EventParserTest.accepted;
import static io.journeycep.pipeline.ingest.EventParserTest.rejected;
import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import io.journeycep.sinks.RejectReason;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Segment {@code group} calls and the consent objects of Segment and RudderStack (issue 15; README "Consent"). */
class GroupAndConsentParsingTest {
    private static final String AT = "\"timestamp\":\"2026-11-22T10:00:00Z\"";

    @Test
    void aGroupCallKeepsItsGroupAndScalarTraitsAndIsNoStep() {
        JourneyEvent e = accepted("{\"type\":\"group\",\"messageId\":\"m-g\",\"userId\":\"u-42\","
                + "\"anonymousId\":\"a-9\",\"groupId\":\" acme \"," + AT + ",\"traits\":{\"name\":\"Acme Inc\","
                + "\"plan\":\"Enterprise\",\"employees\":250,\"paying\":true,\"address\":{\"city\":\"Oslo\"},"
                + "\"tags\":[\"a\"],\"website\":null}}");
        assertThat(e.type).isEqualTo(EventType.OTHER);
        assertThat(e.sourceEventName).isEqualTo("group");
        assertThat(e.isGroupCall()).isTrue();
        assertThat(e.groupId).as("trimmed as every id").isEqualTo("acme");
        assertThat(e.userId).isEqualTo("u-42");
        assertThat(e.anonymousId).isEqualTo("a-9");
        assertThat(e.timestamp).isEqualTo(Instant.parse("2026-11-22T10:00:00Z").toEpochMilli());
        assertThat(e.groupTraitNames).containsExactly("name", "plan", "employees", "paying");
        assertThat(e.groupTraitValues).containsExactly("Acme Inc", "Enterprise", "250", "true");
        assertThat(e.consentGranted).as("no consent object").isNull();
    }

    @Test
    void aGroupCallWithoutTraitsOrOnlyAnAnonymousIdIsAccepted() {
        JourneyEvent e = accepted("{\"type\":\"group\",\"anonymousId\":\"a-9\",\"groupId\":7," + AT + "}");
        assertThat(e.groupId).isEqualTo("7");
        assertThat(e.groupTraitNames).isNull();
        assertThat(e.userKey()).isEqualTo("anon:a-9");
    }

    @Test
    void badGroupCallsAreRejectedWithTheFieldNamed() {
        rejected("{\"type\":\"group\",\"userId\":\"u\"," + AT + "}", RejectReason.BAD_FIELD, "'groupId'",
                "required for a group call");
        rejected("{\"type\":\"group\",\"userId\":\"u\",\"groupId\":\"  \"," + AT + "}", RejectReason.BAD_FIELD,
                "'groupId'");
        rejected("{\"type\":\"group\",\"groupId\":\"g\"," + AT + "}", RejectReason.MISSING_USER, "userId");
        rejected("{\"type\":\"group\",\"userId\":\"u\",\"groupId\":\"g\",\"traits\":[1]," + AT + "}",
                RejectReason.BAD_FIELD, "'traits'", "expected an object");
        rejected("{\"type\":\"group\",\"userId\":\"u\",\"groupId\":\"g\",\"traits\":{\"plan\":\"a\\u0001b\"},"
                + AT + "}", RejectReason.BAD_FIELD, "'traits.plan'", "control character");
        rejected("{\"type\":\"group\",\"userId\":\"u\",\"groupId\":{\"id\":1}," + AT + "}", RejectReason.BAD_FIELD,
                "'groupId'");
    }

    @Test
    void segmentCategoryPreferencesGrantTheCategoriesThatAreTrue() {
        JourneyEvent e = accepted("{\"type\":\"track\",\"event\":\"Product Viewed\",\"userId\":\"u\"," + AT
                + ",\"context\":{\"consent\":{\"categoryPreferences\":{\"Marketing\":true,\"Analytics\":false,"
                + "\"Advertising\":true}}}}");
        assertThat(e.consentGranted).containsExactly("Advertising", "Marketing");
        JourneyEvent none = accepted("{\"type\":\"page\",\"userId\":\"u\"," + AT
                + ",\"context\":{\"consent\":{\"categoryPreferences\":{}}}}");
        assertThat(none.consentGranted).as("a consent object that grants nothing").isEmpty();
        JourneyEvent without = accepted("{\"type\":\"page\",\"userId\":\"u\"," + AT
                + ",\"context\":{\"consent\":{}}}");
        assertThat(without.consentGranted).as("no preferences: consent stays as it was").isNull();
    }

    @Test
    void rudderStackConsentManagementGrantsTheAllowedIdsThatAreNotDenied() {
        JourneyEvent e = accepted("{\"type\":\"track\",\"event\":\"Order Completed\",\"anonymousId\":\"a\"," + AT
                + ",\"context\":{\"consentManagement\":{\"allowedConsentIds\":[\"C0001\",\"Marketing\"],"
                + "\"deniedConsentIds\":[\"C0004\"],\"provider\":\"custom\",\"resolutionStrategy\":\"and\"}}}");
        assertThat(e.consentGranted).containsExactly("C0001", "Marketing");
        JourneyEvent denied = accepted("{\"type\":\"identify\",\"userId\":\"u\"," + AT
                + ",\"context\":{\"consentManagement\":{\"deniedConsentIds\":[\"Marketing\"]}}}");
        assertThat(denied.consentGranted).as("only denials: nothing granted").isEmpty();
        JourneyEvent providerOnly = accepted("{\"type\":\"identify\",\"userId\":\"u\"," + AT
                + ",\"context\":{\"consentManagement\":{\"provider\":\"oneTrust\"}}}");
        assertThat(providerOnly.consentGranted).as("no ids: consent stays as it was").isNull();
    }

    @Test
    void bothShapesInOneEventGrantWhatOneGrantsAndNeitherDenies() {
        JourneyEvent e = accepted("{\"type\":\"track\",\"event\":\"x\",\"userId\":\"u\"," + AT
                + ",\"context\":{\"consent\":{\"categoryPreferences\":{\"Marketing\":true,\"Ads\":true}},"
                + "\"consentManagement\":{\"allowedConsentIds\":[\"Email\"],\"deniedConsentIds\":[\"Ads\"]}}}");
        assertThat(e.consentGranted).containsExactly("Email", "Marketing");
    }

    @Test
    void aGroupCallCarriesConsentToo() {
        JourneyEvent e = accepted("{\"type\":\"group\",\"userId\":\"u\",\"groupId\":\"g\"," + AT
                + ",\"context\":{\"consent\":{\"categoryPreferences\":{\"Marketing\":false}}}}");
        assertThat(e.consentGranted).isEmpty();
    }

    @Test
    void malformedConsentIsRejectedWithTheFieldNamed() {
        String head = "{\"type\":\"track\",\"event\":\"x\",\"userId\":\"u\"," + AT + ",\"context\":";
        rejected(head + "{\"consent\":{\"categoryPreferences\":{\"Marketing\":\"yes\"}}}}", RejectReason.BAD_FIELD,
                "'context.consent.categoryPreferences.Marketing'", "expected true or false");
        rejected(head + "{\"consent\":{\"categoryPreferences\":[\"Marketing\"]}}}", RejectReason.BAD_FIELD,
                "'context.consent.categoryPreferences'", "expected an object");
        rejected(head + "{\"consent\":true}}", RejectReason.BAD_FIELD, "'context.consent'");
        rejected(head + "{\"consentManagement\":{\"allowedConsentIds\":\"Marketing\"}}}", RejectReason.BAD_FIELD,
                "'context.consentManagement.allowedConsentIds'", "expected an array");
        rejected(head + "{\"consentManagement\":{\"deniedConsentIds\":[{\"id\":1}]}}}", RejectReason.BAD_FIELD,
                "'context.consentManagement.deniedConsentIds[0]'");
        rejected(head + "{\"consentManagement\":[]}}", RejectReason.BAD_FIELD, "'context.consentManagement'");
    }
}
