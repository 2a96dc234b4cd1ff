package io.journeycep.patterns.velocity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.journeycep.model.EventType;
import io.journeycep.patterns.velocity.VelocityRuleBook.Decision;
import io.journeycep.patterns.velocity.VelocityRuleBook.Entry;
import io.journeycep.patterns.velocity.VelocityRuleBook.Outcome;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;

class VelocityRuleBookTest {

    private static VelocityRule logins(int version, double threshold) {
        VelocityRule r = VelocityRule.defaults().get(0).copy();
        r.version = version;
        r.threshold = threshold;
        return r;
    }

    private static VelocityRule searches(int version) {
        return VelocityRule.of("searches-per-ip", version, EnumSet.of(EventType.SEARCH), VelocityRule.Dimension.IP,
                VelocityRule.Aggregate.COUNT, null, VelocityRule.Comparison.GTE, 100, Duration.ofMinutes(1),
                VelocityRule.Severity.LOW, null);
    }

    private static List<String> ids(VelocityRuleBook book) {
        return book.rulesInForce().stream().map(r -> r.ruleId + " v" + r.version).toList();
    }

    @Test
    void theConfigRulesAreInForceUntilAChangeArrives() {
        VelocityRuleBook book = new VelocityRuleBook(VelocityRule.defaults());
        assertThat(book.rulesInForce()).containsExactlyInAnyOrderElementsOf(VelocityRule.defaults());
        assertThat(book.entries()).isEmpty();
        assertThat(book.ruleInForce(VelocityRule.LOGIN_FAILED_PER_USER).threshold).isEqualTo(5);
        assertThat(book.inForce("nope")).isNull();
        assertThat(new VelocityRuleBook(List.of()).rulesInForce()).isEmpty();
    }

    @Test
    void anUpsertNeedsAHigherVersionThanTheOneInForce() {
        VelocityRuleBook book = new VelocityRuleBook(VelocityRule.defaults());

        Decision same = book.upsert(logins(1, 3));
        assertThat(same.outcome()).isEqualTo(Outcome.STALE_VERSION);
        assertThat(same.detail()).startsWith("rule.version: 1 is not newer than version 1 of 'login-failed-per-user'");
        assertThat(book.ruleInForce(VelocityRule.LOGIN_FAILED_PER_USER).threshold).isEqualTo(5);

        Decision changed = book.upsert(logins(2, 3));
        assertThat(changed.accepted()).isTrue();
        assertThat(changed.before().version).isEqualTo(1);
        assertThat(changed.after().rule.threshold).isEqualTo(3);
        assertThat(book.ruleInForce(VelocityRule.LOGIN_FAILED_PER_USER).version).isEqualTo(2);
        assertThat(book.entries()).containsOnlyKeys(VelocityRule.LOGIN_FAILED_PER_USER);

        assertThat(book.upsert(logins(2, 7)).outcome()).as("same version again").isEqualTo(Outcome.STALE_VERSION);
        assertThat(book.upsert(logins(1, 7)).outcome()).as("older").isEqualTo(Outcome.STALE_VERSION);
        assertThat(book.ruleInForce(VelocityRule.LOGIN_FAILED_PER_USER).threshold).isEqualTo(3);
        assertThat(book.upsert(logins(5, 9)).accepted()).as("versions may skip").isTrue();
    }

    @Test
    void aNewIdIsAddedAtAnyVersion() {
        VelocityRuleBook book = new VelocityRuleBook(VelocityRule.defaults());
        Decision added = book.upsert(searches(4));
        assertThat(added.accepted()).isTrue();
        assertThat(added.before()).isNull();
        assertThat(ids(book)).containsExactly("distinct-users-per-device v1", "login-failed-per-user v1",
                "payment-failed-per-card v1", "purchases-per-ip v1", "searches-per-ip v4");
    }

    @Test
    void aRemovalLeavesATombstoneThatOnlyAHigherVersionGetsPast() {
        VelocityRuleBook book = new VelocityRuleBook(List.of(logins(1, 5)));
        book.upsert(logins(3, 4));

        Decision older = book.remove(VelocityRule.LOGIN_FAILED_PER_USER, 2);
        assertThat(older.outcome()).isEqualTo(Outcome.STALE_VERSION);
        assertThat(older.detail()).startsWith("version: 2 is older than version 3");
        assertThat(book.ruleInForce(VelocityRule.LOGIN_FAILED_PER_USER)).isNotNull();

        Decision removed = book.remove(VelocityRule.LOGIN_FAILED_PER_USER, 3);
        assertThat(removed.accepted()).isTrue();
        assertThat(removed.after().isRemoval()).isTrue();
        assertThat(book.rulesInForce()).isEmpty();
        assertThat(book.ruleInForce(VelocityRule.LOGIN_FAILED_PER_USER)).isNull();
        assertThat(book.inForce(VelocityRule.LOGIN_FAILED_PER_USER).version).isEqualTo(3);

        // the old upsert replayed: cannot resurrect it
        assertThat(book.upsert(logins(3, 4)).outcome()).isEqualTo(Outcome.STALE_VERSION);
        assertThat(book.upsert(logins(2, 4)).detail()).contains("the removal of 'login-failed-per-user' at version 3");
        // removing again: nothing in force
        Decision again = book.remove(VelocityRule.LOGIN_FAILED_PER_USER, 9);
        assertThat(again.outcome()).isEqualTo(Outcome.NOT_IN_FORCE);
        assertThat(again.detail()).isEqualTo(
                "rule-id: no velocity rule 'login-failed-per-user' is in force (removed at version 3)");
        assertThat(book.inForce(VelocityRule.LOGIN_FAILED_PER_USER).version).isEqualTo(3);
        // a higher version brings it back
        assertThat(book.upsert(logins(4, 6)).accepted()).isTrue();
        assertThat(book.ruleInForce(VelocityRule.LOGIN_FAILED_PER_USER).threshold).isEqualTo(6);

        assertThat(book.remove("never-seen", 1).outcome()).isEqualTo(Outcome.NOT_IN_FORCE);
    }

    @Test
    void aConfigRuleCanBeRemovedAtItsOwnVersion() {
        VelocityRuleBook book = new VelocityRuleBook(VelocityRule.defaults());
        assertThat(book.remove(VelocityRule.PURCHASES_PER_IP, 1).accepted()).isTrue();
        assertThat(book.rulesInForce()).extracting(r -> r.ruleId).doesNotContain(VelocityRule.PURCHASES_PER_IP)
                .hasSize(3);
    }

    @Test
    void acceptedChangesCountEpochsAndOnlyAChangeOfWindowsStartsANewLineage() {
        VelocityRuleBook book = new VelocityRuleBook(VelocityRule.defaults());
        assertThat(book.epoch()).isZero();
        assertThat(book.inForce(VelocityRule.LOGIN_FAILED_PER_USER).since).isZero();
        assertThat(book.upsert(logins(2, 3)).after().since).as("same windows: the config's lineage").isZero();
        assertThat(book.upsert(logins(1, 3)).accepted()).isFalse();
        assertThat(book.epoch()).as("rejections do not count").isOne();
        VelocityRule wider = logins(3, 3);
        wider.windowMs *= 2;
        assertThat(book.upsert(wider).after()).satisfies(e -> {
            assertThat(e.epoch).isEqualTo(2);
            assertThat(e.since).isEqualTo(2);
        });
        assertThat(book.upsert(searches(1)).after().since).as("added").isEqualTo(3);
        assertThat(book.remove("searches-per-ip", 1).after().since).as("removed").isEqualTo(4);
        assertThat(book.upsert(searches(2)).after().since).as("re-added").isEqualTo(5);

        // a copy restored from the entries has the same epoch and lineages
        VelocityRuleBook same = new VelocityRuleBook(VelocityRule.defaults()).restore(book.entries().values());
        assertThat(same.epoch()).isEqualTo(5);
        assertThat(same.inForce(VelocityRule.LOGIN_FAILED_PER_USER).since).isEqualTo(2);
        // a config rule with other windows taking over at the restore breaks the lineage there: the epoch moves on
        VelocityRuleBook broken = new VelocityRuleBook(List.of(logins(4, 3))).restore(book.entries().values());
        assertThat(broken.epoch()).isEqualTo(6);
        assertThat(broken.inForce(VelocityRule.LOGIN_FAILED_PER_USER).since).isEqualTo(6);
        assertThat(broken.upsert(searches(3)).after().since).as("unchanged by later changes").isEqualTo(5);
        assertThat(broken.inForce(VelocityRule.LOGIN_FAILED_PER_USER).since).isEqualTo(6);
        // one with the same windows keeps it
        VelocityRule sameWindows = wider.copy();
        sameWindows.version = 4;
        VelocityRuleBook kept = new VelocityRuleBook(List.of(sameWindows)).restore(book.entries().values());
        assertThat(kept.epoch()).isEqualTo(5);
        assertThat(kept.inForce(VelocityRule.LOGIN_FAILED_PER_USER).since).isEqualTo(2);
    }

    @Test
    void onRestoreTheHigherVersionWinsAndTheControlTopicWinsTies() {
        VelocityRuleBook before = new VelocityRuleBook(VelocityRule.defaults());
        before.upsert(logins(2, 3));
        before.remove(VelocityRule.PURCHASES_PER_IP, 1);
        before.upsert(searches(1));

        // restarted with the same config: the live changes stay (the removal at the config's own version too)
        VelocityRuleBook same = new VelocityRuleBook(VelocityRule.defaults()).restore(before.entries().values());
        assertThat(ids(same)).isEqualTo(ids(before));
        assertThat(same.ruleInForce(VelocityRule.LOGIN_FAILED_PER_USER).threshold).isEqualTo(3);

        // restarted with a config that raised two versions: the config's rules win over the older live changes
        VelocityRule purchases = VelocityRule.defaults().get(3).copy();
        purchases.version = 2;
        VelocityRuleBook newer = new VelocityRuleBook(List.of(logins(3, 10), purchases))
                .restore(before.entries().values());
        assertThat(ids(newer)).containsExactly("login-failed-per-user v3", "purchases-per-ip v2",
                "searches-per-ip v1");
        assertThat(newer.ruleInForce(VelocityRule.LOGIN_FAILED_PER_USER).threshold).isEqualTo(10);
        // and decisions use the version in force, whichever side it comes from
        assertThat(newer.upsert(logins(3, 1)).outcome()).isEqualTo(Outcome.STALE_VERSION);
    }

    @Test
    void rejectedChangesLeaveTheBookAsItWasAndInvalidRulesAreRefused() {
        VelocityRuleBook book = new VelocityRuleBook(VelocityRule.defaults());
        book.upsert(logins(1, 9));
        book.remove("x", 1);
        assertThat(book.entries()).isEmpty();
        assertThat(book.rulesInForce()).containsExactlyInAnyOrderElementsOf(VelocityRule.defaults());

        VelocityRule bad = logins(2, 2.5);
        assertThatThrownBy(() -> book.upsert(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whole number");
        assertThatThrownBy(() -> new VelocityRuleBook(List.of(logins(1, 5), logins(2, 5))))
                .hasMessageContaining("two velocity rules have the id");
    }

    @Test
    void theBookKeepsItsOwnCopies() {
        VelocityRule r = searches(1);
        VelocityRuleBook book = new VelocityRuleBook(List.of());
        book.upsert(r);
        r.threshold = 1;
        assertThat(book.ruleInForce("searches-per-ip").threshold).isEqualTo(100);
        Entry e = book.entries().get("searches-per-ip");
        assertThat(e).isEqualTo(Entry.of(searches(1)));
    }

    @Test
    void sameWindowsMeansSameTypesDimensionAggregateFieldAndWindow() {
        VelocityRule a = logins(1, 5);
        VelocityRule b = logins(2, 3);
        b.comparison = VelocityRule.Comparison.GT;
        b.severity = VelocityRule.Severity.LOW;
        b.cooldownMs = 0L;
        assertThat(b.sameWindowsAs(a)).isTrue();
        VelocityRule longer = logins(2, 5);
        longer.windowMs = a.windowMs + 1;
        assertThat(longer.sameWindowsAs(a)).isFalse();
        VelocityRule perIp = logins(2, 5);
        perIp.dimension = VelocityRule.Dimension.IP;
        assertThat(perIp.sameWindowsAs(a)).isFalse();
        VelocityRule moreTypes = logins(2, 5);
        moreTypes.eventTypes = EnumSet.of(EventType.LOGIN_FAILED, EventType.PAYMENT_FAILED);
        assertThat(moreTypes.sameWindowsAs(a)).isFalse();
        VelocityRule distinct = logins(2, 5);
        distinct.aggregate = VelocityRule.Aggregate.DISTINCT_COUNT;
        distinct.field = VelocityField.IP;
        assertThat(distinct.sameWindowsAs(a)).isFalse();
    }
}
