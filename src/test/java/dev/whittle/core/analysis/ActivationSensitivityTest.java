package dev.whittle.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.eval.Dataset;
import dev.whittle.core.eval.EvalRequest;
import dev.whittle.core.eval.EvalResult;
import dev.whittle.core.eval.Evaluator;
import dev.whittle.core.eval.HostTensor;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.quant.ActivationPlacement;
import dev.whittle.core.quant.ActivationSpec;
import dev.whittle.core.quant.Calibration;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.Int8Layout;
import dev.whittle.core.quant.QuantFormat;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.QuantizeStep;
import dev.whittle.core.quant.RangeSpec;
import dev.whittle.core.quant.WeightSpec;
import dev.whittle.core.select.LayerSelector;
import dev.whittle.core.tensor.Npy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Per-layer W8A8 sensitivity: one calibration of the whole model, each layer quantized with its activations alone. */
class ActivationSensitivityTest {
    static final ActivationSpec MINMAX_GRAPH = new ActivationSpec(8, false, Calibration.MINMAX, true, Map.of(),
            ActivationPlacement.GRAPH);

    @Test
    void eachRowIsWhatQuantizingThatLayerWithItsOwnCalibrationGives() {
        OnnxModel cnn = OnnxReader.read(Path.of("sample-models/fashion-cnn.onnx"));
        CalibrationData calib = CalibrationFiles.load(cnn.graph(), List.of("fashion-calib-x.npy"), Path.of("sample-models"),
                32, 64);
        String input = cnn.graph().inputs().get(0).name();
        float[] x = Arrays.copyOf(Npy.read(Path.of("sample-models/fashion-test-x.npy")).toFloatArray(), 64 * 784);
        Dataset d = new Dataset(Map.of(input, HostTensor.ofFloats(new long[] {64, 1, 28, 28}, x)), null, "t");
        SensitivityMethod w8a8 = new SensitivityMethod("quantize", null, null, 0, true, null, Int8Layout.REDUCED, MINMAX_GRAPH);
        SensitivityTable t = new SensitivityAnalysis().run(new SensitivityRequest(EvalRequest.of(cnn, d, 32), "quantize",
                List.of(8.0), LayerSelector.all(), w8a8, calib), ProgressSink.NONE, CancelToken.none());
        SensitivityTable weightsOnly = new SensitivityAnalysis().run(new SensitivityRequest(EvalRequest.of(cnn, d, 32),
                "quantize", List.of(8.0), LayerSelector.all()), ProgressSink.NONE, CancelToken.none());
        assertEquals(5, t.layers().size(), t.layers().toString());
        boolean activationsCost = false;
        for (String layer : t.layers()) {
            // the reference: quantize calibrates just this layer's tensors, as `whittle quantize --layers` would
            QuantizeSpec spec = new QuantizeSpec(new WeightSpec(8, true, Granularity.CHANNEL, 0, RangeSpec.MINMAX,
                    Int8Layout.REDUCED), MINMAX_GRAPH, QuantFormat.QDQ);
            OnnxModel alone = CalibratedQuantizer.apply(cnn, List.of(new QuantizeStep(LayerSelector.names(layer), spec)),
                    calib).model();
            EvalResult e = new Evaluator().evaluate(EvalRequest.of(alone, d, 32).withBaseline(cnn), ProgressSink.NONE,
                    CancelToken.none());
            double row = t.rows().stream().filter(r -> r.layer().equals(layer) && r.metric().equals("meanCosine"))
                    .findFirst().orElseThrow().value();
            assertEquals(e.meanCosine(), row, 1e-9, layer);
            double w = weightsOnly.rows().stream().filter(r -> r.layer().equals(layer) && r.metric().equals("meanCosine"))
                    .findFirst().orElseThrow().value();
            activationsCost |= row < w - 1e-6;
        }
        assertTrue(activationsCost, "quantized activations lose more than weights alone for some layer");
    }

    @Test
    void refusesWhatASweepCannotDo() {
        assertThrows(BadInputException.class, () -> new SensitivityMethod("quantize", null, null, 0, true, QuantFormat.DYNAMIC,
                null, MINMAX_GRAPH));
        assertThrows(BadInputException.class, () -> new SensitivityMethod("quantize", null, null, 0, true, null, null,
                MINMAX_GRAPH.withPlacement(ActivationPlacement.SPEED)));
        assertThrows(BadInputException.class, () -> new SensitivityMethod("prune", null, null, 0, true, null, null,
                MINMAX_GRAPH));
        OnnxModel cnn = OnnxReader.read(Path.of("sample-models/fashion-cnn.onnx"));
        Dataset d = new Dataset(Map.of(cnn.graph().inputs().get(0).name(), HostTensor.ofFloats(new long[] {1, 1, 28, 28},
                new float[784])), null, "t");
        BadInputException e = assertThrows(BadInputException.class, () -> new SensitivityRequest(EvalRequest.of(cnn, d, 1),
                "quantize", List.of(8.0), LayerSelector.all(), new SensitivityMethod("quantize", null, null, 0, true, null,
                null, MINMAX_GRAPH), null));
        assertTrue(e.getMessage().contains("calibration data"), e.getMessage());
    }
}
