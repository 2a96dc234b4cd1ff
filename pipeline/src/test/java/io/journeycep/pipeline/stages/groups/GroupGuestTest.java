package io.journeycep.pipeline.stages.groups;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.Erasure;
import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.PojoRoundTrip;
import io.journeycep.patterns.segments.SegmentBook;
import io.journeycep.patterns.spec.BuiltInPatterns;
import io.journeycep.pipeline.stages.consent.ConsentSettings;
import io.journeycep.pipeline.stages.pass.PassHarness;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Harness tests of Segment {@code group} calls in the user pass ({@link GroupGuest}): the user's groups and their
 * latest allow-listed traits are kept in the user's value, within the configured bounds, for the retention; a group
 * call is no step of a pattern and no segment activity; an erasure deletes the groups.
 */
class GroupGuestTest {
    private static final long MIN = 60_000L;
    private static final long DAY = 86_400_000L;
    private static final long T0 = 20_000 * DAY;

    private static PassHarness harness(GroupSettings groups, boolean rocksDb) throws Exception {
        SegmentBook book = new SegmentBook(SegmentBook.shipped(new SegmentBook.Shipped()), null, 365);
        return PassHarness.of(List.of(BuiltInPatterns.cartAbandonment(Duration.ofMinutes(30), Duration.ofMinutes(30))),
                book, 30 * MIN, ConsentSettings.defaults(), groups, rocksDb, null);
    }

    private static JourneyEvent group(String user, String groupId, long ts, String... traits) {
        JourneyEvent e = event(user, EventType.OTHER, ts);
        e.sourceEventName = "group";
        e.groupId = groupId;
        if (traits.length > 0) {
            e.groupTraitNames = new String[traits.length / 2];
            e.groupTraitValues = new String[traits.length / 2];
            for (int i = 0; i < traits.length / 2; i++) {
                e.groupTraitNames[i] = traits[2 * i];
                e.groupTraitValues[i] = traits[2 * i + 1];
            }
        }
        return e;
    }

    private static JourneyEvent event(String user, EventType type, long ts) {
        JourneyEvent e = new JourneyEvent();
        e.eventId = user + "-" + type + "-" + ts;
        e.type = type;
        e.sourceEventName = type.name().toLowerCase();
        e.userId = user;
        e.timestamp = ts;
        e.position = ts;
        e.itemId = "i1";
        e.source = "test";
        return e;
    }

    /** "groupId: name=value, …" per group of the user, in the order kept; empty without state. */
    private static List<String> groups(PassHarness h, String user) throws Exception {
        UserGroups s = h.readGuest(user, GroupGuest.class, GroupGuest::groups);
        if (s == null) {
            return List.of();
        }
        return Arrays.stream(s.groups).map(g -> {
            StringBuilder sb = new StringBuilder(g.groupId).append(':');
            for (int i = 0; i < g.traitNames.length; i++) {
                sb.append(' ').append(g.traitNames[i]).append('=').append(g.traitValues[i]);
            }
            return sb.toString();
        }).toList();
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void theUsersGroupsAndTheirLatestAllowListedTraitsAreKept(boolean rocksDb) throws Exception {
        GroupSettings settings = new GroupSettings(List.of("name", "plan"), 10, 20, Duration.ofDays(400));
        try (var h = harness(settings, rocksDb)) {
            h.event(group("u1", "acme", T0, "name", "Acme", "plan", "Pro", "secret", "x"));
            h.event(group("u1", "acme", T0 + 2 * MIN, "plan", "Enterprise"));
            h.event(group("u1", "acme", T0 + MIN, "plan", "Free", "name", "ACME Inc"));
            h.event(group("u1", "initech", T0 + 3 * MIN));
            h.event(group("u2", "acme", T0, "plan", "Pro"));
            assertThat(groups(h, "u1")).as("not allow-listed traits dropped; the latest call's value in event time")
                    .containsExactly("acme: name=ACME Inc plan=Enterprise", "initech:");
            assertThat(groups(h, "u2")).containsExactly("acme: plan=Pro");
            h.watermark(T0 + DAY);
            assertThat(h.alerts()).isEmpty();
            assertThat(h.segmentChanges()).as("group calls are no segment activity").isEmpty();
            assertThat(groups(h, "u1")).as("kept as time passes").hasSize(2);
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void groupsAndTraitsStayWithinTheirBounds(boolean rocksDb) throws Exception {
        GroupSettings settings = new GroupSettings(List.of("name", "plan", "tier"), 2, 2, Duration.ofDays(400));
        try (var h = harness(settings, rocksDb)) {
            h.event(group("u1", "a", T0 + 5 * MIN, "name", "A", "plan", "P", "tier", "gold"));
            h.event(group("u1", "b", T0, "name", "B"));
            h.event(group("u1", "c", T0 + 6 * MIN, "name", "C"));
            assertThat(groups(h, "u1")).as("b, seen least recently, made room; a third trait name was dropped")
                    .containsExactly("a: name=A plan=P", "c: name=C");
            h.event(group("u1", "a", T0 + 7 * MIN, "tier", "silver", "plan", "Q"));
            assertThat(groups(h, "u1")).containsExactly("a: name=A plan=Q", "c: name=C");
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void aGroupCallIsNoStepOfThePatternsAndNoSegmentActivity(boolean rocksDb) throws Exception {
        try (var h = harness(GroupSettings.defaults(), rocksDb)) {
            h.event(group("u1", "acme", T0));
            h.watermark(T0 + 2 * DAY);
            assertThat(h.segmentChanges()).isEmpty();
            assertThat(groups(h, "u1")).containsExactly("acme:");
            // a view, a group call, a cart add: the cart pattern still sees view → cart add
            h.event(event("u2", EventType.VIEW, T0 + 3 * DAY));
            h.event(group("u2", "acme", T0 + 3 * DAY + MIN));
            h.event(event("u2", EventType.CART_ADD, T0 + 3 * DAY + 2 * MIN));
            h.watermark(T0 + 4 * DAY);
            assertThat(h.alerts()).singleElement().satisfies(a -> {
                assertThat(a.subjectKey).isEqualTo("u2");
                assertThat(a.evidenceEventIds).noneMatch(id -> id.contains("OTHER"));
            });
        }
    }

    @ParameterizedTest(name = "rocksDb={0}")
    @ValueSource(booleans = {false, true})
    void groupsAreDroppedAfterTheRetentionAndByAnErasure(boolean rocksDb) throws Exception {
        GroupSettings settings = new GroupSettings(List.of("plan"), 10, 20, Duration.ofDays(2));
        try (var h = harness(settings, rocksDb)) {
            h.event(group("u1", "acme", T0, "plan", "Pro"));
            h.event(group("u2", "acme", T0, "plan", "Pro"));
            h.beforeBarrier(); // in the users' values, as a checkpoint holds them
            assertThat(h.usersWithState()).isEqualTo(2);
            assertThat(h.eventTimeTimers()).as("the retention's timer").isEqualTo(2);
            h.event(JourneyEvent.erasureMarker(Erasure.of("e@0", "sha256:x", T0, new String[] {"u2"}), "u2", null,
                    T0 + MIN));
            assertThat(groups(h, "u2")).isEmpty();
            h.watermark(T0 + 2 * DAY - 1);
            assertThat(groups(h, "u1")).containsExactly("acme: plan=Pro");
            h.watermark(T0 + 2 * DAY);
            assertThat(groups(h, "u1")).isEmpty();
            assertThat(h.usersWithState()).isZero();
            assertThat(h.eventTimeTimers()).isZero();
        }
    }

    @org.junit.jupiter.api.Test
    void theStateIsAPojo() throws Exception {
        UserGroups s = new UserGroups();
        s.join("acme", 3).set("plan", "Pro", T0, 5);
        s.lastSeen = T0;
        assertThat(PojoRoundTrip.roundTrip(UserGroups.class, s)).usingRecursiveComparison().isEqualTo(s);
    }
}
