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
                return run(copy.bytes(), null, copy.folder(), inputs);
            }
        }
        return run(model.proto().toByteArray(), null, inputs);
    }

    public static Map<String, Tensor> run(Path file, Map<String, Tensor> inputs) {
        return run(null, file, inputs);
    }

    private static Map<String, Tensor> run(byte[] bytes, Path file, Map<String, Tensor> inputs) {
        return run(bytes, file, null, inputs);
    }

    private static Map<String, Tensor> run(byte[] bytes, Path file, Path folder, Map<String, Tensor> inputs) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = options(folder);
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
    private static OrtSession.SessionOptions options(Path folder) throws ai.onnxruntime.OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        if (folder != null) {
            o.addConfigEntry("session.model_external_initializers_file_folder_path", folder.toString());
        }
        return o;
    }

    public static Tensor run1(OnnxModel model, String input, Tensor x) {
        return run(model, Map.of(input, x)).values().iterator().next();
    }
}
