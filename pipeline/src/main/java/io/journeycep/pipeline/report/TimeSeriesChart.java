package io.journeycep.pipeline.report;

import static io.journeycep.pipeline.report.Html.count;
import static io.journeycep.pipeline.report.Html.num;

import java.time.Instant;
import java.util.List;

/**
 * Counts over time: stacked bars per bucket (series with {@code negative} set grow downwards from the zero line,
 * for ENTER above and EXIT below), or one line per series. A legend names each series; every bar and point has a
 * tooltip with its bucket, series and value.
 */
public final class TimeSeriesChart {
    /** One series: a value per bucket of the chart. */
    public record Series(String name, long[] values, String color, boolean negative) {}

    static final double WIDTH = 1000;
    static final double HEIGHT = 300;
    private static final double LEFT = 64;
    private static final double RIGHT = 16;
    private static final double TOP = 48;
    private static final double BOTTOM = 52;

    private TimeSeriesChart() {}

    public static String bars(String name, String ariaLabel, Bucket bucket, List<Instant> buckets, List<Series> series,
            String unit) {
        return render(name, ariaLabel, bucket, buckets, series, unit, false);
    }

    public static String lines(String name, String ariaLabel, Bucket bucket, List<Instant> buckets,
            List<Series> series, String unit) {
        return render(name, ariaLabel, bucket, buckets, series, unit, true);
    }

    private static String render(String name, String ariaLabel, Bucket bucket, List<Instant> buckets,
            List<Series> series, String unit, boolean lines) {
        int n = buckets.size();
        long up = 0;
        long down = 0;
        for (int i = 0; i < n; i++) {
            long u = 0;
            long d = 0;
            for (Series s : series) {
                if (lines) {
                    u = Math.max(u, s.values()[i]);
                } else if (s.negative()) {
                    d += s.values()[i];
                } else {
                    u += s.values()[i];
                }
            }
            up = Math.max(up, u);
            down = Math.max(down, d);
        }
        long[] upTicks = Svg.ticks(up);
        long step = upTicks.length > 1 ? upTicks[1] : 1;
        long top = upTicks[upTicks.length - 1];
        long bottom = down == 0 ? 0 : (long) Math.ceil((double) down / step) * step;
        if (down > 0 && up == 0) {
            long[] downTicks = Svg.ticks(down);
            step = downTicks[1];
            bottom = downTicks[downTicks.length - 1];
            top = 0;
        }
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        double range = Math.max(1, top + bottom);
        double zero = TOP + plotH * top / range;
        Svg svg = new Svg(name, WIDTH, HEIGHT, ariaLabel);
        // legend
        double lx = LEFT;
        for (Series s : series) {
            svg.rect("legend-swatch", lx, 10, 12, 12, s.color(), null);
            svg.text("legend", lx + 17, 20, "start", s.name());
            lx += 34 + 8.2 * s.name().length();
        }
        // y grid
        for (long v = -bottom; v <= top; v += step) {
            double y = zero - plotH * v / range;
            svg.line(v == 0 ? "zero" : "grid", LEFT, y, WIDTH - RIGHT, y);
            svg.text("tick", LEFT - 6, y + 4, "end", count(Math.abs(v)));
        }
        svg.text("axis-title", 4, TOP - 12, "start", unit);
        double slot = plotW / Math.max(1, n);
        // x labels: at most about 12
        int every = Math.max(1, (int) Math.ceil(n / 12.0));
        for (int i = 0; i < n; i += every) {
            svg.text("tick", LEFT + slot * (i + 0.5), HEIGHT - BOTTOM + 16, "middle", bucket.label(buckets.get(i)));
        }
        svg.text("axis-title", LEFT + plotW / 2, HEIGHT - 12, "middle", "time (UTC), one " + (lines ? "point" : "bar")
                + " " + bucket.per);
        if (lines) {
            for (Series s : series) {
                StringBuilder d = new StringBuilder();
                for (int i = 0; i < n; i++) {
                    double x = LEFT + slot * (i + 0.5);
                    double y = zero - plotH * s.values()[i] / range;
                    d.append(i == 0 ? "M" : " L").append(num(x)).append(',').append(num(y));
                }
                svg.path("series-line", d.toString(), "fill=\"none\" stroke=\"" + s.color() + "\" stroke-width=\"2\"",
                        null);
                for (int i = 0; i < n; i++) {
                    double x = LEFT + slot * (i + 0.5);
                    double y = zero - plotH * s.values()[i] / range;
                    svg.circle("point", x, y, n > 60 ? 1.5 : 3, s.color(),
                            bucket.label(buckets.get(i)) + " · " + s.name() + ": " + count(s.values()[i]) + " " + unit);
                }
            }
        } else {
            double barW = Math.max(1, Math.min(36, slot * 0.8));
            for (int i = 0; i < n; i++) {
                double x = LEFT + slot * i + (slot - barW) / 2;
                double yUp = zero;
                double yDown = zero;
                for (Series s : series) {
                    long v = s.values()[i];
                    if (v == 0) {
                        continue;
                    }
                    double h = plotH * v / range;
                    String tip = bucket.label(buckets.get(i)) + " · " + s.name() + ": " + count(v) + " " + unit;
                    if (s.negative()) {
                        svg.rect("bar", x, yDown, barW, h, s.color(), tip);
                        yDown += h;
                    } else {
                        yUp -= h;
                        svg.rect("bar", x, yUp, barW, h, s.color(), tip);
                    }
                }
            }
        }
        return svg.end();
    }
}
