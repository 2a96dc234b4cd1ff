package io.journeycep.patterns.segments;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.EventType;
import io.journeycep.patterns.PojoRoundTrip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/** The bucketed history, the condition language, RFM, and the shipped definitions evaluated over time. */
class SegmentBookTest {
    private static final long DAY = DailyActivity.DAY_MS;
    private static final long T0 = 20_000 * DAY; // a midnight (UTC)
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static void purchase(DailyActivity a, long ts, double price) {
        a.touch(ts, 30 * 60_000L);
        a.add(ts, EventType.PURCHASE.ordinal(), price);
    }

    private static SegmentBook shipped() {
        return new SegmentBook(SegmentBook.shipped(new SegmentBook.Shipped()), RfmScoring.defaults(), 365);
    }

    @Test
    void bucketsCountSumAndDropByDayAndStaySmall() throws Exception {
        DailyActivity a = new DailyActivity();
        purchase(a, T0 + 10, 5);
        purchase(a, T0 + 20, 7);
        a.add(T0 + 3 * DAY, EventType.VIEW.ordinal(), 0);
        purchase(a, T0 + 3 * DAY + 1, 1);
        long p = 1L << EventType.PURCHASE.ordinal();
        assertThat(a.count(p, 20_000, 20_000)).isEqualTo(2);
        assertThat(a.sum(p, 20_000, 20_003)).isEqualTo(13.0);
        assertThat(a.days).containsExactly(20_000, 20_003, 20_003);
        assertThat(a.earliestDay(p, 20_001)).isEqualTo(20_003);
        assertThat(a.latestDay(p)).isEqualTo(20_003);
        a.dropBefore(20_001);
        assertThat(a.count(p, 0, Integer.MAX_VALUE)).isEqualTo(1);
        assertThat(a.bucketBytes()).isEqualTo(2 * 17);
        assertThat(PojoRoundTrip.roundTrip(DailyActivity.class, a)).isEqualTo(a);
    }

    @Test
    void windowsAreWholeDaysAndSayWhenTheyNextChange() {
        DailyActivity a = new DailyActivity();
        purchase(a, T0 + 5 * 3_600_000L, 100); // day 0, 05:00
        SegmentCondition bought7 = SegmentConditions.hasDone(List.of("purchase"), 7);
        assertThat(bought7.test(a, T0 + 6 * DAY + DAY - 1)).as("last ms of day 6").isTrue();
        assertThat(bought7.test(a, T0 + 7 * DAY)).as("day 7: the bucket left the window").isFalse();
        assertThat(bought7.nextChange(a, T0 + DAY)).isEqualTo(T0 + 7 * DAY);
        SegmentCondition quiet = SegmentConditions.quietFor(java.time.Duration.ofDays(30));
        assertThat(quiet.test(a, T0 + 5 * 3_600_000L + 30 * DAY - 1)).isFalse();
        assertThat(quiet.test(a, T0 + 5 * 3_600_000L + 30 * DAY)).as("exactly 30 days").isTrue();
        assertThat(quiet.nextChange(a, T0)).isEqualTo(T0 + 5 * 3_600_000L + 30 * DAY);
        assertThat(SegmentConditions.not(bought7).explain(a, T0))
                .isEqualTo("not (count of purchase in 7d = 1 (>= 1: yes))");
    }

    @Test
    void theShippedDefinitionsOverAYear() {
        SegmentBook book = shipped();
        DailyActivity a = new DailyActivity();
        purchase(a, T0, 600);
        assertThat(book.evaluate(a, T0)).containsOnlyKeys("NEW_BUYER", "RFM_514");
        purchase(a, T0 + DAY, 500);
        assertThat(book.evaluate(a, T0 + DAY)).containsOnlyKeys("NEW_BUYER", "HIGH_VALUE", "RFM_525");
        assertThat(book.nextChange(a, T0 + DAY)).as("recency passes 7 days").isEqualTo(T0 + 9 * DAY);
        assertThat(book.evaluate(a, T0 + 31 * DAY)).as("first purchase 31 days ago, quiet for exactly 30")
                .containsOnlyKeys("HIGH_VALUE", "CHURN_RISK_30", "RFM_425");
        assertThat(book.evaluate(a, T0 + 46 * DAY)).containsOnlyKeys("HIGH_VALUE", "CHURN_RISK_45", "RFM_325");
        assertThat(book.evaluate(a, T0 + 182 * DAY)).containsOnlyKeys("HIGH_VALUE", "CHURN_RISK_60", "LAPSED",
                "RFM_125");
        assertThat(book.evaluate(a, T0 + 366 * DAY)).as("the purchases left the 365-day windows")
                .containsOnlyKeys("CHURN_RISK_60");
    }

    @Test
    void rfmOnAKnownSmallPopulation() {
        RfmScoring rfm = RfmScoring.defaults();
        long now = T0 + 100 * DAY;
        DailyActivity loyal = new DailyActivity(); // 10 purchases, last 2 days ago, 1200 total
        for (int i = 0; i < 10; i++) {
            purchase(loyal, now - (2 + 9 * i) * DAY, 120);
        }
        DailyActivity oneOff = new DailyActivity(); // 1 purchase 200 days ago, 40
        purchase(oneOff, now - 200 * DAY, 40);
        DailyActivity middling = new DailyActivity(); // 3 purchases, last 40 days ago, 300 total
        for (int i = 0; i < 3; i++) {
            purchase(middling, now - (40 + i) * DAY, 100);
        }
        DailyActivity never = new DailyActivity();
        never.touch(now - DAY, 1);
        never.add(now - DAY, EventType.VIEW.ordinal(), 0);
        assertThat(rfm.segment(loyal, now)).isEqualTo("RFM_555");
        assertThat(rfm.segment(oneOff, now)).isEqualTo("RFM_111");
        assertThat(rfm.segment(middling, now)).isEqualTo("RFM_333");
        assertThat(rfm.segment(never, now)).isNull();
        assertThat(rfm.explain(middling, now))
                .isEqualTo("recency 40d → 3, frequency 3 purchases in 365d → 3, monetary 300.00 → 3");
    }

    @Test
    void rulesParseAndEveryMistakeNamesItsField() throws Exception {
        JsonNode ok = YAML.readTree("id: FREQUENT_BUYER\nversion: 2\nwhen:\n  all:\n"
                + "    - {count: [purchase], within: 365d, more-than: 10}\n"
                + "    - not: {has-done: [login], within: 7d}\n");
        List<String> errors = new ArrayList<>();
        SegmentDefinition d = SegmentDefinition.parse(ok, "segments.definitions[0]", 365, errors);
        assertThat(errors).isEmpty();
        assertThat(d.id).isEqualTo("FREQUENT_BUYER");
        assertThat(d.version).isEqualTo(2);
        DailyActivity a = new DailyActivity();
        for (int i = 0; i < 11; i++) {
            purchase(a, T0 + i * DAY, 1);
        }
        assertThat(d.condition.test(a, T0 + 20 * DAY)).isTrue();

        JsonNode bad = YAML.readTree("id: RFM_x\nversion: 0\ncolour: red\nwhen:\n  any:\n"
                + "    - {count: [purchase, clicks], within: 36h, more-than: 2.5}\n"
                + "    - {sum: quantity, of: [session], within: 400d, at-least: 1}\n"
                + "    - {has-done: [login], within: 7d, at-least: 1}\n"
                + "    - {quiet-for: 30d, first: [purchase]}\n");
        errors.clear();
        assertThat(SegmentDefinition.parse(bad, "s[0]", 365, errors)).isNull();
        assertThat(errors).containsExactlyInAnyOrder(
                "s[0].colour: unknown field (id, version, description, when)",
                "s[0].id: RFM_ is reserved for the RFM scores",
                "s[0].version: a whole number ≥ 1, was 0",
                "s[0].when.any[0].count[1]: 'clicks' is not a canonical event type, session or cart_abandoned",
                "s[0].when.any[0].within: windows are whole days (1d, 7d, 365d), was 36h",
                "s[0].when.any[0].more-than: a whole number ≥ 0, was 2.5",
                "s[0].when.any[1].sum: the field to sum: price, was \"quantity\"",
                "s[0].when.any[1].of[0]: 'session' is not a canonical event type (a sum of price reads events)",
                "s[0].when.any[1].within: at most the horizon (365d), was 400d",
                "s[0].when.any[2].at-least: unknown field (allowed here: [has-done, within])",
                "s[0].when.any[3]: a condition needs exactly one of [all, any, count, first, has-done, has-not-done, "
                        + "not, quiet-for, sum], found [quiet-for, first]");
    }
}
