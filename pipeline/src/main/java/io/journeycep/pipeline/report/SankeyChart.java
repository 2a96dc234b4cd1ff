package io.journeycep.pipeline.report;

import static io.journeycep.pipeline.report.Html.count;
import static io.journeycep.pipeline.report.Html.num;
import static io.journeycep.pipeline.report.Html.percent;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The journey graph as a flow (Sankey) diagram: states in columns from session start to exit, a node's height
 * proportional to the visits flowing through it, a band from state A to state B as thick as the transitions A → B,
 * labelled with {@code P(B | A)} when it is thick enough to carry a label. Steps back (cart → view) and between
 * states of one column are drawn as dashed arcs under the nodes, repeats (view → view) as a note under the node.
 */
public final class SankeyChart {
    static final double WIDTH = 1000;
    static final double HEIGHT = 540;
    private static final double TOP = 30;
    private static final double PLOT_HEIGHT = 360;
    private static final double LEFT = 20;
    private static final double RIGHT = 150;
    private static final double NODE_WIDTH = 14;
    private static final double GAP = 34;
    /** Steps back less likely than this are not drawn (the table has them). */
    static final double MIN_BACK_PROBABILITY = 0.10;
    /** Bands thinner than this carry no probability label (their tooltip has it). */
    private static final double LABEL_MIN_THICKNESS = 9;

    private SankeyChart() {}

    private static final class Node {
        final String state;
        final int column;
        final long value;
        double x;
        double y;
        double h;
        double outOffset;
        double inOffset;

        Node(String state, int column, long value) {
            this.state = state;
            this.column = column;
            this.value = value;
        }
    }

    public static String render(JourneyGraph graph) {
        List<String> states = graph.states();
        TreeMap<Integer, List<Node>> columns = new TreeMap<>();
        Map<String, Node> nodes = new HashMap<>();
        for (String s : states) {
            Node n = new Node(s, JourneyGraph.column(s), graph.throughput(s));
            columns.computeIfAbsent(n.column, k -> new ArrayList<>()).add(n);
            nodes.put(s, n);
        }
        final double scale = scale(columns);
        int index = 0;
        int columnCount = columns.size();
        double span = WIDTH - LEFT - RIGHT - NODE_WIDTH;
        for (List<Node> col : columns.values()) {
            double x = LEFT + (columnCount == 1 ? 0 : span * index / (columnCount - 1));
            double used = col.stream().mapToDouble(n -> Math.max(2, n.value * scale)).sum() + GAP * (col.size() - 1);
            double y = TOP + (PLOT_HEIGHT - used) / 2;
            for (Node n : col) {
                n.x = x;
                n.y = y;
                n.h = Math.max(2, n.value * scale);
                y += n.h + GAP;
            }
            index++;
        }

        Svg svg = new Svg("journey-sankey", WIDTH, HEIGHT,
                "Journey flow: " + count(graph.sessions()) + " sessions from session start to exit");
        svg.raw("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"8\" refY=\"5\" markerWidth=\"7\""
                + " markerHeight=\"7\" markerUnits=\"userSpaceOnUse\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#8a8f99\"/>"
                + "</marker></defs>\n");

        List<JourneyGraph.Edge> forward = new ArrayList<>();
        List<JourneyGraph.Edge> back = new ArrayList<>();
        for (JourneyGraph.Edge e : graph.edges()) {
            Node a = nodes.get(e.from());
            Node b = nodes.get(e.to());
            if (e.from().equals(e.to())) {
                continue; // a repeat: shown as ↻ beside the node
            }
            if (b.column > a.column) {
                forward.add(e);
            } else if (e.probability() >= MIN_BACK_PROBABILITY) {
                back.add(e);
            }
        }
        // forward bands: leave a source in the order of their targets' heights, enter a target in the order of sources
        forward.sort(Comparator.comparingDouble((JourneyGraph.Edge e) -> nodes.get(e.from()).y)
                .thenComparingDouble(e -> nodes.get(e.to()).y));
        Map<JourneyGraph.Edge, double[]> ends = new HashMap<>();
        for (JourneyGraph.Edge e : forward) {
            Node a = nodes.get(e.from());
            double t = e.count() * scale;
            ends.put(e, new double[] {a.y + a.outOffset + t / 2, t});
            a.outOffset += t;
        }
        List<JourneyGraph.Edge> byTarget = new ArrayList<>(forward);
        byTarget.sort(Comparator.comparingDouble((JourneyGraph.Edge e) -> nodes.get(e.to()).y)
                .thenComparingDouble(e -> nodes.get(e.from()).y));
        // node labels right of each node; link labels go where they hide no node, node label or other link label
        List<double[]> taken = new ArrayList<>();
        for (Node n : nodes.values()) {
            taken.add(new double[] {n.x, n.y, n.x + NODE_WIDTH, n.y + n.h});
            double tx = n.x + NODE_WIDTH + 6;
            double width = Math.max(7.2 * JourneyGraph.label(n.state).length(), 6.4 * valueLine(graph, n).length());
            taken.add(new double[] {tx, n.y + n.h / 2 - 8, tx + width, n.y + n.h / 2 + 21});
        }
        List<double[]> candidates = new ArrayList<>();
        Map<double[], JourneyGraph.Edge> candidateEdges = new HashMap<>();
        svg.raw("<g class=\"links\">\n");
        for (JourneyGraph.Edge e : byTarget) {
            Node a = nodes.get(e.from());
            Node b = nodes.get(e.to());
            double[] end = ends.get(e);
            double t = end[1];
            double y0 = end[0];
            double y1 = b.y + b.inOffset + t / 2;
            b.inOffset += t;
            double x0 = a.x + NODE_WIDTH;
            double x1 = b.x;
            double xm = (x0 + x1) / 2;
            String color = color(b.column); // a band has the colour of where it leads: grey into the exit
            svg.path("link", "M" + num(x0) + "," + num(y0) + " C" + num(xm) + "," + num(y0) + " " + num(xm) + ","
                    + num(y1) + " " + num(x1) + "," + num(y1),
                    "fill=\"none\" stroke=\"" + color + "\" stroke-opacity=\"0.35\" stroke-width=\""
                            + num(Math.max(1, t)) + "\"",
                    tooltip(e));
            if (t >= LABEL_MIN_THICKNESS) {
                double[] c = {x0, y0, x1, y1};
                candidates.add(c);
                candidateEdges.put(c, e);
            }
        }
        // steps back and sideways: dashed arcs below the plot
        double base = TOP + PLOT_HEIGHT + 20;
        int arcs = 0;
        for (JourneyGraph.Edge e : back) {
            Node a = nodes.get(e.from());
            Node b = nodes.get(e.to());
            double xa = a.x + NODE_WIDTH / 2;
            double xb = b.x + NODE_WIDTH / 2;
            double depth = base + 12 + Math.min(70, Math.abs(xa - xb) / 8) + (arcs++ % 3) * 8;
            svg.path("link back", "M" + num(xa) + "," + num(a.y + a.h) + " C" + num(xa) + "," + num(depth) + " "
                    + num(xb) + "," + num(depth) + " " + num(xb) + "," + num(b.y + b.h + 2),
                    "fill=\"none\" stroke=\"#8a8f99\" stroke-dasharray=\"5 4\" stroke-width=\"1.5\""
                            + " marker-end=\"url(#arrow)\"",
                    tooltip(e));
        }
        svg.raw("</g>\n");
        candidates.sort(Comparator.comparingLong((double[] c) -> -candidateEdges.get(c).count()));
        for (double[] c : candidates) {
            String text = percent(candidateEdges.get(c).probability());
            double w = 6.6 * text.length() + 4;
            for (double at : new double[] {0.5, 0.35, 0.65, 0.2, 0.8}) {
                // the point at parameter `at` of the band's centre line (a cubic Bézier, control points at mid-x)
                double u = 1 - at;
                double xm = (c[0] + c[2]) / 2;
                double x = u * u * u * c[0] + 3 * u * at * xm + at * at * at * c[2];
                double ease = 3 * u * at * at + at * at * at;
                double y = c[1] + (c[3] - c[1]) * ease;
                double[] box = {x - w / 2, y - 7, x + w / 2, y + 7};
                if (taken.stream().noneMatch(b -> b[0] < box[2] && box[0] < b[2] && b[1] < box[3] && box[1] < b[3])) {
                    taken.add(box);
                    svg.text("link-label", x, y + 4, "middle", text);
                    break;
                }
            }
        }
        List<Node> ordered = nodes.values().stream()
                .sorted(Comparator.comparingInt((Node n) -> n.column).thenComparingDouble(n -> n.y)).toList();
        svg.raw("<g class=\"nodes\">\n");
        for (Node n : ordered) {
            svg.rect("node", n.x, n.y, NODE_WIDTH, n.h, color(n.column),
                    JourneyGraph.label(n.state) + ": " + count(n.value) + " visits");
        }
        svg.raw("</g>\n<g class=\"node-labels\">\n"); // over every node: a long label may reach the next column
        for (Node n : ordered) {
            double tx = n.x + NODE_WIDTH + 6;
            svg.text("node-label", tx, n.y + n.h / 2 + 4, "start", JourneyGraph.label(n.state));
            svg.text("node-value", tx, n.y + n.h / 2 + 17, "start", valueLine(graph, n));
        }
        svg.raw("</g>\n");
        // legend
        double ly = HEIGHT - 30;
        svg.rect("legend-swatch", LEFT, ly - 9, 22, 10, "#0072B2", null);
        svg.text("legend", LEFT + 30, ly, "start", "band: a next step, coloured as the step it leads to; width ∝"
                + " number of transitions; label: P(next step | this step)");
        svg.line("legend-dash", LEFT, ly + 14, LEFT + 22, ly + 14);
        svg.text("legend", LEFT + 30, ly + 18, "start", "dashed arrow: a step back (drawn when its probability is"
                + " at least " + percent(MIN_BACK_PROBABILITY) + "); ↻ x %: the next step is the same step again");
        return svg.end();
    }

    /** "2,850 visits · ↻ 47.5 %": a node's visits and how often the next step is the same step. */
    private static String valueLine(JourneyGraph graph, Node n) {
        JourneyGraph.Edge repeat = graph.edges().stream()
                .filter(e -> e.from().equals(n.state) && e.to().equals(n.state)).findFirst().orElse(null);
        return count(n.value) + " visits" + (repeat == null ? "" : " · ↻ " + percent(repeat.probability()));
    }

    /** Pixels per transition: the fullest column fills the plot height. */
    private static double scale(Map<Integer, List<Node>> columns) {
        double scale = Double.MAX_VALUE;
        for (List<Node> col : columns.values()) {
            long sum = col.stream().mapToLong(n -> n.value).sum();
            if (sum > 0) {
                scale = Math.min(scale, (PLOT_HEIGHT - GAP * (col.size() - 1)) / sum);
            }
        }
        return scale == Double.MAX_VALUE ? 1 : scale;
    }

    private static String tooltip(JourneyGraph.Edge e) {
        return JourneyGraph.label(e.from()) + " → " + JourneyGraph.label(e.to()) + ": " + count(e.count())
                + " transitions, " + percent(e.probability()) + " of the steps after " + JourneyGraph.label(e.from());
    }

    /** Node colours by column: start, entry events, views, cart, checkout, purchase, exit. */
    private static final String[] COLUMN_COLORS = {
        "#555555", "#56B4E9", "#0072B2", "#E69F00", "#CC79A7", "#009E73", "#999999"
    };

    private static String color(int column) {
        return COLUMN_COLORS[Math.min(column, COLUMN_COLORS.length - 1)];
    }
}
