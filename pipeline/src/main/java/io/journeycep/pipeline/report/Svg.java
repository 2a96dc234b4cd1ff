package io.journeycep.pipeline.report;

import static io.journeycep.pipeline.report.Html.escape;
import static io.journeycep.pipeline.report.Html.num;

/**
 * A small writer of inline SVG: every text and tooltip goes through {@link Html#escape}. Each chart is one
 * {@code <svg class="chart">} with a {@code role="img"} and {@code aria-label}; hovering a mark shows its
 * {@code <title>} as a tooltip (no script needed).
 */
final class Svg {
    /** Colours that stay apart for colour-blind readers (Okabe and Ito's palette, then two greys). */
    static final String[] PALETTE = {
        "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#999999", "#666666"
    };

    private final StringBuilder b = new StringBuilder(4096);

    Svg(String chartName, double width, double height, String ariaLabel) {
        b.append("<svg class=\"chart\" data-chart=\"").append(escape(chartName))
                .append("\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(num(width)).append(' ')
                .append(num(height)).append("\" width=\"").append(num(width)).append("\" height=\"").append(num(height))
                .append("\" role=\"img\" aria-label=\"").append(escape(ariaLabel)).append("\">\n");
    }

    Svg rect(String cls, double x, double y, double w, double h, String fill, String tooltip) {
        b.append("<rect");
        cls(cls);
        b.append(" x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\" width=\"")
                .append(num(Math.max(0, w))).append("\" height=\"").append(num(Math.max(0, h))).append('"');
        if (fill != null) {
            b.append(" fill=\"").append(fill).append('"');
        }
        return closeWithTitle("rect", tooltip);
    }

    Svg line(String cls, double x1, double y1, double x2, double y2) {
        b.append("<line");
        cls(cls);
        b.append(" x1=\"").append(num(x1)).append("\" y1=\"").append(num(y1)).append("\" x2=\"").append(num(x2))
                .append("\" y2=\"").append(num(y2)).append("\"/>\n");
        return this;
    }

    /** A path; {@code style} is trusted attribute text written by the chart (never data). */
    Svg path(String cls, String d, String style, String tooltip) {
        b.append("<path");
        cls(cls);
        b.append(" d=\"").append(d).append('"');
        if (style != null) {
            b.append(' ').append(style);
        }
        return closeWithTitle("path", tooltip);
    }

    Svg circle(String cls, double cx, double cy, double r, String fill, String tooltip) {
        b.append("<circle");
        cls(cls);
        b.append(" cx=\"").append(num(cx)).append("\" cy=\"").append(num(cy)).append("\" r=\"").append(num(r))
                .append("\" fill=\"").append(fill).append('"');
        return closeWithTitle("circle", tooltip);
    }

    /** Text; {@code anchor} is start, middle or end. */
    Svg text(String cls, double x, double y, String anchor, String text) {
        b.append("<text");
        cls(cls);
        b.append(" x=\"").append(num(x)).append("\" y=\"").append(num(y)).append('"');
        if (anchor != null && !anchor.equals("start")) {
            b.append(" text-anchor=\"").append(anchor).append('"');
        }
        b.append('>').append(escape(text)).append("</text>\n");
        return this;
    }

    /** Raw markup written by a chart (definitions such as markers); never data. */
    Svg raw(String markup) {
        b.append(markup);
        return this;
    }

    String end() {
        return b.append("</svg>\n").toString();
    }

    private void cls(String cls) {
        if (cls != null) {
            b.append(" class=\"").append(cls).append('"');
        }
    }

    private Svg closeWithTitle(String element, String tooltip) {
        if (tooltip == null) {
            b.append("/>\n");
        } else {
            b.append("><title>").append(escape(tooltip)).append("</title></").append(element).append(">\n");
        }
        return this;
    }

    /** Tick values 0, step, 2·step … covering {@code max}, with step 1, 2 or 5 × 10^k and about 5 ticks. */
    static long[] ticks(double max) {
        if (max <= 0) {
            return new long[] {0, 1};
        }
        double raw = max / 5;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = mag;
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * mag >= raw) {
                step = m * mag;
                break;
            }
        }
        long s = Math.max(1, Math.round(step));
        int n = (int) Math.ceil(max / s);
        long[] out = new long[n + 1];
        for (int i = 0; i <= n; i++) {
            out[i] = i * s;
        }
        return out;
    }
}
