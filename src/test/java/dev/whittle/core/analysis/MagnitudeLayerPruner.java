package dev.whittle.core.analysis;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.DataType;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.InitializerEdits;
import dev.whittle.core.onnx.OnnxModel;
import java.util.Arrays;

/**
 * Reference for the sensitivity tests, written independently of core.prune: unstructured magnitude pruning of one float32 weight: zeroes the floor(s * n) entries of
 * smallest |w|, ties broken by position (lower index first). Level = sparsity s in [0, 1].
 */
final class MagnitudeLayerPruner implements LayerCompressor {
    @Override
    public OnnxModel apply(OnnxModel model, WeightLayer layer, double level) {
        if (!(level >= 0 && level <= 1)) {
            throw new BadInputException("A pruning level is a sparsity between 0 and 1, got " + level + ".");
        }
        if (layer.dtype() != DataType.FLOAT || layer.quantized()) {
            throw new BadInputException("Layer " + layer.node() + " has a " + layer.dtype() + (layer.quantized() ? " quantized" : "")
                    + " weight; magnitude pruning works on float32 weights.");
        }
        float[] w = layer.tensor().toFloatArray();
        prune(w, level);
        return InitializerEdits.replaceFloats(model, layer.weight(), w);
    }

    /** Zeroes floor(s * n) smallest-magnitude entries of {@code w} in place. */
    static void prune(float[] w, double s) {
        int k = (int) Math.floor(s * w.length);
        if (k == 0) {
            return;
        }
        // Sort (|w| bits, index) pairs as longs: for non-negative floats the int bits order like the
        // values, so ties fall back to the index. NaN sorts last.
        long[] keys = new long[w.length];
        for (int i = 0; i < w.length; i++) {
            keys[i] = ((long) Float.floatToIntBits(Math.abs(w[i])) << 32) | i;
        }
        Arrays.sort(keys);
        for (int j = 0; j < k; j++) {
            w[(int) keys[j]] = 0f;
        }
    }
}
