package io.journeycep.pipeline.stages.consent;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.PojoRoundTrip;
import io.journeycep.patterns.segments.SegmentBook;
import io.journeycep.patterns.spec.BuiltInPatterns;
import io.journeycep.pipeline.stages.groups.GroupSettings;
import io.journeycep.pipeline.stages.pass.PassHarness;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertKind;
import io.journeycep.sinks.SegmentChange;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Harness tests of consent in the user pass ({@link ConsentGuest}, README "Consent"): a marketing trigger leaves the
 * pass only when the user had granted its category at the trigger's event time; a withheld CART_ABANDONED still makes
 * the user a CART_ABANDONER; consent changed mid-journey decides by event time, not by arrival; a user never seen with
 * consent follows the configured default; the kept consent is bounded and dropped after the retention.
 */
class ConsentGuestTest {
    private static final long MIN = 60_000L;
    private static final long DAY = 86_400_000L;
    private static final long T0 = 20_000 * DAY;
    private static final String[] NO_CONSENT_OBJECT = null;

    private static PassHarness harness(ConsentSettings consent, boolean rocksDb) throws Exception {
        SegmentBook book = new SegmentBook(SegmentBook.shipped(new SegmentBook.Shipped()), null, 365);
        return PassHarness.of(List.of(BuiltInPatterns.cartAbandonment(Duration.ofMinutes(30), Duration.ofMinutes(30))),
                book, 30 * MIN, consent, GroupSettings.defaults(), rocksDb, null);
    }

    private static ConsentSettings settings(boolean grantedWithoutConsent, Map<String, String> segments) {
        return new ConsentSettings(grantedWithoutConsent, ConsentSettings.defaultAlertCategories(), segments,
                ConsentSettings.DEFAULT_RETENTION);
    }

    private static JourneyEvent event(String user, EventType type, long ts, String... granted) {
        JourneyEvent e = new JourneyEvent();
        e.eventId = user + "-" + type + "-" + ts;
        e.type = type;
        e.sourceEventName = type.name().toLowerCase();
        e.userId = user;
        e.timestamp = ts;
        e.position = ts;
        e.itemId = "i1";
        e.source = "test";
        e.consentGranted = granted;
        return e;
    }

    /** A view and a cart add a minute later: CART_ABANDONED at {@code at + 31 min} unless a purchase follows. */
    private static void cart(PassHarness h, String user, long at, String[] viewConsent, String[] addConsent)
            throws Exception {
        h.event(event(user, EventType.VIEW, at, viewConsent));
        h.event(event(user, EventType.CART_ADD, at + MIN, addConsent));
    }

    private static List<String> abandoned(PassHarness h) {
        return h.alerts().stream().filter(a -> a.kind == AlertKind.CART_ABANDONED).map(a -> a.subjectKey).toList();
    }

    private static List<String> cartAbandoners(PassHarness h) {
        return h.segmentChanges().stream().filter(c -> c.segment.equals("CART_ABANDONER"))
                .map(c -> c.action + " " + c.userId).toList();
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void aTriggerIsSentOnlyWithItsCategoryGrantedAndSegmentsStillSeeAWithheldOne(boolean rocksDb) throws Exception {
        try (var h = harness(ConsentSettings.defaults(), rocksDb)) {
            cart(h, "granted", T0, new String[] {"Analytics", "Marketing"}, NO_CONSENT_OBJECT);
            cart(h, "missing", T0, new String[] {"Analytics"}, NO_CONSENT_OBJECT);
            cart(h, "refused", T0, new String[0], NO_CONSENT_OBJECT);
            cart(h, "never", T0, NO_CONSENT_OBJECT, NO_CONSENT_OBJECT);
            h.watermark(T0 + DAY);
            assertThat(abandoned(h)).as("a missing category is not granted; no consent ever: the default (granted)")
                    .containsExactlyInAnyOrder("granted", "never");
            assertThat(cartAbandoners(h)).as("no segment is a marketing one by default; every abandonment counts")
                    .containsExactlyInAnyOrder("ENTER granted", "ENTER missing", "ENTER refused", "ENTER never");
            assertThat(h.accumulator(ConsentGuest.ACC_WITHHELD)).as("withheld, counted").isEqualTo(2L);
            assertThat(h.withheld()).as("each withheld trigger on the side output, at its deadline, without its user")
                    .containsExactly(WithheldTrigger.of("CART_ABANDONED", T0 + 31 * MIN),
                            WithheldTrigger.of("CART_ABANDONED", T0 + 31 * MIN));
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void aMarketingSegmentsEnterNeedsTheCategoryItsExitIsAlwaysSent(boolean rocksDb) throws Exception {
        try (var h = harness(settings(true, Map.of("CART_ABANDONER", "Marketing")), rocksDb)) {
            cart(h, "granted", T0, new String[] {"Marketing"}, NO_CONSENT_OBJECT);
            cart(h, "refused", T0, new String[0], NO_CONSENT_OBJECT);
            h.watermark(T0 + DAY);
            assertThat(abandoned(h)).containsExactly("granted");
            assertThat(cartAbandoners(h)).containsExactly("ENTER granted");
            assertThat(h.accumulator(ConsentGuest.ACC_WITHHELD)).as("an alert and an ENTER").isEqualTo(2L);
            assertThat(h.withheld()).containsExactly(WithheldTrigger.of("CART_ABANDONED", T0 + 31 * MIN),
                    WithheldTrigger.of("SEGMENT_ENTER:CART_ABANDONER", T0 + 31 * MIN));
            h.watermark(T0 + 9 * DAY);
            assertThat(cartAbandoners(h)).as("the withheld abandonment made 'refused' a member all the same")
                    .containsExactlyInAnyOrder("ENTER granted", "EXIT granted", "EXIT refused");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void consentChangedMidJourneyDecidesAtTheTriggersEventTime(boolean rocksDb) throws Exception {
        try (var h = harness(ConsentSettings.defaults(), rocksDb)) {
            // withdrawn 10 min into the episode, before its deadline (T0 + 31 min): withheld
            cart(h, "withdrawn", T0, new String[] {"Marketing"}, new String[] {"Marketing"});
            h.event(event("withdrawn", EventType.PAGE, T0 + 10 * MIN, new String[0]));
            // refused, then granted before the deadline: sent
            cart(h, "granted-later", T0, new String[0], NO_CONSENT_OBJECT);
            h.event(event("granted-later", EventType.PAGE, T0 + 20 * MIN, "Marketing"));
            // withdrawn after the deadline, arriving before the watermark passed it: the consent at the deadline
            cart(h, "withdrawn-after", T0, new String[] {"Marketing"}, NO_CONSENT_OBJECT);
            h.event(event("withdrawn-after", EventType.PAGE, T0 + 40 * MIN, new String[0]));
            h.watermark(T0 + 45 * MIN); // past the withdrawal at 40: the deadline at 31 decides, not the watermark
            assertThat(abandoned(h)).containsExactlyInAnyOrder("granted-later", "withdrawn-after");
            // a second episode of 'withdrawn-after' after the withdrawal: withheld
            cart(h, "withdrawn-after", T0 + 50 * MIN, NO_CONSENT_OBJECT, NO_CONSENT_OBJECT);
            h.watermark(T0 + DAY);
            assertThat(abandoned(h)).containsExactlyInAnyOrder("granted-later", "withdrawn-after");
            assertThat(h.withheld()).as("counted at the deadlines that decided").containsExactly(
                    WithheldTrigger.of("CART_ABANDONED", T0 + 31 * MIN),
                    WithheldTrigger.of("CART_ABANDONED", T0 + 81 * MIN));
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void aUserNeverSeenWithConsentFollowsTheConfiguredDefault(boolean rocksDb) throws Exception {
        try (var h = harness(settings(false, Map.of()), rocksDb)) {
            cart(h, "never", T0, NO_CONSENT_OBJECT, NO_CONSENT_OBJECT);
            cart(h, "granted", T0, NO_CONSENT_OBJECT, new String[] {"Marketing"});
            h.watermark(T0 + DAY);
            assertThat(abandoned(h)).containsExactly("granted");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void theKeptConsentHoldsOnlyTheNeededCategoriesAndIsDroppedAfterTheRetention(boolean rocksDb) throws Exception {
        ConsentSettings consent = new ConsentSettings(true, ConsentSettings.defaultAlertCategories(), Map.of(),
                Duration.ofDays(3));
        try (var h = harness(consent, rocksDb)) {
            h.event(event("u1", EventType.PAGE, T0, "Analytics", "Marketing", "Ads"));
            h.event(event("u1", EventType.PAGE, T0 + MIN, "Marketing", "Analytics"));
            h.event(event("u1", EventType.PAGE, T0 + 2 * MIN, new String[0]));
            h.watermark(T0 + 10 * MIN);
            h.event(event("u1", EventType.PAGE, T0 + 11 * MIN, "Marketing"));
            h.watermark(T0 + 12 * MIN);
            UserConsent s = h.readGuest("u1", ConsentGuest.class, ConsentGuest::consent);
            assertThat(s.changes).as("only Marketing kept; repeats merged; superseded changes forgotten")
                    .extracting(c -> c.timestamp + " " + String.join(",", c.granted))
                    .containsExactly((T0 + 2 * MIN) + " ", (T0 + 11 * MIN) + " Marketing");
            h.watermark(T0 + 11 * MIN + 3 * DAY);
            assertThat(h.readGuest("u1", ConsentGuest.class, ConsentGuest::consent)).as("dropped at the next advance")
                    .isNotNull();
            h.watermark(T0 + 12 * MIN + 3 * DAY);
            assertThat(h.readGuest("u1", ConsentGuest.class, ConsentGuest::consent)).isNull();
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void aWatermarkJumpingPastTheRetentionStillWithholdsATriggerDueBeforeIt(boolean rocksDb) throws Exception {
        ConsentSettings consent = new ConsentSettings(true, ConsentSettings.defaultAlertCategories(), Map.of(),
                Duration.ofDays(3));
        try (var h = harness(consent, rocksDb)) {
            cart(h, "refused", T0, new String[0], NO_CONSENT_OBJECT);
            cart(h, "refused-late", T0 + 4 * DAY, NO_CONSENT_OBJECT, NO_CONSENT_OBJECT);
            h.watermark(Long.MAX_VALUE); // as the end of a replay with --drain
            assertThat(abandoned(h)).as("'refused' abandoned within the retention of its consent (the alert is"
                    + " stamped with the watermark); 'refused-late' never sent any, so the default").containsExactly(
                    "refused-late");
        }
    }

    @Test
    void changesAreBoundedAndRepeatsMerged() {
        UserConsent s = new UserConsent();
        for (int i = 0; i < 40; i++) {
            s.add(new ConsentChange(T0 + i, i % 2 == 0 ? new String[] {"Marketing"} : new String[0]));
        }
        s.add(new ConsentChange(T0 + 39, new String[0]));
        assertThat(s.changes).hasSize(40);
        s.forgetBefore(T0 + 10, ConsentGuest.MAX_CHANGES);
        assertThat(s.changes).hasSize(ConsentGuest.MAX_CHANGES);
        assertThat(s.changes[0].timestamp).isEqualTo(T0 + 24);
        assertThat(s.at(T0 + 31).granted).isEmpty();
        assertThat(s.at(T0 + 32).granted).containsExactly("Marketing");
        assertThat(s.at(T0 + 23)).as("before every kept change").isNull();
        s.forgetBefore(T0 + 100, ConsentGuest.MAX_CHANGES);
        assertThat(s.changes).extracting(c -> c.timestamp).containsExactly(T0 + 39);
    }

    @Test
    void whatNeedsWhichCategory() {
        ConsentSettings s = new ConsentSettings(true, Map.of(AlertKind.CART_ABANDONED, "Marketing",
                AlertKind.HIGH_VALUE_BROWSING, "Ads"), Map.of("VIP", "Email", "*", "Marketing"), Duration.ofDays(1));
        assertThat(s.categoryOf(alert(AlertKind.CART_ABANDONED))).isEqualTo("Marketing");
        assertThat(s.categoryOf(alert(AlertKind.HIGH_VALUE_BROWSING))).isEqualTo("Ads");
        assertThat(s.categoryOf(alert(AlertKind.JOURNEY_PATTERN))).as("not configured: not gated").isNull();
        assertThat(s.categoryOf(alert(AlertKind.VELOCITY))).isNull();
        assertThat(s.categoryOf(change("VIP", io.journeycep.sinks.SegmentAction.ENTER))).isEqualTo("Email");
        assertThat(s.categoryOf(change("LAPSED", io.journeycep.sinks.SegmentAction.ENTER))).isEqualTo("Marketing");
        assertThat(s.categoryOf(change("VIP", io.journeycep.sinks.SegmentAction.EXIT))).isNull();
        assertThat(s.categories()).containsExactly("Ads", "Email", "Marketing");
        ConsentSettings d = ConsentSettings.defaults();
        assertThat(d.categoryOf(alert(AlertKind.JOURNEY_PATTERN))).isEqualTo("Marketing");
        assertThat(d.categoryOf(alert(AlertKind.RISK_PATTERN))).isNull();
        assertThat(d.categoryOf(change("LAPSED", io.journeycep.sinks.SegmentAction.ENTER))).isNull();
        assertThat(d.grantedWithoutConsent()).isTrue();
    }

    @Test
    void theStateIsAPojo() throws Exception {
        UserConsent s = new UserConsent();
        s.add(new ConsentChange(T0, new String[] {"Marketing"}));
        s.add(new ConsentChange(T0 + 1, new String[0]));
        assertThat(PojoRoundTrip.roundTrip(UserConsent.class, s)).usingRecursiveComparison().isEqualTo(s);
        WithheldTrigger w = WithheldTrigger.of("SEGMENT_ENTER:CART_ABANDONER", T0);
        assertThat(PojoRoundTrip.roundTrip(WithheldTrigger.class, w)).isEqualTo(w);
        assertThat(PojoRoundTrip.roundTrip(WithheldTrigger.class, new WithheldTrigger()))
                .isEqualTo(new WithheldTrigger());
    }

    private static Alert alert(AlertKind kind) {
        Alert a = new Alert();
        a.kind = kind;
        return a;
    }

    private static SegmentChange change(String segment, io.journeycep.sinks.SegmentAction action) {
        return SegmentChange.of("u", segment, action, "r", 1, T0, T0, T0);
    }
}
