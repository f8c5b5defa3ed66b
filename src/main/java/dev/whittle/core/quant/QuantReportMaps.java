package dev.whittle.core.quant;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The quantization report as plain maps and lists for JSON (the CLI's --report, and the per
 * layer fields {@code whittle apply} adds: bits, granularity, scaleMin, scaleMax, clipped,
 * sqnrDb, bytesAfter). Non-finite numbers become null. Scale and zero-point arrays are included
 * when a layer has at most {@link #MAX_LISTED} groups.
 */
public final class QuantReportMaps {
    public static final int MAX_LISTED = 1024;

    private QuantReportMaps() {
    }

    public static Map<String, Object> report(QuantReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("alreadyQuantized", r.alreadyQuantized());
        m.put("weightBytesBefore", r.weightBytesBefore());
        m.put("weightBytesAfter", r.weightBytesAfter());
        List<Map<String, Object>> layers = new ArrayList<>();
        r.layers().forEach(l -> layers.add(layer(l)));
        m.put("layers", layers);
        List<Map<String, Object>> acts = new ArrayList<>();
        r.activations().forEach(a -> acts.add(activation(a)));
        m.put("activations", acts);
        m.put("messages", r.messages());
        return m;
    }

    public static Map<String, Object> layer(LayerReport l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node", l.node());
        m.put("op", l.op());
        m.put("weight", l.weight());
        m.put("format", l.format().key());
        m.put("bits", l.bits());
        m.put("symmetric", l.symmetric());
        if (l.int8Layout() != null && l.int8Layout() != Int8Layout.FULL) {
            // Only the safe layouts are named, so reports of full-range models read as before.
            m.put("int8Layout", l.int8Layout().key());
        }
        m.put("granularity", l.granularity().key());
        m.put("block", l.block());
        m.put("range", l.range());
        m.put("scaleMin", num(l.scaleMin()));
        m.put("scaleMax", num(l.scaleMax()));
        m.put("zeroPointMin", l.zeroPointMin());
        m.put("zeroPointMax", l.zeroPointMax());
        m.put("clipLo", num(l.clipLo()));
        m.put("clipHi", num(l.clipHi()));
        m.put("clipped", l.clipped());
        m.put("sqnrDb", num(l.sqnrDb()));
        m.put("bytesBefore", l.bytesBefore());
        m.put("bytesAfter", l.bytesAfter());
        m.put("groups", l.groups());
        if (l.groups() <= MAX_LISTED) {
            m.put("scales", l.scales());
            m.put("zeroPoints", l.zeroPoints());
        }
        return m;
    }

    public static Map<String, Object> activation(ActivationReport a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tensor", a.tensor());
        m.put("readers", a.readers());
        m.put("output", a.output());
        m.put("bits", a.bits());
        m.put("symmetric", a.symmetric());
        m.put("calibration", a.calibration());
        m.put("lo", num(a.lo()));
        m.put("hi", num(a.hi()));
        m.put("scale", num(a.scale()));
        m.put("zeroPoint", a.zeroPoint());
        m.put("min", num(a.min()));
        m.put("max", num(a.max()));
        m.put("values", a.values());
        Map<String, Object> ranges = new LinkedHashMap<>();
        a.ranges().forEach((k, v) -> ranges.put(k, new Object[] {num(v[0]), num(v[1])}));
        m.put("ranges", ranges);
        return m;
    }

    private static Double num(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
