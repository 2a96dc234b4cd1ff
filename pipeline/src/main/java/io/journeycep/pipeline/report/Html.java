package io.journeycep.pipeline.report;

import java.util.Locale;

/** Escaping of text from the database for HTML (and inline SVG, which the HTML parser reads the same way). */
public final class Html {
    private Html() {}

    /**
     * {@code text} safe as element content and as a quoted attribute value: {@code & < > " '} become entities, and
     * control characters other than tab, newline and carriage return become U+FFFD. {@code null} becomes "".
     */
    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&':
                    b.append("&amp;");
                    break;
                case '<':
                    b.append("&lt;");
                    break;
                case '>':
                    b.append("&gt;");
                    break;
                case '"':
                    b.append("&quot;");
                    break;
                case '\'':
                    b.append("&#39;");
                    break;
                default:
                    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
                        b.append('\uFFFD');
                    } else {
                        b.append(c);
                    }
            }
        }
        return b.toString();
    }

    /** A count with thousands separators: 12,345. */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** A count and a noun, plural unless it is 1: "1 alert", "2 alerts". */
    public static String count(long n, String noun) {
        return count(n) + " " + noun + (n == 1 ? "" : "s");
    }

    /** A share as a percentage with one decimal (or two below 1 %): 42.5 %. */
    public static String percent(double share) {
        double p = share * 100;
        if (p > 0 && p < 1) {
            return String.format(Locale.ROOT, "%.2f %%", p);
        }
        return String.format(Locale.ROOT, "%.1f %%", p);
    }

    /** A coordinate for SVG: at most one decimal, never in exponent notation. */
    static String num(double v) {
        long tenths = Math.round(v * 10);
        return tenths % 10 == 0 ? Long.toString(tenths / 10) : String.format(Locale.ROOT, "%.1f", tenths / 10.0);
    }
}
