package dev.whittle.testing;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * Runs a model in ONNX Runtime for tests. Sessions pin
 * {@code session.qdq_matmulnbits_accuracy_level=1} (STACK.md) so that a weight-only
 * DequantizeLinear -> MatMul is not rewritten into an int8-activation kernel: results measure
 * the model, not the optimizer's rewrite.
 */
public final class QuantOrt {
    private QuantOrt() {
    }

    /** Runs with one float input and returns the first output as floats. */
    public static float[] run(byte[] model, String input, long[] shape, float[] x) {
        return run(model, Map.of(input, x), Map.of(input, shape));
    }

    public static float[] run(byte[] model, Map<String, float[]> inputs, Map<String, long[]> shapes) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.addConfigEntry("session.qdq_matmulnbits_accuracy_level", "1");
            try (OrtSession s = env.createSession(model, o)) {
                java.util.Map<String, OnnxTensor> feeds = new java.util.HashMap<>();
                try {
                    for (var e : inputs.entrySet()) {
                        feeds.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(e.getValue()), shapes.get(e.getKey())));
                    }
                    try (OrtSession.Result r = s.run(feeds)) {
                        FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
                        float[] out = new float[fb.remaining()];
                        fb.get(out);
                        return out;
                    }
                } finally {
                    feeds.values().forEach(OnnxTensor::close);
                }
            }
        } catch (ai.onnxruntime.OrtException e) {
            throw new AssertionError("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    public static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    public static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
