package dev.whittle.cli;

import java.util.Locale;

/** Human-readable sizes and counts for tables. */
public final class Units {
    private Units() {
    }

    public static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        double v = b;
        String[] u = {"KiB", "MiB", "GiB", "TiB"};
        int i = -1;
        while (v >= 1024 && i < u.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, u[i]);
    }

    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
