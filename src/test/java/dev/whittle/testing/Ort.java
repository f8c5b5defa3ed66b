package dev.whittle.testing;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.whittle.core.onnx.OnnxModel;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Runs a model in ONNX Runtime (CPU, default optimizations) on float inputs; tests only. */
public final class Ort {
    private Ort() {
    }

    public static Map<String, Tensor> run(OnnxModel model, Map<String, Tensor> inputs) {
        if (model.spilled()) {
            // weights in this process's temporary file: ONNX Runtime reads a written copy
            try (dev.whittle.core.onnx.RuntimeCopy copy = dev.whittle.core.onnx.RuntimeCopy.of(model)) {
                return run(null, copy.folder().resolve("model.onnx"), inputs);
            }
        }
        return run(model.proto().toByteArray(), null, inputs);
    }

    public static Map<String, Tensor> run(Path file, Map<String, Tensor> inputs) {
        return run(null, file, inputs);
    }

    private static Map<String, Tensor> run(byte[] bytes, Path file, Map<String, Tensor> inputs) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
             OrtSession s = bytes != null ? env.createSession(bytes, opts) : env.createSession(file.toString(), opts)) {
            Map<String, OnnxTensor> in = new HashMap<>();
            try {
                for (var e : inputs.entrySet()) {
                    in.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(e.getValue().data()), e.getValue().shape()));
                }
                try (OrtSession.Result r = s.run(in)) {
                    Map<String, Tensor> out = new LinkedHashMap<>();
                    for (var e : r) {
                        OnnxTensor t = (OnnxTensor) e.getValue();
                        FloatBuffer fb = t.getFloatBuffer();
                        float[] v = new float[fb.remaining()];
                        fb.get(v);
                        out.put(e.getKey(), new Tensor(t.getInfo().getShape(), v));
                    }
                    return out;
                }
            } finally {
                in.values().forEach(OnnxTensor::close);
            }
        } catch (OrtException e) {
            throw new AssertionError("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    /** The single output of a one-output model. */
    public static Tensor run1(OnnxModel model, String input, Tensor x) {
        return run(model, Map.of(input, x)).values().iterator().next();
    }
}
