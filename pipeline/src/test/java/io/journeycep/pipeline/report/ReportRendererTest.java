package io.journeycep.pipeline.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;

/** The report page on fixed data: the numbers it shows, escaping of database text, empty tables, well-formed SVG. */
class ReportRendererTest {
    static final Instant NOW = Instant.parse("2024-04-15T08:00:00Z");
    static final Instant DAY1 = Instant.parse("2024-04-01T00:00:00Z");
    static final Instant DAY3 = Instant.parse("2024-04-03T00:00:00Z");

    /** 100 sessions: START → view (80) | search (20); view → view, cart_add, EXIT; cart_add → purchase, view, EXIT. */
    static List<ReportData.Transition> transitions() {
        return List.of(
                t("START", "view", 80), t("START", "search", 20),
                t("search", "view", 15), t("search", "EXIT", 5),
                t("view", "view", 60), t("view", "cart_add", 40), t("view", "EXIT", 70),
                t("cart_add", "purchase", 20), t("cart_add", "view", 15), t("cart_add", "EXIT", 5),
                t("purchase", "EXIT", 20));
    }

    static ReportData sample(String segment, String rule, String kind) {
        Map<String, Long> sizes = new LinkedHashMap<>();
        sizes.put("NEW_BUYER", 12L);
        sizes.put(segment, 7L);
        return new ReportData(NOW, null, null, Bucket.DAY, transitions(), sizes,
                List.of(new ReportData.SegmentChangeCount(DAY1, "NEW_BUYER", 10, 0),
                        new ReportData.SegmentChangeCount(DAY3, "NEW_BUYER", 4, 2),
                        new ReportData.SegmentChangeCount(DAY3, segment, 7, 0)),
                Map.of(),
                List.of(new ReportData.AlertCount(DAY1, "CART_ABANDONED", 5),
                        new ReportData.AlertCount(DAY3, "VELOCITY", 3),
                        new ReportData.AlertCount(DAY3, kind, 1)),
                List.of(new ReportData.RuleCount("login-failed-per-user", 2, 2, DAY3),
                        new ReportData.RuleCount(rule, 1, 1, DAY3)),
                List.of(new ReportData.Withheld("CART_ABANDONED", 5, 5),
                        new ReportData.Withheld("SEGMENT_ENTER:" + segment, 7, 1)));
    }

    @Test
    void probabilitiesOutOfEveryStateSumToOneAndEverySessionEndsSomewhere() {
        JourneyGraph g = new JourneyGraph(transitions());
        assertThat(g.sessions()).isEqualTo(100);
        for (String s : g.states()) {
            if (!s.equals("EXIT")) {
                assertThat(g.probabilitySum(s)).as(s).isCloseTo(1.0, within(1e-12));
            }
        }
        assertThat(g.edges()).filteredOn(e -> e.from().equals("view") && e.to().equals("cart_add"))
                .singleElement().satisfies(e -> assertThat(e.probability()).isCloseTo(40.0 / 170, within(1e-12)));
        List<JourneyGraph.DropOff> drop = g.dropOff();
        assertThat(drop).extracting(JourneyGraph.DropOff::state).containsExactly("view", "purchase", "cart_add", "search");
        assertThat(drop.stream().mapToDouble(JourneyGraph.DropOff::shareOfSessions).sum()).isCloseTo(1.0, within(1e-12));
        assertThat(drop.get(0).exitRate()).isCloseTo(70.0 / 170, within(1e-12));
        // a node's size is the flow through it, repeats (view → view) not counted twice
        assertThat(g.throughput("view")).isEqualTo(110);
        assertThat(g.states()).containsExactly("START", "search", "view", "cart_add", "purchase", "EXIT");
    }

    @Test
    void pageShowsTheNumbersOfTheData() {
        String html = ReportRenderer.render(sample("CART_ABANDONER", "payment-failed-per-card", "DRIFT"));
        // the table's probabilities out of view sum to 100 %
        Matcher m = Pattern.compile("<tr><td>Product view</td><td>[^<]+</td><td class=\"num\">[0-9,]+</td>"
                + "<td class=\"num\">([0-9.]+) %</td></tr>").matcher(html);
        double sum = 0;
        int rows = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
            rows++;
        }
        assertThat(rows).isEqualTo(3);
        assertThat(sum).isCloseTo(100.0, within(0.15));
        assertThat(html).contains(">100</div><div class=\"label\">sessions counted")
                .contains("70.0 % · 70 sessions · exit rate 41.2 %") // drop-off at view
                .contains(">20.0 %</div><div class=\"label\">reached a purchase")
                .contains("12 members").contains("7 members")
                .contains("2 alerts · 2 subjects")
                .contains("<td class=\"num\">5</td>"); // CART_ABANDONED total in the kinds table
        // the share withheld for consent: withheld / (sent + withheld), per kind, a segment's ENTERs by segment
        assertThat(html).contains("50.0 % · 5 of 10 triggers withheld")
                .contains("<title>CART_ABANDONER (segment ENTER): 12.5 % · 1 of 8 triggers withheld</title>")
                .contains("<tr><td>CART_ABANDONED</td><td class=\"num\">5</td><td class=\"num\">5</td>"
                        + "<td class=\"num\">50.0 %</td></tr>")
                .contains("<tr><td>CART_ABANDONER (segment ENTER)</td><td class=\"num\">7</td>"
                        + "<td class=\"num\">1</td><td class=\"num\">12.5 %</td></tr>");
        assertThat(count(html, "<svg class=\"chart\"")).isEqualTo(8);
        assertThat(html).doesNotContain("No data yet");
        for (String chart : List.of("journey-sankey", "drop-off", "segment-sizes", "segment-changes",
                "segment-sizes-over-time", "alerts-over-time", "consent-withheld", "velocity-rules")) {
            assertThat(html).contains("data-chart=\"" + chart + "\"");
        }
        // members over time end at the current size: NEW_BUYER 12 after +10 on day 1 and +2 on day 3
        assertThat(html).contains("Apr 1 · NEW_BUYER: 10 members").contains("Apr 2 · NEW_BUYER: 10 members")
                .contains("Apr 3 · NEW_BUYER: 12 members");
    }

    @Test
    void textFromTheDatabaseIsEscaped() {
        String segment = "<script>alert('seg')</script>";
        String rule = "\"><img src=x onerror=alert(1)>";
        String kind = "<b>KIND</b>&";
        String html = ReportRenderer.render(sample(segment, rule, kind));
        assertThat(html).doesNotContain("<script").doesNotContain("<img").doesNotContain("<b>")
                .doesNotContain("onerror=alert(1)>")
                .contains("&lt;script&gt;alert(&#39;seg&#39;)&lt;/script&gt;")
                .contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;")
                .contains("&lt;b&gt;KIND&lt;/b&gt;&amp;");
        assertThat(Html.escape("a\u0000b\u001bc\td")).isEqualTo("a\uFFFDb\uFFFDc\td");
        wellFormedSvg(html);
    }

    @Test
    void emptyTablesSayNoDataYetInEverySection() {
        String html = ReportRenderer.render(ReportData.empty(NOW));
        assertThat(count(html, "<p class=\"empty\">No data yet")).isEqualTo(7);
        assertThat(html).contains("No data yet: triggers_withheld has no row in the time window");
        assertThat(html).doesNotContain("<svg").contains(">0</div><div class=\"label\">sessions counted");
    }

    @Test
    void pageIsSelfContained() {
        String html = ReportRenderer.render(sample("LAPSED", "r", "DRIFT"));
        // the only URL is the SVG namespace; nothing is loaded: no script, stylesheet link, image, font or frame
        assertThat(html.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http:").doesNotContain("https:")
                .doesNotContain("<script").doesNotContain("<link").doesNotContain("<img").doesNotContain("src=")
                .doesNotContain("@import").doesNotContain("url(http").doesNotContain("<iframe");
        wellFormedSvg(html);
    }

    @Test
    void unknownStatesAndALongRangeStillRender() {
        List<ReportData.Transition> ts = new ArrayList<>(transitions());
        ts.add(t("view", "wishlist", 3));
        ts.add(t("wishlist", "EXIT", 3));
        List<ReportData.AlertCount> alerts = new ArrayList<>();
        for (int d = 0; d < 400; d += 7) {
            alerts.add(new ReportData.AlertCount(Instant.parse("2023-01-02T00:00:00Z").plusSeconds(d * 86400L),
                    "CART_ABANDONED", d));
        }
        ReportData data = new ReportData(NOW, null, null, Bucket.WEEK, ts, Map.of(), List.of(), Map.of(), alerts,
                List.of(), List.of());
        String html = ReportRenderer.render(data);
        assertThat(html).contains("wishlist").contains("one bar per week");
        assertThat(count(html, "<p class=\"empty\">")).isEqualTo(4);
        wellFormedSvg(html);
    }

    @Test
    void bucketsFollowTheSpan() {
        Instant t = Instant.parse("2024-04-03T17:45:00Z");
        assertThat(Bucket.forSpan(t, t.plusSeconds(3600))).isEqualTo(Bucket.HOUR);
        assertThat(Bucket.forSpan(t, t.plusSeconds(86400 * 10))).isEqualTo(Bucket.DAY);
        assertThat(Bucket.forSpan(t, t.plusSeconds(86400 * 400))).isEqualTo(Bucket.WEEK);
        assertThat(Bucket.forSpan(null, null)).isEqualTo(Bucket.DAY);
        assertThat(Bucket.HOUR.start(t)).isEqualTo(Instant.parse("2024-04-03T17:00:00Z"));
        assertThat(Bucket.DAY.start(t)).isEqualTo(Instant.parse("2024-04-03T00:00:00Z"));
        assertThat(Bucket.WEEK.start(t)).isEqualTo(Instant.parse("2024-04-01T00:00:00Z")); // a Monday, as date_trunc
        assertThat(Bucket.DAY.range(t, t.plusSeconds(86400 * 2))).hasSize(3);
        assertThat(Svg.ticks(0)).containsExactly(0, 1);
        assertThat(Svg.ticks(7)).containsExactly(0, 2, 4, 6, 8);
        assertThat(Svg.ticks(1234)).containsExactly(0, 500, 1000, 1500);
    }

    /** Each chart parses as XML (so the browser's SVG parser sees the shapes we wrote). */
    static void wellFormedSvg(String html) {
        Matcher m = Pattern.compile("<svg.*?</svg>", Pattern.DOTALL).matcher(html);
        int n = 0;
        while (m.find()) {
            try {
                Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                        .parse(new ByteArrayInputStream(m.group().replace("&nbsp;", " ").getBytes(StandardCharsets.UTF_8)));
                assertThat(d.getDocumentElement().getTagName()).isEqualTo("svg");
            } catch (Exception e) {
                throw new AssertionError("chart " + n + " is not well-formed XML: " + e.getMessage(), e);
            }
            n++;
        }
    }

    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }

    private static ReportData.Transition t(String from, String to, long count) {
        return new ReportData.Transition(from, to, count);
    }
}
