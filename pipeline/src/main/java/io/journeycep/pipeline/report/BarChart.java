package io.journeycep.pipeline.report;

import static io.journeycep.pipeline.report.Html.count;

import java.util.List;

/** Horizontal bars, one per row, longest first as given: a name on the left, the bar, its value on the right. */
public final class BarChart {
    /** One bar; {@code value} sets its length, {@code valueLabel} is printed after it. */
    public record Bar(String label, double value, String valueLabel, String color, String tooltip) {}

    static final double WIDTH = 1000;
    private static final double LABEL_WIDTH = 220;
    private static final double VALUE_WIDTH = 300;
    private static final double ROW = 26;
    private static final double TOP = 8;
    private static final double AXIS = 28;

    private BarChart() {}

    /**
     * @param name the chart's {@code data-chart} name
     * @param axisTitle what the bar length measures, with its unit ("members", "share of sessions")
     * @param percentAxis axis ticks as percentages of 1.0 rather than counts
     */
    public static String render(String name, String ariaLabel, List<Bar> bars, String axisTitle, boolean percentAxis) {
        double height = TOP + bars.size() * ROW + AXIS + 16;
        Svg svg = new Svg(name, WIDTH, height, ariaLabel);
        double plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
        double max = bars.stream().mapToDouble(Bar::value).max().orElse(0);
        double top;
        long[] ticks = null;
        double scaleMax;
        if (percentAxis) {
            scaleMax = max <= 0 ? 1 : Math.min(1, Math.ceil(max * 10) / 10);
        } else {
            ticks = Svg.ticks(max);
            scaleMax = ticks[ticks.length - 1];
        }
        double axisY = TOP + bars.size() * ROW + 4;
        // grid and ticks
        int n = percentAxis ? (int) Math.round(scaleMax * 10) : ticks.length - 1;
        for (int i = 0; i <= n; i++) {
            double v = percentAxis ? i / 10.0 : ticks[i];
            double x = LABEL_WIDTH + plot * v / scaleMax;
            svg.line("grid", x, TOP, x, axisY);
            if (!percentAxis || n <= 5 || i % 2 == 0) {
                svg.text("tick", x, axisY + 14, "middle", percentAxis ? Math.round(v * 100) + " %" : count((long) v));
            }
        }
        svg.text("axis-title", LABEL_WIDTH + plot / 2, axisY + 30, "middle", axisTitle);
        for (int i = 0; i < bars.size(); i++) {
            Bar bar = bars.get(i);
            top = TOP + i * ROW;
            double w = scaleMax <= 0 ? 0 : plot * bar.value() / scaleMax;
            svg.text("bar-label", LABEL_WIDTH - 8, top + ROW / 2 + 4, "end", bar.label());
            svg.rect("bar", LABEL_WIDTH, top + 4, Math.max(bar.value() > 0 ? 1.5 : 0, w), ROW - 8, bar.color(),
                    bar.tooltip());
            svg.text("bar-value", LABEL_WIDTH + w + 6, top + ROW / 2 + 4, "start", bar.valueLabel());
        }
        return svg.end();
    }
}
