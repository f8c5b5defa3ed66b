package dev.whittle.cli;

import dev.whittle.core.quant.ActivationReport;
import dev.whittle.core.quant.Int8Layout;
import dev.whittle.core.quant.LayerReport;
import dev.whittle.core.quant.QuantReport;
import java.nio.file.Path;
import java.util.Locale;

/** The plain-text summary {@code whittle quantize} prints. */
final class QuantizeText {
    private QuantizeText() {
    }

    static String render(QuantReport r, String model, long before, Path output, long after) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s (%s) -> %s (%s), %.2fx smaller%n", model, Units.bytes(before),
                output.getFileName(), Units.bytes(after), after > 0 ? (double) before / after : 0));
        sb.append(String.format(Locale.ROOT, "%d layers quantized: weights %s -> %s%n%n", r.layers().size(),
                Units.bytes(r.weightBytesBefore()), Units.bytes(r.weightBytesAfter())));
        if (!r.layers().isEmpty()) {
            Table t = new Table("node", "op", "format", "bits", "granularity", "scale min", "scale max", "clipped", "SQNR dB", "size");
            for (LayerReport l : r.layers()) {
                t.row(l.node(), l.op(), l.format().key(), l.bits() + (l.symmetric() ? " sym" : " asym")
                                + (l.int8Layout() != null && l.int8Layout() != Int8Layout.FULL ? " " + l.int8Layout().key() : ""),
                        l.granularity().key() + (l.block() > 0 ? " " + l.block() : ""), sci(l.scaleMin()), sci(l.scaleMax()),
                        String.format(Locale.ROOT, "%.3f%%", l.clipped() * 100),
                        Double.isFinite(l.sqnrDb()) ? String.format(Locale.ROOT, "%.1f", l.sqnrDb()) : "exact",
                        Units.bytes(l.bytesBefore()) + " -> " + Units.bytes(l.bytesAfter()));
            }
            sb.append(t.render());
        }
        if (!r.activations().isEmpty()) {
            sb.append('\n');
            Table t = new Table("activation", "bits", "chosen by", "range", "scale", "zp", "minmax", "percentile", "entropy", "mse");
            for (ActivationReport a : r.activations()) {
                String pct = a.ranges().keySet().stream().filter(k -> k.startsWith("percentile")).findFirst().orElse("");
                t.row(a.tensor() + (a.output() ? " (out)" : ""), Integer.toString(a.bits()), a.calibration(),
                        range(a.lo(), a.hi()), sci(a.scale()), Integer.toString(a.zeroPoint()),
                        range(a.ranges().get("minmax")), range(a.ranges().get(pct)), range(a.ranges().get("entropy")),
                        range(a.ranges().get("mse")));
            }
            sb.append(t.render());
        }
        return sb.toString();
    }

    private static String sci(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }

    private static String range(double[] r) {
        return r == null ? "-" : range(r[0], r[1]);
    }

    private static String range(double lo, double hi) {
        return String.format(Locale.ROOT, "[%.3g, %.3g]", lo, hi);
    }
}
