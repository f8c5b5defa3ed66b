package dev.whittle.cli;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.tensor.GateStatistics;
import dev.whittle.core.tensor.Histogram;
import dev.whittle.core.tensor.WeightStatistics;
import dev.whittle.core.tensor.WeightStats;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code whittle stats MODEL [--layer NAME] [--bins N] [--json]}: weight statistics per layer. */
@Command(name = "stats", description = "Weight statistics of each weight layer (or one, with --layer).")
final class StatsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file.")
    Path model;

    @Option(names = "--layer", paramLabel = "NAME", description = "Only this layer (node or weight name).")
    String layer;

    @Option(names = "--bins", paramLabel = "N", defaultValue = "32", description = "Histogram bins (default: ${DEFAULT-VALUE}).")
    int bins;

    @Option(names = "--json", description = "Print JSON (keys documented in the README).")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (bins < 1 || bins > 100_000) {
            throw new BadInputException("--bins must be between 1 and 100000, got " + bins + ".");
        }
        ModelGraph g = OnnxReader.read(model).graph();
        List<WeightLayer> layers = g.weightLayers();
        if (layer != null) {
            layers = List.of(g.layer(layer).orElseThrow(() -> new BadInputException(
                    "No weight layer named '" + layer + "' in " + g.fileName() + " (see: whittle inspect " + model + ").")));
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (WeightLayer l : layers) {
            WeightStats s = WeightStatistics.compute(l.tensor(), bins);
            rows.add(toJson(l, s));
            text.append(text(l, s, layer != null));
        }
        var out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("file", g.fileName());
            root.put("bins", bins);
            root.put("layers", rows);
            out.println(Json.write(root));
        } else {
            out.print(text);
        }
        out.flush();
        return 0;
    }

    static Map<String, Object> toJson(WeightLayer l, WeightStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node", l.node());
        if (!l.graphPath().isEmpty()) {
            m.put("graph", l.graphPath());
        }
        m.put("weight", l.weight());
        List<GateStatistics.Gate> gates = GateStatistics.of(l);
        if (!gates.isEmpty()) {
            m.put("gates", gates.stream().map(g -> {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("gate", g.name());
                o.put("count", g.count());
                o.put("min", g.min());
                o.put("max", g.max());
                o.put("mean", g.mean());
                o.put("std", g.std());
                o.put("zeros", g.zeros());
                return o;
            }).toList());
        }
        m.put("count", s.count());
        m.put("min", finite(s.min()));
        m.put("max", finite(s.max()));
        m.put("mean", finite(s.mean()));
        m.put("std", finite(s.std()));
        m.put("zeros", s.zeros());
        m.put("zeroFraction", s.zeroFraction());
        m.put("nans", s.nans());
        m.put("infs", s.infs());
        m.put("absMax", s.absMax());
        Map<String, Object> p = new LinkedHashMap<>();
        s.absPercentiles().forEach((k, v) -> p.put(pctKey(k), finite(v)));
        m.put("absPercentiles", p);
        m.put("histogram", hist(s.histogram()));
        m.put("logAbsHistogram", hist(s.logHistogram()));
        return m;
    }

    private static Object finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static String pctKey(double p) {
        return p == Math.rint(p) ? "p" + (long) p : "p" + Double.toString(p);
    }

    private static Map<String, Object> hist(Histogram h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(h.log() ? "log10Lo" : "lo", h.lo());
        m.put(h.log() ? "log10Hi" : "hi", h.hi());
        if (h.log()) {
            m.put("zeros", h.zeros());
        }
        m.put("counts", h.counts());
        return m;
    }

    private static String text(WeightLayer l, WeightStats s, boolean withHistogram) {
        StringBuilder sb = new StringBuilder();
        sb.append(l.node()).append(l.graphPath().isEmpty() ? "" : " (in " + l.graphPath() + ")").append("  ")
                .append(l.op()).append(' ').append(l.shapeText()).append("  (")
                .append(Units.count(s.count())).append(" values)\n");
        sb.append(String.format(Locale.ROOT, "  min %.6g  max %.6g  mean %.6g  std %.6g%n", s.min(), s.max(), s.mean(), s.std()));
        sb.append(String.format(Locale.ROOT, "  zeros %s (%.2f%%)  NaN %d  Inf %d%n", Units.count(s.zeros()),
                100 * s.zeroFraction(), s.nans(), s.infs()));
        sb.append("  |w| percentiles:");
        s.absPercentiles().forEach((p, v) -> sb.append(String.format(Locale.ROOT, "  %s %.4g", pctKey(p), v)));
        sb.append('\n');
        for (GateStatistics.Gate g : GateStatistics.of(l)) {
            sb.append(String.format(Locale.ROOT, "  gate %s: min %.6g  max %.6g  mean %.6g  std %.6g  zeros %s%n", g.name(),
                    g.min(), g.max(), g.mean(), g.std(), Units.count(g.zeros())));
        }
        if (withHistogram) {
            Histogram h = s.histogram();
            sb.append("  w (equal-width bins, from .. to)\n");
            long max = Math.max(1, h.maxCount());
            for (int i = 0; i < h.bins(); i++) {
                int bar = (int) Math.round(40.0 * h.counts()[i] / max);
                sb.append(String.format(Locale.ROOT, "  %+11.4g .. %+11.4g %10d %s%n", h.lowerEdge(i), h.upperEdge(i),
                        h.counts()[i], "#".repeat(bar)));
            }
            Histogram lg = s.logHistogram();
            sb.append("  log10|w| (bins of log10 of the nonzero magnitudes; |w| from .. to)\n");
            long lmax = Math.max(1, lg.maxCount());
            for (int i = 0; i < lg.bins(); i++) {
                int bar = (int) Math.round(40.0 * lg.counts()[i] / lmax);
                double e = lg.lo() + i * lg.binWidth();
                sb.append(String.format(Locale.ROOT, "  %+7.3f .. %+7.3f  (%9.3g .. %9.3g) %10d %s%n", e, e + lg.binWidth(),
                        lg.lowerEdge(i), lg.upperEdge(i), lg.counts()[i], "#".repeat(bar)));
            }
            sb.append(String.format(Locale.ROOT, "  exact zeros (not in the log10 bins): %d%n", lg.zeros()));
        }
        return sb.toString();
    }
}
