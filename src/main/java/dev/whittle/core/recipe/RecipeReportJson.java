package dev.whittle.core.recipe;

import dev.whittle.core.transform.LayerReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report of an applied recipe as plain maps and lists, keys in a fixed order, for JSON
 * output ({@code whittle apply --report}, the workbench's export). Keys are listed in
 * docs/recipes.md; a per-layer key that does not apply to a method is null.
 */
public final class RecipeReportJson {
    private RecipeReportJson() {
    }

    public static Map<String, Object> map(RecipeReport r) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("paramsBefore", r.paramsBefore());
        root.put("paramsAfter", r.paramsAfter());
        root.put("bytesBefore", r.bytesBefore());
        root.put("bytesAfter", r.bytesAfter());
        root.put("sizeRatio", r.sizeRatio());
        List<Map<String, Object>> layers = new ArrayList<>();
        for (RecipeReport.Entry e : r.layers()) {
            layers.add(layer(e));
        }
        root.put("layers", layers);
        return root;
    }

    static Map<String, Object> layer(RecipeReport.Entry e) {
        LayerReport l = e.transform();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("step", e.step());
        o.put("node", l.node());
        o.put("weight", l.weight());
        o.put("method", l.method());
        o.put("paramsBefore", l.paramsBefore());
        o.put("paramsAfter", l.paramsAfter());
        o.put("bytesBefore", l.bytesBefore());
        o.put("bytesAfter", l.bytesAfter());
        o.put("zeros", l.zeros());
        o.put("sparsity", l.sparsity());
        o.put("rank", l.rank());
        o.put("relError", l.relError());
        o.put("energyKept", l.energyKept());
        o.put("channels", l.channels());
        o.put("skipped", l.skipped());
        return o;
    }
}
