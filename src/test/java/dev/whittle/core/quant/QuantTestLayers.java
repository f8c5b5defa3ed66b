package dev.whittle.core.quant;

import dev.whittle.core.model.DataType;
import dev.whittle.core.model.Storage;
import dev.whittle.core.model.TensorData;
import dev.whittle.core.model.WeightLayer;

/** Weight layers over in-memory values, for quantizer tests that need no model. */
final class QuantTestLayers {
    private QuantTestLayers() {
    }

    static WeightAnalysis analysis(String op, long[] dims, int axis, float[] values) {
        TensorData t = new TensorData("w", DataType.FLOAT, dims, Storage.INITIALIZER, null,
                (s, dst, off, len) -> System.arraycopy(values, (int) s, dst, off, len));
        WeightLayer l = new WeightLayer("node", op, "w", dims, DataType.FLOAT, t.count(), t.bytes(), Storage.INITIALIZER,
                axis, false, "", t);
        return WeightAnalysis.of(l);
    }
}
