package dev.whittle.core.analysis;

import dev.whittle.core.BadInputException;
import dev.whittle.core.lowrank.LowRank;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.tensor.InputMoments;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleConsumer;

/**
 * The spectrum that {@code lowrank.whiten} truncates, for one layer: the singular values of R·W,
 * RᵀR = XᵀX + λI of the layer's input on the calibration data ({@link LayerInputs}, damping
 * {@link LowRank#WHITEN_DAMP}), W as y = x·W ([inputs, outputs]); around the input's mean when
 * the layer has a bias to take the mean's error, as {@code lowrank.whiten} factors it
 * ({@link LowRank#whiteningMoment}). Its energy kept at rank r is the
 * share of the layer's output energy on that data that the rank-r whitened factors keep, which
 * the plain spectrum (of W alone) does not tell.
 */
public final class WhitenedSpectrum {
    private WhitenedSpectrum() {
    }

    /**
     * @throws BadInputException when the layer's XᵀX is not collected (ops other than MatMul,
     *                           Gemm and Conv of one group, layers inside bodies, quantized weights)
     */
    public static float[] of(OnnxModel model, WeightLayer layer, CalibrationData data, DoubleConsumer progress,
                             BooleanSupplier cancelled) {
        InputMoments m = LayerInputs.collect(model, List.of(layer), true, data, LayerInputs.DEFAULT_BUDGET, progress, cancelled)
                .get(layer.node());
        if (m == null || m.xtx() == null) {
            throw new BadInputException("The whitened spectrum needs the XᵀX of layer '" + layer.node() + "''s input, collected"
                    + " for float MatMul, Gemm and 1-D or 2-D Conv layers of one group (this is "
                    + layer.op() + (layer.graphPath().isEmpty() ? "" : " in " + layer.graphPath()) + ").");
        }
        float[] w = layer.tensor().toFloatArray();
        int in = m.dim();
        int out = w.length / in;
        // MatMul and Gemm without transB store [in, out]; Gemm with transB and Conv store [out, in].
        boolean outputMajor = layer.op().equals("Conv") || layer.axis() == 0;
        float[] a = outputMajor ? dev.whittle.core.tensor.Transpose.of(w, out, in) : w;
        return LowRank.whitenedSpectrum(a, in, out, LowRank.whiteningMoment(model, layer, m), LowRank.WHITEN_DAMP);
    }
}
