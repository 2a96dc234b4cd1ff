package io.journeycep.patterns.velocity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.velocity.VelocityRule.Aggregate;
import io.journeycep.patterns.velocity.VelocityRule.Comparison;
import io.journeycep.patterns.velocity.VelocityRule.Dimension;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

class VelocityRuleTest {

    @Test
    void theFourDefaultsOfIssue3AreValid() {
        Map<String, VelocityRule> rules = VelocityRule.defaults().stream()
                .collect(Collectors.toMap(r -> r.ruleId, Function.identity()));
        rules.values().forEach(r -> assertThat(r.validate()).as(r.ruleId).isEmpty());

        assertThat(rules.get(VelocityRule.LOGIN_FAILED_PER_USER).describe())
                .isEqualTo("count(login_failed) per USER >= 5 in PT10M");
        assertThat(rules.get(VelocityRule.PAYMENT_FAILED_PER_CARD).describe())
                .isEqualTo("count(payment_failed) per CARD >= 3 in PT1H");
        VelocityRule devices = rules.get(VelocityRule.DISTINCT_USERS_PER_DEVICE);
        assertThat(devices.aggregate).isEqualTo(Aggregate.DISTINCT_COUNT);
        assertThat(devices.field).isEqualTo(VelocityField.USER_ID);
        assertThat(devices.dimension).isEqualTo(Dimension.DEVICE);
        assertThat(devices.threshold).isEqualTo(4);
        assertThat(devices.window()).isEqualTo(Duration.ofHours(24));
        assertThat(rules.get(VelocityRule.PURCHASES_PER_IP).describe())
                .isEqualTo("count(purchase) per IP >= 10 in PT1H");
        // default cool-down: the window
        assertThat(rules.get(VelocityRule.LOGIN_FAILED_PER_USER).effectiveCooldownMs())
                .isEqualTo(Duration.ofMinutes(10).toMillis());
        // fresh copies: changing one does not change the next call's
        VelocityRule.defaults().get(0).threshold = 99;
        assertThat(VelocityRule.defaults().get(0).threshold).isEqualTo(5);
    }

    @Test
    void validateNamesEachBadField() {
        VelocityRule r = new VelocityRule();
        r.comparison = null;
        r.severity = null;
        r.threshold = Double.NaN;
        r.cooldownMs = -1L;
        assertThat(r.validate()).extracting(e -> e.substring(0, e.indexOf(':')))
                .containsExactly("ruleId", "version", "eventTypes", "dimension", "aggregate", "comparison",
                        "threshold", "windowMs", "severity", "cooldownMs");
        assertThatThrownBy(r::requireValid).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("windowMs: must be > 0");
    }

    @Test
    void validateChecksTheFieldAgainstTheAggregate() {
        VelocityRule sumOfText = VelocityRule.defaults().get(0);
        sumOfText.aggregate = Aggregate.SUM;
        sumOfText.field = VelocityField.IP;
        assertThat(sumOfText.validate()).containsExactly("field: SUM needs a numeric field (price, quantity), was ip");

        VelocityRule distinctOfNumber = VelocityRule.defaults().get(2);
        distinctOfNumber.field = VelocityField.PRICE;
        assertThat(distinctOfNumber.validate()).singleElement().asString().startsWith("field: DISTINCT_COUNT");

        VelocityRule countWithField = VelocityRule.defaults().get(0);
        countWithField.field = VelocityField.PRICE;
        assertThat(countWithField.validate()).containsExactly("field: COUNT takes no field, was price");

        VelocityRule fractionalCount = VelocityRule.defaults().get(0);
        fractionalCount.threshold = 4.5;
        assertThat(fractionalCount.validate()).singleElement().asString().startsWith("threshold:");

        VelocityRule zeroGt = VelocityRule.defaults().get(0);
        zeroGt.threshold = 0;
        assertThat(zeroGt.validate()).singleElement().asString().startsWith("threshold: must be > 0");
        zeroGt.comparison = Comparison.GT;
        assertThat(zeroGt.validate()).isEmpty();

        VelocityRule badId = VelocityRule.defaults().get(0);
        badId.ruleId = "a|b";
        assertThat(badId.validate()).singleElement().asString().startsWith("ruleId:");

        VelocityRule tooLong = VelocityRule.defaults().get(0);
        tooLong.windowMs = Duration.ofDays(400).toMillis();
        assertThat(tooLong.validate()).singleElement().asString().startsWith("windowMs: must be at most");

        VelocityRule nullType = VelocityRule.defaults().get(0);
        nullType.eventTypes = new HashSet<>(java.util.Arrays.asList(EventType.LOGIN, null));
        assertThat(nullType.validate()).singleElement().asString().startsWith("eventTypes:");
    }

    @Test
    void matchesAndKeys() {
        VelocityRule logins = VelocityRule.defaults().get(0);
        JourneyEvent e = new JourneyEvent();
        e.type = EventType.LOGIN_FAILED;
        e.anonymousId = "a-1";
        assertThat(logins.matches(e)).isTrue();
        assertThat(logins.keyOf(e)).isEqualTo("login-failed-per-user|anon:a-1");
        e.userId = "u-7";
        assertThat(logins.keyOf(e)).isEqualTo("login-failed-per-user|u-7");
        e.type = EventType.LOGIN;
        assertThat(logins.matches(e)).isFalse();

        VelocityRule cards = VelocityRule.defaults().get(1);
        JourneyEvent p = new JourneyEvent();
        p.type = EventType.PAYMENT_FAILED;
        assertThat(cards.matches(p)).isFalse(); // no card: not seen by the rule
        p.cardId = "c-1";
        assertThat(cards.keyOf(p)).isEqualTo("payment-failed-per-card|c-1");
    }

    @Test
    void fieldsParseAndExtract() {
        assertThat(VelocityField.fromWireName("deviceId")).isEqualTo(VelocityField.DEVICE_ID);
        assertThat(VelocityField.fromWireName("device_id")).isEqualTo(VelocityField.DEVICE_ID);
        assertThat(VelocityField.fromWireName("nope")).isNull();
        JourneyEvent e = new JourneyEvent();
        e.price = 12.5;
        e.quantity = -1;
        assertThat(VelocityField.PRICE.numberOf(e)).isEqualByComparingTo("12.5");
        assertThat(VelocityField.QUANTITY.numberOf(e)).isNull();
        e.price = Double.NaN;
        assertThat(VelocityField.PRICE.numberOf(e)).isNull();
        assertThat(List.of(VelocityField.values()).stream().filter(VelocityField::isNumeric))
                .containsExactly(VelocityField.PRICE, VelocityField.QUANTITY);
        assertThat(EnumSet.of(EventType.LOGIN)).isNotEmpty();
    }
}
