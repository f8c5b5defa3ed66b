package dev.whittle.core.transform;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.DataType;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.select.LayerSelector;
import java.util.List;

/** Checks shared by the transforms: which selected layers they can touch, and bad input. */
public final class WeightChecks {
    private WeightChecks() {
    }

    /** Why a transform cannot edit this layer's weight at all, or null when it can. */
    public static String unsupported(WeightLayer l) {
        if (l.quantized()) {
            return "the weight is already quantized";
        }
        if (!editable(l.dtype())) {
            return "the weight is " + l.dtype() + "; only float32, float16 and bfloat16 weights are supported";
        }
        return null;
    }

    /** Why a method other than quantization and unstructured pruning leaves a recurrent layer alone, or null. */
    public static String recurrent(WeightLayer l, String method) {
        return l.recurrent() ? method + " is not supported for recurrent layers (" + l.op() + " reads its W and R"
                + " whole, gate by gate; quantization and unstructured pruning are)" : null;
    }

    /**
     * Whether the transforms edit weights of this type: they compute in float32 and write the
     * result back in the weight's own type (float16 and bfloat16 round to nearest even).
     */
    public static boolean editable(DataType t) {
        return t == DataType.FLOAT || t == DataType.FLOAT16 || t == DataType.BFLOAT16;
    }

    /** A report for a selected layer left alone. */
    public static LayerReport skip(WeightLayer l, String method, String reason) {
        long zeros = 0;
        if (l.tensor().isNumeric() && l.params() < Integer.MAX_VALUE - 8) {
            zeros = zeros(l.tensor().toFloatArray());
        }
        return LayerReport.skipped(l.node(), l.weight(), method, l.params(), l.bytes(), zeros, reason);
    }

    /** Fails when the selector matches no layer: a recipe step that does nothing is a mistake. */
    public static List<WeightLayer> select(dev.whittle.core.onnx.OnnxModel model, LayerSelector selector, String step) {
        List<WeightLayer> layers = selector.select(model.graph());
        if (layers.isEmpty()) {
            throw new BadInputException(step + ": " + selector + " matches no weight layer of " + model.graph().fileName() + ".");
        }
        return layers;
    }

    /** Fails on NaN (and infinite) weights, which no magnitude or SVD criterion can rank. */
    public static void requireFinite(WeightLayer l, float[] w) {
        for (float v : w) {
            if (!Float.isFinite(v)) {
                throw new BadInputException("Layer '" + l.node() + "': weight '" + l.weight() + "' holds "
                        + (Float.isNaN(v) ? "NaN" : "infinite") + " values; nothing was written.");
            }
        }
    }

    public static long zeros(float[] w) {
        long z = 0;
        for (float v : w) {
            if (v == 0f) {
                z++;
            }
        }
        return z;
    }

    /** ||a - b||_F / ||a||_F in double precision (0 for a zero tensor left unchanged). */
    public static double relError(float[] a, float[] b) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            num += d * d;
            den += (double) a[i] * a[i];
        }
        return den == 0 ? (num == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(num / den);
    }
}
