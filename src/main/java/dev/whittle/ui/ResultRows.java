package dev.whittle.ui;

import dev.whittle.core.compare.PlanRun;
import dev.whittle.core.eval.LatencyStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The results table's text: metrics with the change against the original ("89.10 % (-1.35)"),
 * a one-line summary for the status bar, the CSV export, and two runs side by side per layer.
 * Pure functions, tested without the toolkit.
 */
final class ResultRows {
    private ResultRows() {
    }

    /** Accuracy in percent, with the change in points against the original. */
    static String accuracy(PlanRun r, PlanRun original) {
        Double a = r.eval().accuracy();
        if (a == null) {
            return "-";
        }
        String s = String.format(Locale.ROOT, "%.2f %%", 100 * a);
        Double o = original == null || r.original() ? null : original.eval().accuracy();
        return o == null ? s : s + String.format(Locale.ROOT, " (%+.2f)", 100 * (a - o));
    }

    static String cosine(PlanRun r) {
        Double c = r.eval().meanCosine();
        return c == null ? "-" : String.format(Locale.ROOT, "%.5f", c);
    }

    static String agreement(PlanRun r) {
        Double a = r.eval().agreement();
        return a == null ? "-" : String.format(Locale.ROOT, "%.2f %%", 100 * a);
    }

    static String sqnr(PlanRun r) {
        Double s = r.eval().outputSqnrDb();
        return s == null ? "-" : s.isInfinite() ? "exact" : String.format(Locale.ROOT, "%.1f dB", s);
    }

    /** p50 in ms, with the ratio to the original's ("0.412 ms (x0.61)"). */
    static String latency(LatencyStats l, LatencyStats original) {
        if (l == null) {
            return "-";
        }
        String s = ms(l.p50());
        return original == null || original == l || original.p50() == 0 ? s
                : s + String.format(Locale.ROOT, " (x%.2f)", l.p50() / original.p50());
    }

    static String ms(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f ms", v) : v >= 1 ? String.format(Locale.ROOT, "%.2f ms", v)
                : String.format(Locale.ROOT, "%.3f ms", v);
    }

    /** Size on disk, with the change in percent against the original. */
    static String size(PlanRun r, PlanRun original) {
        String s = Format.bytes(r.eval().modelBytes());
        if (original == null || r.original() || original.eval().modelBytes() == 0) {
            return s;
        }
        return s + String.format(Locale.ROOT, " (%+.0f %%)", 100.0 * (r.eval().modelBytes() - original.eval().modelBytes())
                / original.eval().modelBytes());
    }

    static String params(PlanRun r) {
        return r.params() == 0 ? "-" : Format.shortCount(r.params());
    }

    static String runtime(PlanRun r) {
        var rt = r.eval().runtime();
        return rt == null ? "-" : rt.provider() + ", " + rt.threads() + (rt.threads() == 1 ? " thread" : " threads");
    }

    /** One line for the status bar: the quality figure and the size, against the original. */
    static String summary(PlanRun r, PlanRun original) {
        List<String> parts = new ArrayList<>();
        if (r.eval().accuracy() != null) {
            parts.add("accuracy " + accuracy(r, original));
        }
        if (r.eval().meanCosine() != null && !r.original()) {
            parts.add("cosine to the original " + cosine(r));
        }
        parts.add("size " + size(r, original));
        if (r.latency1() != null) {
            parts.add("p50 " + ms(r.latency1().p50()) + " at batch 1");
        }
        return String.join(", ", parts);
    }

    /** The runs as CSV: one row each, plain numbers (fractions, bytes, ms), quoted names. */
    static String csv(List<PlanRun> runs) {
        StringBuilder b = new StringBuilder("name,original,data,samples,batch,accuracy,agreement,mean_cosine,output_sqnr_db,"
                + "latency_p50_ms_batch1,latency_p50_ms_batchN,model_bytes,params,provider,threads,ort_version,cpu,vnni,time\n");
        for (PlanRun r : runs) {
            var e = r.eval();
            b.append(quote(r.name())).append(',').append(r.original()).append(',').append(quote(e.data())).append(',')
                    .append(e.samples()).append(',').append(e.batch()).append(',').append(num(e.accuracy())).append(',')
                    .append(num(e.agreement())).append(',').append(num(e.meanCosine())).append(',')
                    .append(num(e.outputSqnrDb() != null && e.outputSqnrDb().isInfinite() ? null : e.outputSqnrDb())).append(',')
                    .append(num(r.latency1() == null ? null : r.latency1().p50())).append(',')
                    .append(num(r.latencyN() == null ? null : r.latencyN().p50())).append(',').append(e.modelBytes()).append(',')
                    .append(r.params()).append(',').append(e.runtime() == null ? "" : e.runtime().provider()).append(',')
                    .append(e.runtime() == null ? "" : e.runtime().threads()).append(',')
                    .append(e.runtime() == null ? "" : e.runtime().ortVersion()).append(',')
                    .append(e.runtime() == null || e.runtime().cpu() == null ? "" : quote(e.runtime().cpu().name())).append(',')
                    .append(e.runtime() == null || e.runtime().cpu() == null || e.runtime().cpu().vnni() == null ? ""
                            : e.runtime().cpu().vnni()).append(',')
                    .append(quote(e.time())).append('\n');
        }
        return b.toString();
    }

    private static String num(Double v) {
        return v == null ? "" : String.format(Locale.ROOT, "%.6g", v);
    }

    static String quote(String s) {
        return s == null ? "" : "\"" + s.replace("\"", "\"\"") + "\"";
    }

    /** One layer of two runs side by side: each run's settings and weight error (empty when untouched). */
    record LayerPair(String node, String settingsA, String errorA, String settingsB, String errorB) {
    }

    /** Every layer either run touches, in the order the runs list them (a's first). */
    static List<LayerPair> compare(PlanRun a, PlanRun b) {
        Map<String, PlanRun.LayerRow> ra = byNode(a);
        Map<String, PlanRun.LayerRow> rb = byNode(b);
        LinkedHashMap<String, Boolean> nodes = new LinkedHashMap<>();
        ra.keySet().forEach(n -> nodes.put(n, true));
        rb.keySet().forEach(n -> nodes.put(n, true));
        List<LayerPair> out = new ArrayList<>();
        for (String n : nodes.keySet()) {
            PlanRun.LayerRow x = ra.get(n);
            PlanRun.LayerRow y = rb.get(n);
            out.add(new LayerPair(n, x == null ? "" : x.settings(), error(x), y == null ? "" : y.settings(), error(y)));
        }
        return out;
    }

    private static Map<String, PlanRun.LayerRow> byNode(PlanRun r) {
        Map<String, PlanRun.LayerRow> m = new LinkedHashMap<>();
        for (PlanRun.LayerRow l : r.layers()) {
            m.put(l.node(), l);
        }
        return m;
    }

    /** "12.3 % (18.2 dB)": the relative weight error and its SQNR. */
    static String error(PlanRun.LayerRow l) {
        if (l == null || l.relativeError() == null) {
            return "";
        }
        String db = l.sqnrDb() == null ? "" : l.sqnrDb().isInfinite() ? " (exact)" : String.format(Locale.ROOT, " (%.1f dB)", l.sqnrDb());
        return String.format(Locale.ROOT, "%.2f %%", 100 * l.relativeError()) + db;
    }
}
