package dev.whittle.core.analysis;

import dev.whittle.core.BadInputException;
import dev.whittle.core.lowrank.LowRank;
import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.prune.Pruner;
import dev.whittle.core.select.LayerSelector;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.QuantizeStep;
import dev.whittle.core.quant.Quantizer;
import dev.whittle.core.quant.WeightSpec;
import java.util.List;
import java.util.regex.Pattern;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sensitivity methods by name. "prune": unstructured magnitude pruning of the one layer to a
 * sparsity (level in [0, 1]) by {@link Pruner}; "lowrank": SVD factorization of the one layer to a
 * rank (level = rank, a whole number &gt;= 1) by {@link LowRank}; "lowrank-params": the same, to
 * the rank that keeps a share of the layer's weight parameters (level in (0, 1), as the recipe's
 * {@code lowrank.params}); "quantize": weight-only,
 * symmetric, per-output-channel quantization of the one layer to a bit width (level 8 or 4) by
 * {@link Quantizer}. Others can be added with {@link #register}.
 */
public final class LayerCompressors {
    private static final Map<String, LayerCompressor> BY_NAME = new ConcurrentHashMap<>();

    static {
        for (String name : List.of("prune", "lowrank", "lowrank-params", "quantize")) {
            SensitivityMethod defaults = SensitivityMethod.of(name);
            LayerCompressor c = defaults.compressor();
            BY_NAME.put(name, (model, layer, level) -> {
                defaults.checkLevel(level);
                return c.apply(model, layer, level);
            });
        }
    }

    private LayerCompressors() {
    }

    /** Adds or replaces a method; the transforms call this to plug in. */
    public static void register(String name, LayerCompressor c) {
        BY_NAME.put(name.toLowerCase(), c);
    }

    public static LayerCompressor get(String name) {
        LayerCompressor c = BY_NAME.get(name == null ? "" : name.toLowerCase());
        if (c == null) {
            throw new BadInputException("Unknown sensitivity method '" + name + "'; use one of " + new TreeMap<>(BY_NAME).keySet() + ".");
        }
        return c;
    }

    /** A selector of exactly this layer (its node name, matched in full). */
    static LayerSelector only(WeightLayer layer) {
        return LayerSelector.names(Pattern.quote(layer.node()));
    }
}
