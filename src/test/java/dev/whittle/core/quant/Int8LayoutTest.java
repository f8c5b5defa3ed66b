package dev.whittle.core.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.DataType;
import dev.whittle.core.model.TensorData;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.testing.QuantModels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which 8-bit layout a spec gets, and what each layout stores. */
class Int8LayoutTest {
    private static final OnnxModel MODEL = QuantModels.load(QuantModels.matmul(40, 12, 8, 14));

    private static TensorData codes(QuantResult r) {
        return r.model().graph().constants().stream().filter(t -> t.count() == 40 * 12).findFirst().orElseThrow();
    }

    private static int[] values(TensorData t) {
        byte[] b = new byte[(int) t.count()];
        t.raw().duplicate().get(b);
        int[] v = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            v[i] = t.type() == DataType.UINT8 ? b[i] & 0xff : b[i];
        }
        return v;
    }

    private static QuantResult quantize(QuantizeSpec spec) {
        return Quantizer.apply(MODEL, List.of(QuantizeStep.all(spec)),
                QuantOptions.calibrated(Map.of()));
    }

    @Test
    void weightOnlyQdqKeepsFullRangeInt8ByDefault() {
        QuantResult r = quantize(QuantizeSpec.weights(WeightSpec.of(8, Granularity.CHANNEL)));
        TensorData t = codes(r);
        assertEquals(DataType.INT8, t.type());
        assertEquals(127, java.util.Arrays.stream(values(t)).map(Math::abs).max().orElseThrow());
        assertEquals(Int8Layout.FULL, r.report().layers().get(0).int8Layout());
    }

    @Test
    void dynamicFormatDefaultsToReducedAndUint8KeepsTheFullRangeValues() {
        WeightSpec w = WeightSpec.of(8, Granularity.CHANNEL);
        assertEquals(Int8Layout.REDUCED, quantize(new QuantizeSpec(w, null, QuantFormat.DYNAMIC)).report().layers().get(0)
                .int8Layout(), "the dynamic format is for speed: reduced (decision 0029)");
        QuantResult safe = quantize(new QuantizeSpec(w.withInt8Layout(Int8Layout.UINT8), null, QuantFormat.DYNAMIC));
        QuantResult full = quantize(new QuantizeSpec(w.withInt8Layout(Int8Layout.FULL), null, QuantFormat.DYNAMIC));
        assertEquals(Int8Layout.UINT8, safe.report().layers().get(0).int8Layout());
        assertEquals(DataType.UINT8, codes(safe).type());
        assertEquals(DataType.INT8, codes(full).type());
        int[] u = values(codes(safe));
        int[] s = values(codes(full));
        for (int i = 0; i < u.length; i++) {
            assertEquals(s[i], u[i] - 128, "uint8 code = int8 code + 128 at " + i);
        }
        assertArrayEquals(full.report().layers().get(0).scales(), safe.report().layers().get(0).scales());
    }

    @Test
    void reducedLayoutUsesSevenBitCodesWithScaleMaxOver63() {
        WeightLayer l = MODEL.graph().weightLayers().get(0);
        float[] w = l.tensor().toFloatArray();
        QuantResult r = quantize(new QuantizeSpec(new WeightSpec(8, true, Granularity.TENSOR, 0, RangeSpec.MINMAX,
                Int8Layout.REDUCED), null, QuantFormat.DYNAMIC));
        double max = 0;
        for (float v : w) {
            max = Math.max(max, Math.abs(v));
        }
        assertEquals((float) (max / 63), r.report().layers().get(0).scales()[0]);
        int[] c = values(codes(r));
        assertEquals(DataType.INT8, codes(r).type());
        assertEquals(63, java.util.Arrays.stream(c).map(Math::abs).max().orElseThrow());
        for (int i = 0; i < c.length; i++) {
            assertEquals(Math.rint(w[i] / (max / 63)), c[i], 1, "code " + i);
        }
    }

    @Test
    void staticActivationsDefaultToTheSafeLayoutAndAnExplicitChoiceWins() {
        QuantizeSpec act = new QuantizeSpec(WeightSpec.of(8, Granularity.CHANNEL), ActivationSpec.of(Calibration.MINMAX), null);
        assertEquals(Int8Layout.SAFE_DEFAULT, act.withLayoutDefault().weights().int8Layout());
        QuantizeSpec full = new QuantizeSpec(WeightSpec.of(8, Granularity.CHANNEL).withInt8Layout(Int8Layout.FULL),
                ActivationSpec.of(Calibration.MINMAX), null);
        assertEquals(Int8Layout.FULL, full.withLayoutDefault().weights().int8Layout());
        assertEquals(null, WeightSpec.blocks(4, 32).int8Layout());
        assertEquals(null, new QuantizeSpec(WeightSpec.blocks(4, 32), ActivationSpec.of(Calibration.MINMAX), null)
                .withLayoutDefault().weights().int8Layout(), "4-bit weights have no layout");
    }

    @Test
    void activationsPlacedForSpeedDefaultToTheReducedLayout() {
        for (ActivationPlacement p : ActivationPlacement.values()) {
            QuantizeSpec s = new QuantizeSpec(WeightSpec.of(8, Granularity.CHANNEL),
                    ActivationSpec.of(Calibration.MINMAX).withPlacement(p), null);
            boolean forSpeed = p == ActivationPlacement.SPEED || p == ActivationPlacement.MEASURED;
            assertEquals(forSpeed ? Int8Layout.REDUCED : Int8Layout.SAFE_DEFAULT, s.withLayoutDefault().weights().int8Layout(),
                    p.key());
            QuantizeSpec chosen = new QuantizeSpec(WeightSpec.of(8, Granularity.CHANNEL).withInt8Layout(Int8Layout.UINT8),
                    ActivationSpec.of(Calibration.MINMAX).withPlacement(p), null);
            assertEquals(Int8Layout.UINT8, chosen.withLayoutDefault().weights().int8Layout(), "an explicit choice wins");
        }
    }

    @Test
    void aLayoutOn4BitWeightsOrAnUnknownNameIsRefused() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> new WeightSpec(4, true, Granularity.CHANNEL, 0, RangeSpec.MINMAX, Int8Layout.REDUCED));
        assertTrue(e.getMessage().contains("weights.int8Layout applies to 8-bit weights"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> Int8Layout.parse("weights.int8Layout", "int7"));
        assertEquals("weights.int8Layout must be full, reduced or uint8, got 'int7'.", e.getMessage());
    }
}
