package dev.whittle.core.recipe;

import dev.whittle.core.BadInputException;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.QuantizeSpecs;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A step's {@code quantize} block as written in the recipe (docs/recipes.md): absent keys are
 * null and take their defaults when the block becomes a quantization spec. {@code weights},
 * {@code activations} and {@code format} are the three settings a later step can override
 * separately on a layer.
 *
 * @param format qdq (default) | matmulnbits | dynamic
 * @param biasCorrection add each quantized layer's expected output shift, (W - Ŵ)ᵀ·mean(x) on the
 *                       calibration data, to its bias (default false)
 * @param smooth         SmoothQuant's migration strength alpha in [0, 1] (null: no smoothing)
 */
public record QuantizeSettings(Weights weights, Activations activations, String format, Boolean biasCorrection,
                               Double smooth) {
    public QuantizeSettings {
        if (weights == null && activations == null && format == null) {
            throw new BadInputException("quantize needs at least one of weights, activations or format.");
        }
        if (biasCorrection != null && weights == null) {
            throw new BadInputException("quantize.biasCorrection corrects this step's quantized weights: give weights in the"
                    + " same step.");
        }
        if (smooth != null && (smooth < 0 || smooth > 1 || smooth.isNaN())) {
            throw new BadInputException("quantize.smooth is the migration strength alpha, in [0, 1]; got " + smooth + ".");
        }
        if (smooth != null && activations == null) {
            throw new BadInputException("quantize.smooth balances activations against weights for W8A8: give activations in the"
                    + " same step.");
        }
        QuantizeSpecs.fromMap(toMap(weights, activations, format), "quantize");
    }

    public QuantizeSettings(Weights weights, Activations activations, String format) {
        this(weights, activations, format, null, null);
    }

    /** Whether this step asks for bias correction of the weights it quantizes (needs calibration data). */
    public boolean correctsBias() {
        return Boolean.TRUE.equals(biasCorrection);
    }

    /** This block as a quantization spec, defaults filled in per block (null blocks stay null: "not set here"). */
    public QuantizeSpec spec() {
        QuantizeSpec q = QuantizeSpecs.fromMap(toMap(), "quantize");
        return correctsBias() ? new QuantizeSpec(q.weights().withBiasCorrection(true), q.activations(), q.format()) : q;
    }

    /**
     * {@code quantize.weights}.
     *
     * @param bits        8 | 4
     * @param symmetric   signed codes with zero point 0 (default) or unsigned with a zero point
     * @param granularity tensor | channel | block
     * @param block       16 to 256 weights per block along the input dimension
     * @param range       minmax | "percentile:P" | mse | [lo, hi] (a String or a two-number list)
     * @param int8Layout  full | reduced | uint8: how symmetric 8-bit codes are stored; absent means
     *                    uint8 when the layer's activations are quantized (static or dynamic
     *                    format), else full
     * @param method      rtn (default): round to nearest | gptq: GPTQ rounding with error feedback,
     *                    from the layer's input statistics on the calibration data
     */
    public record Weights(Integer bits, Boolean symmetric, String granularity, Integer block, Object range,
                          String int8Layout, String method) {
        public Weights {
            if (method != null && !method.equals("rtn") && !method.equals("gptq")) {
                throw new BadInputException("quantize.weights.method must be rtn or gptq, got '" + method + "'.");
            }
        }

        /** Round to nearest. */
        public Weights(Integer bits, Boolean symmetric, String granularity, Integer block, Object range,
                       String int8Layout) {
            this(bits, symmetric, granularity, block, range, int8Layout, null);
        }

        /** Without an int8 layout (the quantizer's default applies). */
        public Weights(Integer bits, Boolean symmetric, String granularity, Integer block, Object range) {
            this(bits, symmetric, granularity, block, range, null, null);
        }

        /** Whether codes are chosen by GPTQ (calibration data needed) rather than round to nearest. */
        public boolean gptq() {
            return "gptq".equals(method);
        }
    }

    /**
     * {@code quantize.activations}: static activation quantization, calibrated on the recipe's
     * {@code calibration} data.
     *
     * @param calibration minmax | "percentile:P" | entropy | mse
     * @param outputs     also quantize the selected layers' outputs
     * @param overrides   per activation tensor (or node reading it)
     * @param placement   layers | graph (null: layers)
     */
    public record Activations(Integer bits, Boolean symmetric, String calibration, Boolean outputs,
                              Map<String, Override> overrides, String placement) {
        public Activations {
            overrides = overrides == null ? null : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
        }

        public Activations(Integer bits, Boolean symmetric, String calibration, Boolean outputs, Map<String, Override> overrides) {
            this(bits, symmetric, calibration, outputs, overrides, null);
        }
    }

    /** One entry of {@code activations.overrides}: leave it in float, force a range, or force bits. */
    public record Override(Boolean exclude, List<Double> range, Integer bits) {
        public Override {
            range = range == null ? null : List.copyOf(range);
        }
    }

    /** The block as plain maps and lists, keys in recipe order, absent keys left out. */
    public Map<String, Object> toMap() {
        return toMap(weights, activations, format);
    }

    private static Map<String, Object> toMap(Weights weights, Activations activations, String format) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (weights != null) {
            Map<String, Object> w = new LinkedHashMap<>();
            put(w, "bits", weights.bits());
            put(w, "symmetric", weights.symmetric());
            put(w, "granularity", weights.granularity());
            put(w, "block", weights.block());
            put(w, "range", weights.range());
            put(w, "int8Layout", weights.int8Layout());
            put(w, "method", weights.method());
            m.put("weights", w);
        }
        if (activations != null) {
            Map<String, Object> a = new LinkedHashMap<>();
            put(a, "bits", activations.bits());
            put(a, "symmetric", activations.symmetric());
            put(a, "calibration", activations.calibration());
            put(a, "outputs", activations.outputs());
            if (activations.overrides() != null) {
                Map<String, Object> o = new LinkedHashMap<>();
                activations.overrides().forEach((k, v) -> {
                    Map<String, Object> e = new LinkedHashMap<>();
                    put(e, "exclude", v.exclude());
                    put(e, "range", v.range());
                    put(e, "bits", v.bits());
                    o.put(k, e);
                });
                a.put("overrides", o);
            }
            put(a, "placement", activations.placement());
            m.put("activations", a);
        }
        put(m, "format", format);
        return m;
    }

    private static void put(Map<String, Object> m, String k, Object v) {
        if (v != null) {
            m.put(k, v);
        }
    }
}
