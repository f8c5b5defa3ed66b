package dev.whittle.core.recipe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import dev.whittle.core.InternalException;
import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.quant.ActivationSpec;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.RangeSpec;
import dev.whittle.core.quant.WeightSpec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes recipes as YAML that {@link Recipe#read} reads back to an equal recipe: keys in a fixed
 * order (whittle, model, calibration, steps, provenance; within a step select, then prune,
 * lowrank, quantize), each setting written out, including defaults that matter for it, so the
 * file does not depend on a later Whittle's defaults. The same recipe gives the same text.
 */
public final class RecipeWriter {
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .stringQuotingChecker(new SexagesimalQuoting())
            .build());

    /** Also quotes "2:4" and the like, which YAML 1.1 readers (PyYAML, ...) take for base-60 integers. */
    private static final class SexagesimalQuoting extends StringQuotingChecker.Default {
        private static final long serialVersionUID = 1L;
        private static final java.util.regex.Pattern BASE_60 = java.util.regex.Pattern.compile("[-+]?[0-9][0-9_]*(:[0-9_]+)+(\\.[0-9_]*)?");

        @Override
        public boolean needToQuoteValue(String value) {
            return super.needToQuoteValue(value) || BASE_60.matcher(value).matches();
        }
    }

    private RecipeWriter() {
    }

    /** The recipe as YAML text; {@code provenance}, when not null, replaces the recipe's own. */
    public static String toYaml(Recipe recipe, Provenance provenance) {
        try {
            return YAML.writeValueAsString(tree(recipe, provenance));
        } catch (JsonProcessingException e) {
            throw new InternalException("Cannot write the recipe as YAML: " + e.getOriginalMessage(), e);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The recipe's meaning as compact JSON, the same for every spelling of it: version, the
     * calibration (the data's file name, not its folder, and the samples) and the steps, each
     * setting written out as {@link #toYaml} does, keys in a fixed order; no model reference,
     * provenance, comments or layout. Recorded in the models that {@code apply} writes.
     */
    public static String canonicalJson(Recipe r) {
        Calibration c = r.calibration();
        Calibration named = c == null ? null : new Calibration(c.data() == null ? null
                : String.valueOf(Path.of(c.data()).getFileName()), c.samples());
        Map<String, Object> tree = tree(new Recipe(r.whittle(), null, named, r.steps(), null), null);
        try {
            return JSON.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new InternalException("Cannot write the recipe as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Writes {@link #toYaml} to {@code file} atomically (a temporary file renamed over it). */
    public static void write(Recipe recipe, Provenance provenance, Path file) {
        dev.whittle.core.io.AtomicWrite.text(file, toYaml(recipe, provenance));
    }

    static Map<String, Object> tree(Recipe r, Provenance provenance) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("whittle", r.whittle());
        if (r.model() != null) {
            Map<String, Object> m = new LinkedHashMap<>();
            putIf(m, "file", r.model().file());
            putIf(m, "sha256", r.model().sha256());
            root.put("model", m);
        }
        if (r.calibration() != null) {
            Map<String, Object> c = new LinkedHashMap<>();
            putIf(c, "data", r.calibration().data());
            putIf(c, "samples", r.calibration().samples());
            root.put("calibration", c);
        }
        root.put("steps", r.steps().stream().map(RecipeWriter::step).toList());
        if (provenance != null) {
            root.put("provenance", provenance(provenance));
        } else if (r.provenance() != null && !r.provenance().isNull()) {
            root.put("provenance", r.provenance());
        }
        return root;
    }

    private static Map<String, Object> step(Step s) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> sel = new LinkedHashMap<>();
        putList(sel, "ops", s.select().ops());
        putList(sel, "names", s.select().names());
        putList(sel, "exclude", s.select().exclude());
        if (s.select().graphs() != null) {
            sel.put("graphs", s.select().graphs());
        }
        out.put("select", sel);
        if (s.prune() != null) {
            out.put("prune", prune(s.prune()));
        }
        if (s.lowrank() != null) {
            out.put("lowrank", lowrank(s.lowrank()));
        }
        if (s.quantize() != null) {
            out.put("quantize", quantize(s.quantize()));
        }
        if (s.reconstructAuto()) {
            out.put("reconstruct", Map.of("damp", "auto"));
        } else if (s.reconstructDamp() != null) {
            out.put("reconstruct", Map.of("damp", s.reconstructDamp()));
        }
        return out;
    }

    private static Map<String, Object> prune(PruneSpec p) {
        Map<String, Object> m = new LinkedHashMap<>();
        putIf(m, "sparsity", p.sparsity());
        putIf(m, "threshold", p.threshold());
        m.put("structure", p.structure());
        if (p.structure().equals("unstructured")) {
            m.put("scope", p.scope());
            putIf(m, "minSparsity", p.minSparsity());
            putIf(m, "maxSparsity", p.maxSparsity());
        }
        if (p.isChannel()) {
            m.put("criterion", p.criterion());
        } else {
            if (p.dataAware()) {
                m.put("criterion", p.criterion());
            }
            m.put("storage", p.storage());
        }
        return m;
    }

    private static Map<String, Object> lowrank(LowRankSpec l) {
        Map<String, Object> m = new LinkedHashMap<>();
        putIf(m, "rank", l.rank());
        putIf(m, "energy", l.energy());
        putIf(m, "params", l.params());
        m.put("method", l.method());
        if (l.whiten()) {
            m.put("whiten", true);
        }
        return m;
    }

    /** The blocks the step gives, each with its defaults filled in; a block not given stays out (it would override). */
    private static Map<String, Object> quantize(QuantizeSettings q) {
        QuantizeSpec spec = q.spec();
        Map<String, Object> m = new LinkedHashMap<>();
        if (spec.weights() != null) {
            WeightSpec w = spec.weights();
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("bits", w.bits());
            o.put("symmetric", w.symmetric());
            o.put("granularity", w.granularity().key());
            if (w.granularity() == Granularity.BLOCK) {
                o.put("block", w.block());
            }
            o.put("range", w.range() instanceof RangeSpec.Explicit e ? List.of(e.lo(), e.hi()) : w.range().toString());
            if (w.int8Layout() != null) {
                // Only when the recipe chose one: the default depends on the merged activations.
                o.put("int8Layout", w.int8Layout().key());
            }
            if (q.weights() != null && q.weights().gptq()) {
                o.put("method", "gptq");
            }
            m.put("weights", o);
        }
        if (spec.activations() != null) {
            ActivationSpec a = spec.activations();
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("bits", a.bits());
            o.put("symmetric", a.symmetric());
            o.put("calibration", a.calibration().toString());
            o.put("outputs", a.outputs());
            Object overrides = q.toMap().get("activations") instanceof Map<?, ?> raw ? raw.get("overrides") : null;
            if (overrides != null) {
                o.put("overrides", overrides);
            }
            if (a.placement() != dev.whittle.core.quant.ActivationPlacement.LAYERS) {
                o.put("placement", a.placementText()); // only when chosen: recipes written before stay byte-identical
            }
            m.put("activations", o);
        }
        if (spec.format() != null) {
            m.put("format", spec.format().key());
        }
        if (q.correctsBias()) {
            m.put("biasCorrection", true);
        }
        if (q.smooth() != null) {
            m.put("smooth", q.smooth());
        }
        return m;
    }

    private static Map<String, Object> provenance(Provenance p) {
        Map<String, Object> m = new LinkedHashMap<>();
        putIf(m, "whittle", p.whittle());
        putIf(m, "onnxruntime", p.onnxruntime());
        putIf(m, "date", p.date());
        m.put("metrics", p.metrics());
        return m;
    }

    private static void putIf(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    private static void putList(Map<String, Object> m, String key, List<String> values) {
        if (!values.isEmpty()) {
            m.put(key, values);
        }
    }
}
