package io.journeycep.pipeline.report;

import static io.journeycep.pipeline.report.Html.count;
import static io.journeycep.pipeline.report.Html.escape;
import static io.journeycep.pipeline.report.Html.percent;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The journey report as one self-contained HTML page: inline CSS and SVG, no script, nothing fetched when it is
 * viewed. Every text that comes from the database (states, segment names, alert kinds, rule ids) is escaped.
 * Each section shows "No data yet" when its table has nothing (in the time window).
 */
public final class ReportRenderer {
    /** Segments drawn in the bar chart (the table below it lists all). */
    static final int TOP_SEGMENTS = 15;
    /** Segments drawn as lines of members over time. */
    static final int SEGMENT_LINES = 5;

    /** Alert kinds in a fixed order with a fixed colour and what they mean. */
    private static final Map<String, String[]> KINDS = new LinkedHashMap<>();

    static {
        KINDS.put("CART_ABANDONED", new String[] {"#E69F00", "a cart add with no purchase before the timeout"});
        KINDS.put("HIGH_VALUE_BROWSING", new String[] {"#0072B2", "repeated views of expensive items, no purchase"});
        KINDS.put("JOURNEY_PATTERN", new String[] {"#009E73", "a marketing sequence from a rules file matched"});
        KINDS.put("RISK_PATTERN", new String[] {"#D55E00", "a risk sequence from a rules file matched"});
        KINDS.put("VELOCITY", new String[] {"#CC79A7", "too many events per user, device, IP or card in a window"});
        KINDS.put("PATH_ANOMALY", new String[] {"#56B4E9", "a session whose path is unusual for this shop"});
        KINDS.put("DRIFT", new String[] {"#000000", "a business metric moved away from its usual level"});
    }

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private ReportRenderer() {}

    public static String render(ReportData data) {
        JourneyGraph graph = new JourneyGraph(data.transitions());
        List<Instant> buckets = buckets(data);
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>Journey report</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n")
                .append("<header>\n<h1>Journey report</h1>\n<p class=\"sub\">")
                .append(escape(windowText(data))).append(" · generated ")
                .append(escape(TIME.format(data.generatedAt()))).append(" from the journey-cep tables</p>\n");
        summary(h, data, graph);
        h.append("</header>\n<main>\n");
        journeyFlow(h, graph);
        dropOff(h, graph);
        segmentSizes(h, data);
        segmentChanges(h, data, buckets);
        alerts(h, data, buckets);
        withheld(h, data);
        velocityRules(h, data);
        h.append("</main>\n<footer>journey-cep report · all times UTC · counts are read from PostgreSQL as they were at")
                .append(" generation time</footer>\n</body>\n</html>\n");
        return h.toString();
    }

    private static String windowText(ReportData d) {
        if (d.since() == null && d.until() == null) {
            return "All alerts and segment changes";
        }
        return "Alerts and segment changes " + (d.since() == null ? "up to " + TIME.format(d.until())
                : d.until() == null ? "from " + TIME.format(d.since())
                : "from " + TIME.format(d.since()) + " to " + TIME.format(d.until()));
    }

    private static void summary(StringBuilder h, ReportData d, JourneyGraph graph) {
        long alerts = d.alertCounts().stream().mapToLong(ReportData.AlertCount::count).sum();
        long members = d.segmentSizes().values().stream().mapToLong(Long::longValue).sum();
        long purchases = graph.edges().stream().filter(e -> e.to().equals("purchase") && !e.from().equals("purchase"))
                .mapToLong(JourneyGraph.Edge::count).sum();
        h.append("<div class=\"tiles\">\n");
        tile(h, count(graph.sessions()), "sessions counted", "closed sessions in journey_transitions");
        tile(h, graph.sessions() == 0 ? "–" : percent(Math.min(1, (double) purchases / graph.sessions())),
                "reached a purchase", "steps into Purchase per session");
        tile(h, count(alerts), "alerts", "in the time window");
        tile(h, count(members), "segment memberships", "now, in " + d.segmentSizes().size() + " segments");
        h.append("</div>\n");
    }

    private static void tile(StringBuilder h, String value, String label, String note) {
        h.append("<div class=\"tile\"><div class=\"value\">").append(escape(value)).append("</div><div class=\"label\">")
                .append(escape(label)).append("</div><div class=\"note\">").append(escape(note)).append("</div></div>\n");
    }

    private static void section(StringBuilder h, String id, String title, String explanation) {
        h.append("<section id=\"").append(id).append("\">\n<h2>").append(escape(title)).append("</h2>\n<p class=\"explain\">")
                .append(escape(explanation)).append("</p>\n");
    }

    private static void empty(StringBuilder h, String what) {
        h.append("<p class=\"empty\">No data yet: ").append(escape(what)).append("</p>\n</section>\n");
    }

    private static void journeyFlow(StringBuilder h, JourneyGraph graph) {
        section(h, "journey", "How shoppers move through the shop",
                "Each column is a step of a session, from its start (left) to leaving the site (right). A band's"
                        + " width is the number of times shoppers went from one step to the next; its label is the"
                        + " probability of that next step after this one. Counted over all closed sessions so far"
                        + " (not limited by the report's time window). Hover a band or box for its numbers.");
        if (graph.isEmpty()) {
            empty(h, "journey_transitions is empty (no session has closed yet).");
            return;
        }
        h.append("<figure>").append(SankeyChart.render(graph)).append("</figure>\n");
        List<JourneyGraph.Edge> back = graph.edges().stream()
                .filter(e -> !e.from().equals(e.to()) && JourneyGraph.column(e.to()) <= JourneyGraph.column(e.from()))
                .sorted(Comparator.comparingLong(JourneyGraph.Edge::count).reversed()).limit(8).toList();
        if (!back.isEmpty()) {
            h.append("<p class=\"note\">Most frequent steps back: ");
            for (int i = 0; i < back.size(); i++) {
                JourneyGraph.Edge e = back.get(i);
                h.append(i == 0 ? "" : "; ").append(escape(JourneyGraph.label(e.from()))).append(" → ")
                        .append(escape(JourneyGraph.label(e.to()))).append(' ').append(escape(percent(e.probability())))
                        .append(" (").append(count(e.count())).append(')');
            }
            h.append(".</p>\n");
        }
        h.append("<details><summary>All transitions and their probabilities</summary>\n<table class=\"transitions\">")
                .append("<thead><tr><th>from</th><th>to</th><th class=\"num\">transitions</th>")
                .append("<th class=\"num\">probability P(to | from)</th></tr></thead>\n<tbody>\n");
        for (JourneyGraph.Edge e : graph.edges()) {
            h.append("<tr><td>").append(escape(JourneyGraph.label(e.from()))).append("</td><td>")
                    .append(escape(JourneyGraph.label(e.to()))).append("</td><td class=\"num\">").append(count(e.count()))
                    .append("</td><td class=\"num\">").append(escape(percent(e.probability()))).append("</td></tr>\n");
        }
        h.append("</tbody></table></details>\n</section>\n");
    }

    private static void dropOff(StringBuilder h, JourneyGraph graph) {
        section(h, "drop-off", "Where sessions end",
                "The share of all sessions whose last step was this one. The exit rate is how often shoppers left"
                        + " right after this step, out of every time they reached it.");
        List<JourneyGraph.DropOff> rows = graph.dropOff().stream().filter(d -> d.sessionsEnded() > 0).toList();
        if (rows.isEmpty()) {
            empty(h, "journey_transitions has no session that ended yet.");
            return;
        }
        List<BarChart.Bar> bars = new ArrayList<>();
        for (JourneyGraph.DropOff d : rows) {
            String label = percent(d.shareOfSessions()) + " · " + count(d.sessionsEnded(), "session") + " · exit rate "
                    + percent(d.exitRate());
            bars.add(new BarChart.Bar(JourneyGraph.label(d.state()), d.shareOfSessions(), label, "#D55E00",
                    JourneyGraph.label(d.state()) + ": " + label));
        }
        h.append("<figure>").append(BarChart.render("drop-off", "Share of sessions ending at each step", bars,
                "share of sessions that ended at this step", true)).append("</figure>\n</section>\n");
    }

    private static void segmentSizes(StringBuilder h, ReportData d) {
        section(h, "segments", "Segments now",
                "Members of each segment at the time of the report (segment_membership). A shopper can be in several"
                        + " segments at once.");
        if (d.segmentSizes().isEmpty()) {
            empty(h, "segment_membership is empty (no shopper is in a segment).");
            return;
        }
        List<BarChart.Bar> bars = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, Long> e : d.segmentSizes().entrySet()) {
            if (i++ >= TOP_SEGMENTS) {
                break;
            }
            bars.add(new BarChart.Bar(e.getKey(), e.getValue(), count(e.getValue(), "member"), "#009E73",
                    e.getKey() + ": " + count(e.getValue(), "member")));
        }
        h.append("<figure>").append(BarChart.render("segment-sizes", "Members per segment now", bars,
                "members (shoppers)", false)).append("</figure>\n");
        if (d.segmentSizes().size() > TOP_SEGMENTS) {
            h.append("<p class=\"note\">The ").append(TOP_SEGMENTS).append(" largest of ")
                    .append(d.segmentSizes().size()).append(" segments.</p>\n");
        }
        h.append("</section>\n");
    }

    private static void segmentChanges(StringBuilder h, ReportData d, List<Instant> buckets) {
        section(h, "segment-changes", "Segments over time",
                "Shoppers entering (above the line) and leaving (below) any segment " + d.bucket().per
                        + ", from segment_changes; then the members of the largest segments at the end of each "
                        + d.bucket().sqlUnit + ".");
        if (d.segmentChanges().isEmpty()) {
            empty(h, "segment_changes has no ENTER or EXIT in the time window.");
            return;
        }
        Map<Instant, Integer> index = index(buckets);
        long[] enters = new long[buckets.size()];
        long[] exits = new long[buckets.size()];
        Map<String, long[]> net = new TreeMap<>();
        for (ReportData.SegmentChangeCount c : d.segmentChanges()) {
            int i = index.get(c.bucketStart());
            enters[i] += c.enters();
            exits[i] += c.exits();
            net.computeIfAbsent(c.segment(), k -> new long[buckets.size()])[i] += c.enters() - c.exits();
        }
        h.append("<figure>").append(TimeSeriesChart.bars("segment-changes", "Segment entries and exits over time",
                d.bucket(), buckets, List.of(
                        new TimeSeriesChart.Series("entered a segment (ENTER)", enters, "#009E73", false),
                        new TimeSeriesChart.Series("left a segment (EXIT)", exits, "#D55E00", true)),
                "changes")).append("</figure>\n");
        // members at the end of each bucket: now, minus what changed after it
        List<String> top = new ArrayList<>(new TreeSet<>(net.keySet()));
        top.sort(Comparator.comparingLong((String s) -> -d.segmentSizes().getOrDefault(s, 0L))
                .thenComparing(Comparator.naturalOrder()));
        List<TimeSeriesChart.Series> lines = new ArrayList<>();
        for (String s : top.subList(0, Math.min(SEGMENT_LINES, top.size()))) {
            long[] changes = net.get(s);
            long[] size = new long[buckets.size()];
            long current = d.segmentSizes().getOrDefault(s, 0L) - d.netChangeAfter().getOrDefault(s, 0L);
            for (int i = buckets.size() - 1; i >= 0; i--) {
                size[i] = Math.max(0, current);
                current -= changes[i];
            }
            lines.add(new TimeSeriesChart.Series(s, size, Svg.PALETTE[lines.size()], false));
        }
        h.append("<figure>").append(TimeSeriesChart.lines("segment-sizes-over-time", "Members of the largest segments"
                + " over time", d.bucket(), buckets, lines, "members")).append("</figure>\n</section>\n");
    }

    private static void alerts(StringBuilder h, ReportData d, List<Instant> buckets) {
        section(h, "alerts", "Alerts over time",
                "Alerts the job raised " + d.bucket().per + " (by the time of the behaviour they are about), by kind.");
        if (d.alertCounts().isEmpty()) {
            empty(h, "alerts has no row in the time window.");
            return;
        }
        Map<Instant, Integer> index = index(buckets);
        Map<String, long[]> byKind = new LinkedHashMap<>();
        for (String k : KINDS.keySet()) {
            byKind.put(k, null);
        }
        Map<String, Long> totals = new TreeMap<>();
        for (ReportData.AlertCount c : d.alertCounts()) {
            if (byKind.get(c.kind()) == null) {
                byKind.put(c.kind(), new long[buckets.size()]);
            }
            byKind.get(c.kind())[index.get(c.bucketStart())] += c.count();
            totals.merge(c.kind(), c.count(), Long::sum);
        }
        List<TimeSeriesChart.Series> series = new ArrayList<>();
        int other = 0;
        for (Map.Entry<String, long[]> e : byKind.entrySet()) {
            if (e.getValue() != null) {
                String[] known = KINDS.get(e.getKey());
                String color = known != null ? known[0] : other++ % 2 == 0 ? "#999999" : "#666666";
                series.add(new TimeSeriesChart.Series(e.getKey(), e.getValue(), color, false));
            }
        }
        h.append("<figure>").append(TimeSeriesChart.bars("alerts-over-time", "Alerts over time by kind", d.bucket(),
                buckets, series, "alerts")).append("</figure>\n");
        h.append("<table class=\"kinds\"><thead><tr><th>kind</th><th>what it means</th><th class=\"num\">alerts</th>")
                .append("</tr></thead>\n<tbody>\n");
        for (TimeSeriesChart.Series s : series) {
            String[] known = KINDS.get(s.name());
            h.append("<tr><td><span class=\"swatch\" style=\"background:").append(s.color()).append("\"></span>")
                    .append(escape(s.name())).append("</td><td>").append(escape(known == null ? "" : known[1]))
                    .append("</td><td class=\"num\">").append(count(totals.get(s.name()))).append("</td></tr>\n");
        }
        h.append("</tbody></table>\n</section>\n");
    }

    private static void withheld(StringBuilder h, ReportData d) {
        section(h, "consent", "Triggers withheld for consent",
                "Marketing triggers the job did not send because the shopper had not granted the consent category"
                        + " they need (README \"Consent\"), per kind: how many were sent, how many withheld, and the"
                        + " share withheld, withheld / (sent + withheld). Counted per day (UTC) of the triggers' time,"
                        + " over the whole days of the time window, from triggers_withheld, alerts and the segments'"
                        + " ENTERs in segment_changes; kinds with nothing withheld are not listed.");
        if (d.withheld().isEmpty()) {
            empty(h, "triggers_withheld has no row in the time window (no trigger was withheld for consent).");
            return;
        }
        List<BarChart.Bar> bars = new ArrayList<>();
        for (ReportData.Withheld w : d.withheld()) {
            String label = percent(w.share()) + " · " + count(w.withheld()) + " of "
                    + count(w.sent() + w.withheld(), "trigger") + " withheld";
            bars.add(new BarChart.Bar(triggerLabel(w.kind()), w.share(), label, "#56B4E9",
                    triggerLabel(w.kind()) + ": " + label));
        }
        h.append("<figure>").append(BarChart.render("consent-withheld", "Share of triggers withheld for consent",
                bars, "share of the kind's triggers withheld", true)).append("</figure>\n");
        h.append("<table class=\"withheld\"><thead><tr><th>trigger</th><th class=\"num\">sent</th>")
                .append("<th class=\"num\">withheld</th><th class=\"num\">share withheld</th></tr></thead>\n<tbody>\n");
        for (ReportData.Withheld w : d.withheld()) {
            h.append("<tr><td>").append(escape(triggerLabel(w.kind()))).append("</td><td class=\"num\">")
                    .append(count(w.sent())).append("</td><td class=\"num\">").append(count(w.withheld()))
                    .append("</td><td class=\"num\">").append(escape(percent(w.share()))).append("</td></tr>\n");
        }
        h.append("</tbody></table>\n</section>\n");
    }

    /** An alert kind as it is; {@code SEGMENT_ENTER:<segment>} as "<segment> (segment ENTER)". */
    static String triggerLabel(String kind) {
        String prefix = "SEGMENT_ENTER:";
        return kind.startsWith(prefix) ? kind.substring(prefix.length()) + " (segment ENTER)" : kind;
    }

    private static void velocityRules(StringBuilder h, ReportData d) {
        section(h, "velocity-rules", "Top velocity rules",
                "The velocity rules (too many events in a sliding window, such as failed logins per user) that raised"
                        + " the most alerts in the time window, with how many different users, devices, IPs or cards"
                        + " (subjects) they were about.");
        if (d.velocityRules().isEmpty()) {
            empty(h, "alerts has no VELOCITY alert in the time window.");
            return;
        }
        List<BarChart.Bar> bars = new ArrayList<>();
        for (ReportData.RuleCount r : d.velocityRules()) {
            String label = count(r.alerts(), "alert") + " · " + count(r.subjects(), "subject");
            bars.add(new BarChart.Bar(r.ruleId(), r.alerts(), label, "#CC79A7", r.ruleId() + ": " + label
                    + (r.lastAlert() == null ? "" : " · last " + TIME.format(r.lastAlert()))));
        }
        h.append("<figure>").append(BarChart.render("velocity-rules", "Velocity rules by number of alerts", bars,
                "alerts", false)).append("</figure>\n</section>\n");
    }

    /** The buckets of the time charts: from the first to the last bucket with an alert or a segment change. */
    static List<Instant> buckets(ReportData d) {
        TreeSet<Instant> seen = new TreeSet<>();
        d.alertCounts().forEach(c -> seen.add(c.bucketStart()));
        d.segmentChanges().forEach(c -> seen.add(c.bucketStart()));
        if (seen.isEmpty()) {
            return List.of();
        }
        TreeSet<Instant> all = new TreeSet<>(d.bucket().range(seen.first(), seen.last()));
        all.addAll(seen); // the database's buckets, should a clock disagree
        return new ArrayList<>(all);
    }

    private static Map<Instant, Integer> index(List<Instant> buckets) {
        Map<Instant, Integer> out = new TreeMap<>();
        for (int i = 0; i < buckets.size(); i++) {
            out.put(buckets.get(i), i);
        }
        return out;
    }

    static final String CSS = String.join("\n",
            ":root { --ink: #1d2330; --muted: #5b6475; --line: #d9dde5; --bg: #f6f7f9; }",
            "* { box-sizing: border-box; }",
            "body { margin: 0; font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif;"
                    + " color: var(--ink); background: var(--bg); }",
            "header, main, footer { max-width: 1080px; margin: 0 auto; padding: 0 24px; }",
            "header { padding-top: 24px; }",
            "h1 { font-size: 28px; margin: 0 0 4px; }",
            "h2 { font-size: 20px; margin: 0 0 6px; }",
            ".sub, .explain, .note, footer { color: var(--muted); }",
            ".explain { margin: 0 0 12px; max-width: 860px; }",
            ".tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; margin: 16px 0 8px; }",
            ".tile { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }",
            ".tile .value { font-size: 26px; font-weight: 600; }",
            ".tile .label { font-weight: 600; }",
            ".tile .note { font-size: 12px; color: var(--muted); }",
            "section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 18px 20px;"
                    + " margin: 16px 0; }",
            "figure { margin: 0; }",
            "svg.chart { width: 100%; height: auto; display: block; }",
            "svg.chart text { font-family: inherit; font-size: 12px; fill: var(--ink); }",
            "svg.chart .tick, svg.chart .node-value, svg.chart .node-repeat, svg.chart .legend { fill: var(--muted); }",
            "svg.chart .axis-title { fill: var(--muted); font-style: italic; }",
            "svg.chart .node-label { font-weight: 600; }",
            "svg.chart .link-label { font-size: 11px; font-weight: 600; }",
            "svg.chart .link-label, svg.chart .node-label, svg.chart .node-value, svg.chart .node-repeat"
                    + " { paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }",
            "svg.chart .grid { stroke: #eceef2; }",
            "svg.chart .zero { stroke: #9aa1ad; }",
            "svg.chart .legend-dash { stroke: #777; stroke-dasharray: 4 3; stroke-width: 2; }",
            "svg.chart .link:hover { stroke-opacity: 0.6; }",
            "svg.chart .bar:hover, svg.chart .node:hover { opacity: 0.8; }",
            ".empty { padding: 18px; background: var(--bg); border: 1px dashed var(--line); border-radius: 6px;"
                    + " color: var(--muted); }",
            "table { border-collapse: collapse; margin-top: 10px; font-size: 14px; }",
            "th, td { padding: 4px 12px 4px 0; border-bottom: 1px solid #eceef2; text-align: left; }",
            "th.num, td.num { text-align: right; }",
            ".swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 6px; }",
            "details summary { cursor: pointer; color: var(--muted); margin-top: 8px; }",
            "footer { font-size: 12px; padding-bottom: 24px; }",
            "@media (max-width: 720px) { .tiles { grid-template-columns: repeat(2, 1fr); } }",
            "");
}
