package dev.whittle.ui;

import java.util.Locale;

/** Human-readable numbers for the workbench: byte sizes, counts, weights. */
public final class Format {
    private Format() {
    }

    public static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        double v = b;
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }

    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** A short count for summaries: 22.7M, 147.5k, 950. */
    public static String shortCount(long n) {
        if (n < 10_000) {
            return count(n);
        }
        if (n < 1_000_000) {
            return String.format(Locale.ROOT, "%.1fk", n / 1e3);
        }
        if (n < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.1fM", n / 1e6);
        }
        return String.format(Locale.ROOT, "%.2fG", n / 1e9);
    }

    /** A weight value with 4 significant digits; scientific notation when very small or large. */
    public static String number(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+inf" : "-inf";
        }
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (a < 1e-3 || a >= 1e5) {
            return String.format(Locale.ROOT, "%.3e", v);
        }
        String s = String.format(Locale.ROOT, "%.4g", v);
        return s.contains(".") && !s.contains("e") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    public static String percent(double fraction) {
        if (fraction > 0 && fraction < 0.0001) {
            return String.format(Locale.ROOT, "%.2e %%", fraction * 100);
        }
        return String.format(Locale.ROOT, "%.2f %%", fraction * 100);
    }
}
