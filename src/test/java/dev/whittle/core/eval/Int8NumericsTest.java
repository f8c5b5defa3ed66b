package dev.whittle.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.analysis.CalibratedQuantizer;
import dev.whittle.core.analysis.CalibrationData;
import dev.whittle.core.eval.ActivationCollector.Input;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.quant.ActivationSpec;
import dev.whittle.core.quant.Calibration;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.Int8Layout;
import dev.whittle.core.quant.QuantFormat;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.QuantizeStep;
import dev.whittle.core.quant.Quantizer;
import dev.whittle.core.quant.WeightSpec;
import dev.whittle.testing.QuantModels;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which models get the "full-range u8s8 on a CPU without VNNI" warning. */
class Int8NumericsTest {
    private static final CpuInfo NO_VNNI = CpuInfo.parse("model name : Old Xeon\nflags : avx2\n", "amd64");
    private static final CpuInfo VNNI = CpuInfo.parse("model name : New Xeon\nflags : avx2 avx512_vnni\n", "amd64");
    private static final OnnxModel MLP = QuantModels.load(QuantModels.mlp(24, 16, 4, 21, 13));

    private static ModelGraph w8a8(Int8Layout layout) {
        float[] x = QuantModels.random(5, 40 * 24, 1);
        CalibrationData d = CalibrationData.single("x", Input.floats(new long[] {40, 24}, x), 16);
        QuantizeSpec spec = new QuantizeSpec(WeightSpec.of(8, Granularity.CHANNEL).withInt8Layout(layout),
                ActivationSpec.of(Calibration.MINMAX), QuantFormat.QDQ);
        return CalibratedQuantizer.apply(MLP, List.of(QuantizeStep.all(spec)), d).model().graph();
    }

    private static ModelGraph dynamic(Int8Layout layout) {
        QuantizeSpec spec = new QuantizeSpec(WeightSpec.of(8, Granularity.CHANNEL).withInt8Layout(layout), null,
                QuantFormat.DYNAMIC);
        return Quantizer.apply(QuantModels.load(QuantModels.matmul(40, 12, 8, 14)), List.of(QuantizeStep.all(spec)))
                .model().graph();
    }

    private static Optional<String> warn(ModelGraph g, CpuInfo cpu, String opt) {
        return Int8Numerics.warning(g, new RuntimeInfo("1.29.0", "cpu", 1, opt, null, cpu));
    }

    @Test
    void fullRangeStaticQdqOnACpuWithoutVnniWarnsWithCauseAndFix() {
        String w = warn(w8a8(Int8Layout.FULL), NO_VNNI, "all").orElseThrow();
        assertTrue(w.startsWith("warning: "), w);
        assertTrue(w.contains("full-range int8 weights") && w.contains("no VNNI") && w.contains("Old Xeon"), w);
        assertTrue(w.contains("--int8-layout uint8") && w.contains("--opt-level none"), w);
        assertEquals(1, w.lines().count(), "one line");
    }

    @Test
    void safeLayoutsVnniCpusAndUnfusedQdqGetNoWarning() {
        assertEquals(Optional.empty(), warn(w8a8(Int8Layout.UINT8), NO_VNNI, "all"));
        assertEquals(Optional.empty(), warn(w8a8(Int8Layout.REDUCED), NO_VNNI, "all"));
        assertEquals(Optional.empty(), warn(w8a8(Int8Layout.FULL), VNNI, "all"));
        assertEquals(Optional.empty(), warn(w8a8(Int8Layout.FULL), NO_VNNI, "none"), "QDQ runs in float unoptimized");
        assertEquals(Optional.empty(), Int8Numerics.warning(w8a8(Int8Layout.FULL),
                new RuntimeInfo("1.29.0", "cuda", 1, "all", null, NO_VNNI)));
    }

    @Test
    void weightOnlyQdqIsComputedInFloatAndNeedsNoWarning() {
        QuantizeSpec spec = QuantizeSpec.weights(WeightSpec.of(8, Granularity.CHANNEL));
        ModelGraph g = Quantizer.apply(MLP, List.of(QuantizeStep.all(spec))).model().graph();
        assertNull(Int8Numerics.find(g, true));
    }

    @Test
    void fullRangeMatMulIntegerWarnsAtEveryOptimizationLevel() {
        Int8Numerics.Hit h = Int8Numerics.find(dynamic(Int8Layout.FULL), false);
        assertEquals("MatMulInteger", h.op());
        String w = warn(dynamic(Int8Layout.FULL), NO_VNNI, "none").orElseThrow();
        assertTrue(!w.contains("--opt-level none"), "no float fallback for integer ops: " + w);
        assertNull(Int8Numerics.find(dynamic(Int8Layout.UINT8), true));
        assertNull(Int8Numerics.find(dynamic(Int8Layout.REDUCED), true));
    }
}
