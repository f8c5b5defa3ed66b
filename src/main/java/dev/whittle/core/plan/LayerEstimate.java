package dev.whittle.core.plan;

import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.preview.Spectrum;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.QuantFormat;
import dev.whittle.core.quant.WeightSpec;

/**
 * One layer's figures after its settings, from shapes alone: channel removal shrinks the
 * weight's output (own) or input (a producer's) dimension; low-rank replaces an m x n matrix by
 * m x r and r x n when that saves parameters; quantization stores each matrix as codes (a byte,
 * or half a byte packed), a float scale and a zero point per group (tensor, output channel or
 * block along the input), or as MatMulNBits' packed blocks. Unstructured and N:M pruning keep
 * dense storage (sparse storage: float values plus int64 indices of the nonzeros).
 */
final class LayerEstimate {
    /** Protobuf bytes of one added tensor beyond its data (name, dims, type). */
    static final long TENSOR_OVERHEAD = 48;
    /** Protobuf bytes of the DequantizeLinear node a QDQ weight adds (names, attributes), measured on the samples. */
    static final long QDQ_NODE_OVERHEAD = 120;

    record Result(Figures before, Figures after, String note) {
    }

    private LayerEstimate() {
    }

    static Result of(ModelFacts.LayerInfo info, ResolvedPlan.Effective e, double inKeep, double outKeep, Spectrum spectrum,
                     dev.whittle.core.preview.LayerFacts facts) {
        var l = info.layer();
        long p = l.params();
        long out = Math.max(1, l.outputChannels());
        long in = p / out;
        // a Gather table is looked up, not multiplied: no MACs
        long macsPerWeight = l.op().equals("Gather") ? 0 : info.positions();
        Figures before = new Figures(p + info.biasParams(), l.bytes() + info.biasBytes(), macsPerWeight * p);
        if (e.untouched() && inKeep == 1 && outKeep == 1) {
            return new Result(before, before, null);
        }
        long in2 = Math.round(in * inKeep);
        long out2 = Math.round(out * outKeep);
        long bias2 = Math.round(info.biasParams() * outKeep);
        long biasBytes2 = Math.round(info.biasBytes() * outKeep);
        String note = null;
        long[][] mats = {{in2, out2}};
        if (e.lowrank() != null) {
            LowRankSpec spec = e.lowrank();
            int r = -1;
            if (spec.energy() == null) {
                r = spec.rankFor((int) out2, (int) in2, null);
            } else if (spectrum != null) {
                r = ModelFacts.rankFor(spectrum, spec);
            } else {
                note = "energy target: the rank is known once the layer's spectrum is computed";
            }
            if (r > 0 && (long) r * (in2 + out2) < in2 * out2) {
                mats = new long[][] {{in2, r}, {r, out2}};
            } else if (r > 0) {
                note = "rank " + r + " saves nothing: the layer stays whole";
            }
        }
        long params = bias2;
        long quantParams = 0;
        long bytes = biasBytes2;
        long macs = 0;
        for (long[] m : mats) {
            long n = m[0] * m[1];
            macs += macsPerWeight * n;
        }
        WeightSpec w = e.quantize() == null ? null : e.quantize().withLayoutDefault().weights();
        if (w == null) {
            for (long[] m : mats) {
                long n = m[0] * m[1];
                params += n;
                bytes += n * info.elementBytes();
                if (e.prune() != null && e.prune().sparseStorage() && mats.length == 1) {
                    // Still n parameters (the model reads it densely); stored as float values plus int64 indices.
                    long nnz = Math.round(n * (1 - sparsity(e, facts)));
                    bytes += nnz * 12 - n * info.elementBytes() + TENSOR_OVERHEAD;
                }
            }
            if (mats.length == 2) {
                bytes += 2 * TENSOR_OVERHEAD;
            }
        } else {
            QuantFormat f = e.quantize().formatOrDefault();
            for (long[] m : mats) {
                long[] pb = quantized(m[0], m[1], w, f, e.layer().op());
                params += pb[0];
                quantParams += pb[2];
                bytes += pb[1];
                if (w.granularity() == Granularity.BLOCK && l.shape().length > 2) {
                    // Conv blocks run over in x kh x kw: the codes are stored 2-D plus the shape to restore.
                    params += l.shape().length;
                    bytes += 8L * l.shape().length + TENSOR_OVERHEAD;
                }
            }
            if (e.quantize().activations() != null) {
                // The input's scale and zero point; a bias becomes int32 codes plus a float scale per element.
                quantParams += 2 + bias2;
                bytes += 5 + 4 * bias2 + 3 * TENSOR_OVERHEAD;
            }
        }
        return new Result(before, new Figures(params, bytes, macs, quantParams), note);
    }

    /**
     * The share an unstructured or N:M prune zeroes; a threshold's share comes from the layer's
     * cached statistics (0 until they are computed).
     */
    private static double sparsity(ResolvedPlan.Effective e, dev.whittle.core.preview.LayerFacts facts) {
        if (e.prune().isNofM()) {
            return 1 - (double) e.prune().keepN() / e.prune().groupM();
        }
        if (e.prune().threshold() != null) {
            return facts == null ? 0 : dev.whittle.core.preview.PrunePreview.atThreshold(facts, e.prune().threshold()).fraction();
        }
        return e.prune().sparsity();
    }

    /**
     * {params, bytes, quantParams} of one in x out matrix quantized as {@code w} in format
     * {@code f}: the codes, the bytes stored, and the scales and zero points (counted apart).
     */
    static long[] quantized(long in, long out, WeightSpec w, QuantFormat f, String op) {
        long n = in * out;
        if (f == QuantFormat.MATMULNBITS && op.equals("MatMul")) {
            long blocks = (in + w.block() - 1) / w.block();
            long packed = out * blocks * (w.block() / 2);
            long scales = out * blocks;
            long zps = w.symmetric() ? 0 : out * ((blocks + 1) / 2);
            return new long[] {packed, packed + 4 * scales + zps + 3 * TENSOR_OVERHEAD, scales + zps};
        }
        long groups = switch (w.granularity()) {
            case TENSOR -> 1;
            case CHANNEL -> out;
            case BLOCK -> out * ((in + w.block() - 1) / w.block());
        };
        if (w.granularity() == Granularity.BLOCK && f == QuantFormat.DYNAMIC) {
            groups = out;
        }
        if (op.equals("Gather") && w.bits() == 8 && w.granularity() == Granularity.CHANNEL) {
            // codes gathered, then dequantized: float scales per row, float zero points only when not 0
            long per = w.unsignedCodes() ? 2 : 1;
            return new long[] {n, n + 4 * per * groups + (1 + per) * TENSOR_OVERHEAD + 3 * QDQ_NODE_OVERHEAD, per * groups};
        }
        long codeBytes = w.bits() == 4 ? (n + 1) / 2 : n;
        long zpBytes = w.bits() == 4 ? (groups + 1) / 2 : groups;
        return new long[] {n, codeBytes + 4 * groups + zpBytes + 2 * TENSOR_OVERHEAD + QDQ_NODE_OVERHEAD, 2 * groups};
    }
}
