package dev.whittle.core.recipe;

import dev.whittle.core.quant.QuantReportMaps;
import dev.whittle.core.transform.LayerReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report of an applied recipe as plain maps and lists, keys in a fixed order, for JSON
 * output ({@code whittle apply --report}, the workbench's export). Every layer entry has the
 * same keys, the union of pruning, low-rank and quantization's; a key that does not apply to
 * the entry's method is null. Keys are listed in docs/recipes.md.
 */
public final class RecipeReportJson {
    private RecipeReportJson() {
    }

    public static Map<String, Object> map(RecipeReport r) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("paramsBefore", r.paramsBefore());
        root.put("paramsAfter", r.paramsAfter());
        root.put("quantParamsAfter", r.quantParamsAfter());
        root.put("bytesBefore", r.bytesBefore());
        root.put("bytesAfter", r.bytesAfter());
        root.put("sizeRatio", r.sizeRatio());
        List<Map<String, Object>> layers = new ArrayList<>();
        for (RecipeReport.Entry e : r.layers()) {
            layers.add(e.transform() != null ? transform(e.step(), e.transform()) : quant(e));
        }
        root.put("layers", layers);
        root.put("factors", r.factors());
        List<Map<String, Object>> acts = new ArrayList<>();
        r.activations().forEach(a -> acts.add(QuantReportMaps.activation(a)));
        root.put("activations", acts);
        return root;
    }

    static Map<String, Object> transform(int step, LayerReport l) {
        Map<String, Object> o = common(step, l.node(), l.weight(), l.method(), l.paramsBefore(), l.paramsAfter(),
                l.bytesBefore(), l.bytesAfter());
        o.put("zeros", l.zeros());
        o.put("sparsity", l.sparsity());
        o.put("rank", l.rank());
        o.put("relError", l.relError());
        o.put("energyKept", l.energyKept());
        o.put("channels", l.channels());
        o.put("skipped", l.skipped());
        o.put("note", l.note());
        quantKeys(o, null);
        return o;
    }

    static Map<String, Object> quant(RecipeReport.Entry e) {
        dev.whittle.core.quant.LayerReport q = e.quant();
        Map<String, Object> o = common(e.step(), q.node(), q.weight(), "quantize " + q.format().key(), e.quantParams(),
                e.quantParams(), q.bytesBefore(), q.bytesAfter());
        for (String k : List.of("zeros", "sparsity", "rank", "relError", "energyKept", "channels", "skipped", "note")) {
            o.put(k, null);
        }
        quantKeys(o, QuantReportMaps.layer(q));
        return o;
    }

    private static Map<String, Object> common(int step, String node, String weight, String method, long paramsBefore,
                                              long paramsAfter, long bytesBefore, long bytesAfter) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("step", step);
        o.put("node", node);
        o.put("weight", weight);
        o.put("method", method);
        o.put("paramsBefore", paramsBefore);
        o.put("paramsAfter", paramsAfter);
        o.put("bytesBefore", bytesBefore);
        o.put("bytesAfter", bytesAfter);
        return o;
    }

    private static final List<String> QUANT_KEYS = List.of("bits", "symmetric", "granularity", "block", "range", "scaleMin",
            "scaleMax", "zeroPointMin", "zeroPointMax", "clipped", "sqnrDb");

    private static void quantKeys(Map<String, Object> o, Map<String, Object> q) {
        for (String k : QUANT_KEYS) {
            o.put(k, q == null ? null : q.get(k));
        }
    }
}
