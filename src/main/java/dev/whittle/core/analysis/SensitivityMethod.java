package dev.whittle.core.analysis;

import dev.whittle.core.BadInputException;
import dev.whittle.core.lowrank.LowRank;
import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.prune.Pruner;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.QuantFormat;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.QuantizeStep;
import dev.whittle.core.quant.Quantizer;
import dev.whittle.core.quant.RangeSpec;
import dev.whittle.core.quant.WeightSpec;
import java.util.List;

/**
 * How a sensitivity sweep compresses each layer, beyond the level: the pruning structure
 * ("unstructured", "channel" or "N:M") and, for quantization, the granularity, block, symmetry
 * and format. The level is the sweep's variable: a sparsity for unstructured and channel
 * pruning (for N:M the pattern fixes it: 1 - N/M, the only level allowed), a bit width for
 * quantization, a rank for low-rank, a share of the layer's weight parameters kept for
 * "lowrank-params" (the recipe's {@code lowrank.params}: one level fits layers of every size). Invalid levels are refused by {@link #checkLevel} before
 * any work.
 */
public record SensitivityMethod(String name, String structure, Granularity granularity, int block, boolean symmetric,
                                QuantFormat format) {
    public SensitivityMethod {
        name = name == null ? "" : name.trim().toLowerCase();
        structure = structure == null ? "unstructured" : structure.trim().toLowerCase();
        granularity = granularity == null ? (format == QuantFormat.MATMULNBITS ? Granularity.BLOCK : Granularity.CHANNEL)
                : granularity;
        format = format == null ? QuantFormat.QDQ : format;
        block = block == 0 && granularity == Granularity.BLOCK ? 32 : block;
        if (!name.equals("prune") && !structure.equals("unstructured")) {
            throw new BadInputException("A pruning structure applies to --method prune only.");
        }
        new PruneSpec(structure.contains(":") ? null : 0.5, null, structure, null, null, null, null, null);
        new WeightSpec(8, symmetric, granularity, granularity == Granularity.BLOCK ? block : 0, RangeSpec.MINMAX);
    }

    /** The defaults: unstructured pruning; symmetric, per-channel QDQ quantization. */
    public static SensitivityMethod of(String name) {
        return new SensitivityMethod(name, null, null, 0, true, null);
    }

    /** The sparsity an N:M structure fixes, or null for other structures. */
    public Double fixedSparsity() {
        if (!structure.contains(":")) {
            return null;
        }
        String[] nm = structure.split(":");
        return 1 - Double.parseDouble(nm[0]) / Double.parseDouble(nm[1]);
    }

    /** Refuses a level the method cannot use, with what it takes instead. */
    public void checkLevel(double level) {
        switch (name) {
            case "prune" -> {
                Double fixed = fixedSparsity();
                if (fixed != null && Math.abs(level - fixed) > 1e-9) {
                    throw new BadInputException("With structure " + structure + " the sparsity is fixed at " + fixed
                            + "; that is the only level, got " + level + ".");
                }
                if (!(level >= 0 && level < 1)) {
                    throw new BadInputException("A pruning level is a sparsity, a fraction between 0 and 1 (e.g. 0.5 for 50%),"
                            + " got " + level + ".");
                }
            }
            case "lowrank-params" -> {
                if (!(level > 0 && level < 1)) {
                    throw new BadInputException("A lowrank-params level is the share of a layer's weight parameters kept,"
                            + " a fraction between 0 and 1 (e.g. 0.25), got " + level + ".");
                }
            }
            case "lowrank" -> {
                if (level < 1 || level != Math.rint(level)) {
                    throw new BadInputException("A low-rank level is a rank, a whole number of at least 1, got " + level + ".");
                }
            }
            case "quantize" -> {
                if (level != 8 && level != 4) {
                    throw new BadInputException("A quantize level is a weight bit width, 8 or 4, got " + level + ".");
                }
                if (format == QuantFormat.MATMULNBITS && level != 4) {
                    throw new BadInputException("Format matmulnbits stores 4-bit weights; the only level is 4, got " + level + ".");
                }
                if (format == QuantFormat.DYNAMIC && level != 8) {
                    throw new BadInputException("Format dynamic stores 8-bit weights; the only level is 8, got " + level + ".");
                }
            }
            default -> {
            }
        }
    }

    /** What the sweep does besides the level, with the defaults spelled out: "unstructured magnitude, per layer". */
    public String describe() {
        return switch (name) {
            case "prune" -> structure.equals("channel") ? "channel (output channels, l1 norm)"
                    : structure.contains(":") ? structure + " (N of every M weights kept along the input)"
                    : "unstructured (smallest |w| first)";
            case "quantize" -> "weights only, " + (symmetric ? "symmetric" : "asymmetric") + ", "
                    + (granularity == Granularity.BLOCK ? "blocks of " + block : "per " + granularity.key()) + ", format "
                    + format.key() + ", range minmax";
            case "lowrank" -> "svd";
            case "lowrank-params" -> "svd, each layer's rank chosen to keep that share of its weight parameters";
            default -> "";
        };
    }

    /** The compressor for this method's settings: a built-in name, or one added with {@link LayerCompressors#register}. */
    LayerCompressor compressor() {
        return switch (name) {
            case "prune" -> (model, layer, level) -> Pruner.apply(model, LayerCompressors.only(layer), structure.contains(":")
                    ? new PruneSpec(null, null, structure, null, null, null, null, null)
                    : new PruneSpec(level, null, structure, null, null, null, null, null)).model();
            case "lowrank" -> (model, layer, level) -> LowRank.apply(model, LayerCompressors.only(layer),
                    LowRankSpec.rank((int) level)).model();
            case "lowrank-params" -> (model, layer, level) -> LowRank.apply(model, LayerCompressors.only(layer),
                    LowRankSpec.params(level)).model();
            case "quantize" -> (model, layer, level) -> {
                WeightSpec w = new WeightSpec((int) level, symmetric, granularity, granularity == Granularity.BLOCK ? block : 0,
                        RangeSpec.MINMAX);
                return Quantizer.apply(model, List.of(new QuantizeStep(LayerCompressors.only(layer),
                        new QuantizeSpec(w, null, format)))).model();
            };
            default -> LayerCompressors.get(name);
        };
    }
}
