package dev.whittle.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.whittle.core.eval.ActivationCollector.Input;
import dev.whittle.core.quant.ActivationSpec;
import dev.whittle.core.quant.Calibration;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.QuantResult;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.QuantizeStep;
import dev.whittle.core.quant.WeightSpec;
import dev.whittle.core.model.Storage;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.testing.QuantOrt;
import dev.whittle.testing.QuantModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model whose weights live in an external data file calibrates, quantizes, saves and runs. */
class ExternalDataCalibrationTest {
    @Test
    void externalWeightsAreCalibratedAndQuantized(@TempDir Path dir) throws Exception {
        ModelProto p = QuantModels.mlp(24, 16, 4, 2, 13);
        GraphProto.Builder g = p.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            String file = t.getName() + ".bin";
            Files.write(dir.resolve(file), t.getRawData().toByteArray());
            g.setInitializer(i, t.toBuilder().clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                    .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(file)));
        }
        Path modelFile = dir.resolve("external.onnx");
        Files.write(modelFile, p.toBuilder().setGraph(g).build().toByteArray());
        OnnxModel m = OnnxReader.read(modelFile);
        assertEquals(Storage.EXTERNAL, m.graph().weightLayers().get(0).storage());
        float[] x = QuantModels.random(3, 32 * 24, 1);
        CalibrationData d = CalibrationData.single("x", Input.floats(new long[] {32, 24}, x), 8);
        QuantizeSpec spec = new QuantizeSpec(WeightSpec.of(8, Granularity.CHANNEL), ActivationSpec.of(Calibration.MINMAX), null);
        QuantResult r = CalibratedQuantizer.apply(m, List.of(QuantizeStep.all(spec)), d);
        assertEquals(2, r.report().activations().size());
        assertEquals(32 * 16, r.report().activations().get(1).values(), "every sample of r1 observed");
        Path out = dir.resolve("out.onnx");
        r.model().save(out);
        float[] y = QuantOrt.run(Files.readAllBytes(out), "x", new long[] {2, 24}, java.util.Arrays.copyOf(x, 48));
        float[] ref = QuantOrt.run(p.toByteArray(), "x", new long[] {2, 24}, java.util.Arrays.copyOf(x, 48));
        assertTrue(QuantOrt.maxAbsDiff(y, ref) < 0.05 * QuantOrt.maxAbs(ref), "W8A8 close to float: " + QuantOrt.maxAbsDiff(y, ref));
    }
}
