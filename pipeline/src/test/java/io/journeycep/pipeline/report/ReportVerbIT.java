package io.journeycep.pipeline.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.journeycep.embedded.EmbeddedServices;
import io.journeycep.embedded.SharedServices;
import io.journeycep.pipeline.cli.ReplaySummary;
import io.journeycep.pipeline.cli.ReplayVerb;
import io.journeycep.pipeline.cli.ReportVerb;
import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.sinks.jdbc.SchemaMigrator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.imageio.ImageIO;

/**
 * The {@code report} verb end to end: six weeks of a generated shop replayed through the whole job ({@code replay}
 * with its JDBC sinks and schema migrations) into a fresh database on the embedded PostgreSQL, then the verb reads
 * it; the page shows the tables' numbers, and Debian's headless Chromium draws every chart with no console error and
 * no request beyond the file itself. Saves the page and a screenshot under {@code pipeline/target/report/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportVerbIT {
    static final Path OUT = Path.of("target", "report");

    private String url;
    private String user;
    private String password;
    private Path passwordFile;
    private Path report;
    private Path emptyReport;
    private String verbOutput;

    @BeforeAll
    void replayAShopAndWriteTheReport() throws Exception {
        Files.createDirectories(OUT);
        EmbeddedServices services = SharedServices.get();
        user = services.postgres().user();
        password = services.postgres().password();
        url = createDatabase(services, "report_" + UUID.randomUUID().toString().substring(0, 8));
        passwordFile = OUT.resolve("password.txt");
        Files.writeString(passwordFile, password + "\n");

        Path events = OUT.resolve("shop-events.jsonl");
        Instant last = new ShopTraffic(7).write(events, 400);
        JobConfig config = new JobConfig();
        config.source.type = JobConfig.SourceType.FILES;
        config.source.files.paths.add(events.toString());
        config.source.files.format = JobConfig.FileFormat.JSONL;
        config.source.files.until = last; // the tables as of the last event: members still in their segments
        config.outputs.kafka.enabled = false;
        config.outputs.jdbc.enabled = true;
        config.outputs.jdbc.url = url;
        config.outputs.jdbc.user = user;
        config.runtime.stateBackend = JobConfig.StateBackend.HASHMAP;
        ReplaySummary summary = ReplayVerb.replay(config, password);
        System.out.println("report IT replay:\n" + summary);

        report = OUT.resolve("report.html");
        verbOutput = verb("--out", report.toString());
        String emptyUrl = createDatabase(services, "report_empty_" + UUID.randomUUID().toString().substring(0, 8));
        SchemaMigrator.migrate(emptyUrl, user, password);
        emptyReport = OUT.resolve("report-empty.html");
        verb("--out", emptyReport.toString(), "--jdbc-url", emptyUrl);
    }

    @Test
    void pageShowsWhatTheTablesHold() throws Exception {
        String html = Files.readString(report);
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            long sessions = one(c, "SELECT coalesce(sum(count), 0) FROM journey_transitions WHERE from_state = 'START'");
            assertThat(sessions).as("sessions").isGreaterThan(500);
            assertThat(html).contains(">" + Html.count(sessions) + "</div><div class=\"label\">sessions counted");
            assertThat(verbOutput).contains(Html.count(sessions) + " sessions");

            Map<String, Long> sizes = rows(c, "SELECT segment, count(*) FROM segment_membership GROUP BY segment"
                    + " ORDER BY count(*) DESC, segment LIMIT " + ReportRenderer.TOP_SEGMENTS);
            assertThat(sizes).as("segments").hasSizeGreaterThanOrEqualTo(3);
            sizes.forEach((segment, n) -> assertThat(html).contains("<title>" + segment + ": " + Html.count(n, "member")
                    + "</title>"));
            assertThat(one(c, "SELECT count(*) FROM segment_changes WHERE action = 'EXIT'")).as("exits")
                    .isPositive();

            Map<String, Long> kinds = rows(c, "SELECT kind, count(*) FROM alerts GROUP BY kind ORDER BY kind");
            assertThat(kinds).as("alert kinds").containsKeys("CART_ABANDONED", "VELOCITY");
            kinds.forEach((kind, n) -> assertThat(html).containsPattern(
                    "</span>" + kind + "</td><td>[^<]*</td><td class=\"num\">" + Html.count(n) + "</td>"));

            Map<String, Long> rules = rows(c, "SELECT rule_id, count(*) FROM alerts WHERE kind = 'VELOCITY'"
                    + " GROUP BY rule_id ORDER BY count(*) DESC, rule_id");
            assertThat(rules).as("velocity rules").containsKeys("login-failed-per-user", "payment-failed-per-card");
            rules.forEach((rule, n) -> assertThat(html).contains(">" + rule + "</text>")
                    .contains(Html.count(n, "alert") + " · "));
            Map<String, Long> withheld = rows(c, "SELECT kind, sum(withheld) FROM triggers_withheld GROUP BY kind"
                    + " ORDER BY kind");
            assertThat(withheld).as("triggers withheld for consent (every fifth shopper denies marketing)")
                    .containsKey("CART_ABANDONED");
            withheld.forEach((kind, n) -> {
                long sent = kinds.getOrDefault(kind, 0L);
                assertThat(html).contains("<tr><td>" + kind + "</td><td class=\"num\">" + Html.count(sent)
                        + "</td><td class=\"num\">" + Html.count(n) + "</td><td class=\"num\">"
                        + Html.percent((double) n / (sent + n)) + "</td></tr>");
            });
            System.out.printf("report IT: %d sessions, segments %s, alerts %s, velocity rules %s, withheld %s%n",
                    sessions, sizes, kinds, rules, withheld);
        }
        assertThat(html).doesNotContain("No data yet");
        assertThat(ReportRendererTest.count(html, "<svg class=\"chart\"")).isEqualTo(8);
        ReportRendererTest.wellFormedSvg(html);
        assertThat(html).contains("one bar per day");
    }

    @Test
    void sinceAndUntilLimitTheAlertsAndChanges() throws Exception {
        Instant since = ShopTraffic.START.plusSeconds(7 * 86400);
        Instant until = ShopTraffic.START.plusSeconds(14 * 86400);
        Path week = OUT.resolve("report-week2.html");
        String out = verb("--out", week.toString(), "--since", since.toString(), "--until", until.toString());
        long alerts;
        try (Connection c = DriverManager.getConnection(url, user, password);
                PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*) FROM alerts WHERE event_time >= ? AND event_time <= ?")) {
            ps.setObject(1, OffsetDateTime.ofInstant(since, ZoneOffset.UTC));
            ps.setObject(2, OffsetDateTime.ofInstant(until, ZoneOffset.UTC));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                alerts = rs.getLong(1);
            }
        }
        assertThat(alerts).isPositive();
        assertThat(out).contains(Html.count(alerts) + " alerts");
        String html = Files.readString(week);
        // the share withheld: both counts over the whole UTC days the window touches (2024-03-11 to 2024-03-18)
        long withheld;
        long sent;
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            withheld = one(c, "SELECT coalesce(sum(withheld), 0) FROM triggers_withheld WHERE kind = 'CART_ABANDONED'"
                    + " AND day BETWEEN date '2024-03-11' AND date '2024-03-18'");
            sent = one(c, "SELECT count(*) FROM alerts WHERE kind = 'CART_ABANDONED'"
                    + " AND (event_time AT TIME ZONE 'UTC')::date BETWEEN date '2024-03-11' AND date '2024-03-18'");
        }
        assertThat(withheld).isPositive();
        assertThat(Files.readString(week)).contains("<tr><td>CART_ABANDONED</td><td class=\"num\">" + Html.count(sent)
                + "</td><td class=\"num\">" + Html.count(withheld) + "</td><td class=\"num\">"
                + Html.percent((double) withheld / (sent + withheld)) + "</td></tr>");
        assertThat(html).contains(">" + Html.count(alerts) + "</div><div class=\"label\">alerts")
                .contains("from 2024-03-11 00:00 UTC to 2024-03-18 00:00 UTC")
                .contains("Mar 11").doesNotContain("Mar 5 ·").doesNotContain("Mar 20 ·");
    }

    @Test
    void emptyTablesGiveAPageThatSaysSo() throws Exception {
        String html = Files.readString(emptyReport);
        assertThat(ReportRendererTest.count(html, "<p class=\"empty\">No data yet")).isEqualTo(7);
    }

    @Test
    void chromiumDrawsEveryChartWithoutErrors() throws Exception {
        Path chromium = HeadlessChromium.executable();
        if (chromium == null) {
            fail(HeadlessChromium.MISSING);
        }
        try (HeadlessChromium browser = new HeadlessChromium(chromium, 1280, 900)) {
            // the error hooks work: a page with a script error and a console.error is caught
            Path broken = OUT.resolve("broken.html");
            Files.writeString(broken, "<!DOCTYPE html><p>x</p><script>console.error('seen');"
                    + "undefinedFunction();</script>");
            browser.open(broken.toUri().toString());
            assertThat(browser.problems()).as("the hooks see a broken page's errors").hasSizeGreaterThanOrEqualTo(2);

            try (HeadlessChromium fresh = new HeadlessChromium(chromium, 1280, 900)) {
                String page = report.toAbsolutePath().toUri().toString();
                fresh.open(page);
                JsonNode charts = fresh.evaluate(CHARTS);
                System.out.println("report IT, charts as drawn by chromium: " + charts);
                assertThat(charts).hasSize(8);
                for (JsonNode chart : charts) {
                    assertThat(chart.path("width").asDouble()).as("%s width", chart).isGreaterThan(600);
                    assertThat(chart.path("height").asDouble()).as("%s height", chart).isGreaterThan(50);
                    assertThat(chart.path("marks").asInt()).as("%s marks", chart).isPositive();
                    assertThat(chart.path("drawn").asInt()).as("%s marks with a size", chart)
                            .isEqualTo(chart.path("marks").asInt());
                    assertThat(chart.path("texts").asInt()).as("%s labels", chart).isPositive();
                }
                assertThat(fresh.evaluate("document.title").asText()).isEqualTo("Journey report");
                byte[] png = fresh.screenshot(1280);
                Files.write(OUT.resolve("report-screenshot.png"), png);
                assertThat(inkShare(png)).as("share of the screenshot that is not background").isGreaterThan(0.08);
                assertThat(fresh.problems()).as("console errors, exceptions, log errors").isEmpty();
                assertThat(fresh.requestedUrls()).as("the page requests nothing but itself").containsOnly(page);

                String emptyPage = emptyReport.toAbsolutePath().toUri().toString();
                fresh.open(emptyPage);
                assertThat(fresh.evaluate("document.querySelectorAll('p.empty').length").asInt()).isEqualTo(7);
                assertThat(fresh.evaluate("document.querySelectorAll('svg').length").asInt()).isZero();
                assertThat(fresh.problems()).isEmpty();
            }
        }
    }

    /** Per chart: its drawn size, its marks (bars, nodes, bands, lines, points), how many have a size, its texts. */
    static final String CHARTS = "Array.from(document.querySelectorAll('svg.chart')).map(s => {"
            + " const r = s.getBoundingClientRect();"
            + " const marks = Array.from(s.querySelectorAll('rect.bar, rect.node, path.link, path.series-line,"
            + " circle.point'));"
            + " const drawn = marks.filter(m => { const b = m.getBBox(); return b.width > 0 || b.height > 0; });"
            + " const texts = Array.from(s.querySelectorAll('text')).filter(t => t.getComputedTextLength() > 0);"
            + " return {chart: s.dataset.chart, width: r.width, height: r.height, marks: marks.length,"
            + " drawn: drawn.length, texts: texts.length}; })";

    /** The share of pixels that differ from the page background. */
    static double inkShare(byte[] png) throws Exception {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        int background = img.getRGB(2, 2);
        long ink = 0;
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                if (img.getRGB(x, y) != background) {
                    ink++;
                }
            }
        }
        return ink / ((img.getWidth() / 2.0) * (img.getHeight() / 2.0));
    }

    private String verb(String... extra) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("report", "--jdbc-url", url, "--jdbc-user", user,
                "--jdbc-password-file", passwordFile.toString()));
        args.addAll(List.of(extra));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = ReportVerb.run(args.toArray(new String[0]), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        assertThat(code).as(out).isZero();
        return out;
    }

    private static String createDatabase(EmbeddedServices services, String name) throws Exception {
        try (Connection c = services.postgres().connect(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return services.postgres().jdbcUrl().replaceFirst("/[^/]+$", "/" + name);
    }

    private static long one(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Map<String, Long> rows(Connection c, String sql) throws Exception {
        Map<String, Long> out = new LinkedHashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }
}
