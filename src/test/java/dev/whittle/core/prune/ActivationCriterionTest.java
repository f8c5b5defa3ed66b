package dev.whittle.core.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.whittle.core.BadInputException;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.select.LayerSelector;
import dev.whittle.testing.TestModels;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Channel pruning by activity keeps the channels with the largest mean |output|, whatever their weights. */
class ActivationCriterionTest {
    @Test
    void keepsTheMostActiveChannels() {
        OnnxModel m = TestModels.mlp();
        float[] w = m.graph().layer("fc1").orElseThrow().tensor().toFloatArray();
        double[] act = new double[12];
        for (int c = 0; c < 12; c++) {
            act[c] = c % 2 == 0 ? 10 + c : 0.1; // even channels are active
        }
        OnnxModel out = Pruner.apply(m, LayerSelector.names("fc1"), PruneSpec.channel(0.5, "activation"),
                Map.of("fc1", act)).model();
        float[] got = out.graph().layer("fc1").orElseThrow().tensor().toFloatArray();
        float[] want = new float[6 * 16];
        for (int i = 0; i < 6; i++) {
            System.arraycopy(w, 2 * i * 16, want, i * 16, 16);
        }
        assertArrayEquals(want, got, "fc1 [12, 16] with transB: rows are output channels; the even ones stay. "
                + Arrays.toString(act));
        assertThrows(BadInputException.class, () -> Pruner.apply(m, LayerSelector.names("fc1"),
                PruneSpec.channel(0.5, "activation"), Map.of()));
    }
}
