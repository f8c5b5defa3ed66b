package dev.whittle.core.quant;

import dev.whittle.core.BadInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a {@link QuantizeSpec} from a recipe's {@code quantize} block given as plain maps and
 * lists (what a JSON/YAML parser produces). Keys as in docs/recipes.md; unknown keys are
 * errors that list the known ones. Defaults: weights bits 8, symmetric, per channel, block 32
 * with granularity block, range minmax, int8Layout chosen by {@link QuantizeSpec#withLayoutDefault()};
 * activations bits 8, asymmetric, calibration minmax, on
 * inputs only; format qdq (with matmulnbits: bits 4 and granularity block unless given).
 */
public final class QuantizeSpecs {
    static final Set<String> TOP = Set.of("weights", "activations", "format");
    static final Set<String> WEIGHTS = Set.of("bits", "symmetric", "granularity", "block", "range", "int8Layout",
            "method");
    static final Set<String> ACTIVATIONS = Set.of("bits", "symmetric", "calibration", "outputs", "overrides", "placement");
    static final Set<String> OVERRIDE = Set.of("exclude", "range", "bits");

    private QuantizeSpecs() {
    }

    /** @param where prefix for messages, e.g. "steps[2].quantize" */
    public static QuantizeSpec fromMap(Map<String, ?> m, String where) {
        known(m, TOP, where);
        QuantFormat format = m.containsKey("format") ? QuantFormat.parse(where + ".format", str(m.get("format"))) : null;
        boolean nbits = format == QuantFormat.MATMULNBITS;
        WeightSpec w = m.get("weights") == null ? null : weights(map(m.get("weights"), where + ".weights"), where + ".weights", nbits);
        ActivationSpec a = m.get("activations") == null ? null
                : activations(map(m.get("activations"), where + ".activations"), where + ".activations");
        return new QuantizeSpec(w, a, format);
    }

    static WeightSpec weights(Map<String, ?> m, String where, boolean nbits) {
        known(m, WEIGHTS, where);
        Granularity g = m.containsKey("granularity") ? Granularity.parse(where + ".granularity", str(m.get("granularity")))
                : nbits ? Granularity.BLOCK : Granularity.CHANNEL;
        int bits = m.containsKey("bits") ? integer(m.get("bits"), where + ".bits") : nbits ? 4 : 8;
        int block = m.containsKey("block") ? integer(m.get("block"), where + ".block") : g == Granularity.BLOCK ? 32 : 0;
        boolean sym = !m.containsKey("symmetric") || bool(m.get("symmetric"), where + ".symmetric");
        Int8Layout layout = m.get("int8Layout") == null ? null : Int8Layout.parse(where + ".int8Layout", str(m.get("int8Layout")));
        if (layout != null && bits != 8) {
            throw new BadInputException(where + ".int8Layout applies to 8-bit weights only, got bits " + bits + ".");
        }
        String method = m.get("method") == null ? "rtn" : str(m.get("method"));
        if (!method.equals("rtn") && !method.equals("gptq")) {
            throw new BadInputException(where + ".method must be rtn or gptq, got '" + method + "'.");
        }
        return new WeightSpec(bits, sym, g, block, range(m.get("range"), where + ".range"), layout, method.equals("gptq"),
                false);
    }

    static ActivationSpec activations(Map<String, ?> m, String where) {
        known(m, ACTIVATIONS, where);
        int bits = m.containsKey("bits") ? integer(m.get("bits"), where + ".bits") : 8;
        boolean sym = m.containsKey("symmetric") && bool(m.get("symmetric"), where + ".symmetric");
        Calibration c = m.containsKey("calibration") ? Calibration.parse(where + ".calibration", str(m.get("calibration")))
                : Calibration.MINMAX;
        boolean outputs = m.containsKey("outputs") && bool(m.get("outputs"), where + ".outputs");
        Map<String, ActivationOverride> overrides = new LinkedHashMap<>();
        if (m.get("overrides") != null) {
            map(m.get("overrides"), where + ".overrides").forEach((k, v) -> overrides.put(k,
                    override(map(v, where + ".overrides." + k), where + ".overrides." + k)));
        }
        ActivationPlacement placement = m.get("placement") == null ? ActivationPlacement.LAYERS
                : ActivationPlacement.parse(where + ".placement", str(m.get("placement")));
        int measureBatch = m.get("placement") == null ? 1 : ActivationPlacement.measureBatch(where + ".placement",
                str(m.get("placement")));
        return new ActivationSpec(bits, sym, c, outputs, overrides, placement, measureBatch);
    }

    static ActivationOverride override(Map<String, ?> m, String where) {
        known(m, OVERRIDE, where);
        boolean exclude = m.containsKey("exclude") && bool(m.get("exclude"), where + ".exclude");
        Double lo = null;
        Double hi = null;
        if (m.get("range") != null) {
            RangeSpec r = range(m.get("range"), where + ".range");
            if (!(r instanceof RangeSpec.Explicit e)) {
                throw new BadInputException(where + ".range must be [lo, hi], got " + m.get("range") + ".");
            }
            lo = e.lo();
            hi = e.hi();
        }
        Integer bits = m.containsKey("bits") ? integer(m.get("bits"), where + ".bits") : null;
        return new ActivationOverride(exclude, lo, hi, bits);
    }

    static RangeSpec range(Object v, String where) {
        if (v == null) {
            return RangeSpec.MINMAX;
        }
        if (v instanceof List<?> l) {
            if (l.size() != 2 || !(l.get(0) instanceof Number lo) || !(l.get(1) instanceof Number hi)) {
                throw new BadInputException(where + " as a list must be [lo, hi], got " + l + ".");
            }
            return new RangeSpec.Explicit(lo.doubleValue(), hi.doubleValue());
        }
        return RangeSpec.parse(where, str(v));
    }

    private static void known(Map<String, ?> m, Set<String> keys, String where) {
        for (String k : m.keySet()) {
            if (!keys.contains(k)) {
                throw new BadInputException(where + " has an unknown key '" + k + "' (known: " + String.join(", ",
                        keys.stream().sorted().toList()) + ").");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> map(Object v, String where) {
        if (v instanceof Map<?, ?> m) {
            return (Map<String, ?>) m;
        }
        throw new BadInputException(where + " must be a mapping, got " + v + ".");
    }

    private static String str(Object v) {
        return v == null ? null : v.toString();
    }

    private static int integer(Object v, String where) {
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.intValue();
        }
        throw new BadInputException(where + " must be a whole number, got " + v + ".");
    }

    private static boolean bool(Object v, String where) {
        if (v instanceof Boolean b) {
            return b;
        }
        throw new BadInputException(where + " must be true or false, got " + v + ".");
    }
}
