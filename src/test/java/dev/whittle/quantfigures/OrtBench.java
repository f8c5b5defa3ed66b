package dev.whittle.quantfigures;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * ONNX Runtime sessions for the figures: CPU, default optimization level, with
 * {@code session.qdq_matmulnbits_accuracy_level=1} pinned (STACK.md).
 */
final class OrtBench implements AutoCloseable {
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    final OrtSession session;

    OrtBench(Path model) throws OrtException {
        this(model, 0);
    }

    /** @param threads intra-op threads, 0 for ONNX Runtime's default (one per core) */
    OrtBench(Path model, int threads) throws OrtException {
        this(model, threads, Map.of());
    }

    OrtBench(Path model, int threads, Map<String, String> config) throws OrtException {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.addConfigEntry("session.qdq_matmulnbits_accuracy_level", "1");
            for (var e : config.entrySet()) {
                o.addConfigEntry(e.getKey(), e.getValue());
            }
            if (threads > 0) {
                o.setIntraOpNumThreads(threads);
            }
            session = ENV.createSession(model.toString(), o);
        }
    }

    /** Runs with inputs sliced to rows [from, from + count); returns output 0 as floats. */
    float[] run(Map<String, Object> inputs, Map<String, long[]> shapes, int from, int count) throws OrtException {
        Map<String, OnnxTensor> feeds = feeds(inputs, shapes, from, count);
        try (OrtSession.Result r = session.run(feeds)) {
            FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    /** Times {@code runs} runs (after {@code warm} warm-up runs), in ms, appended to {@code into}. */
    void time(Map<String, Object> inputs, Map<String, long[]> shapes, int count, int warm, int runs,
              java.util.List<Double> into) throws OrtException {
        Map<String, OnnxTensor> feeds = feeds(inputs, shapes, 0, count);
        try {
            for (int i = 0; i < warm; i++) {
                session.run(feeds).close();
            }
            for (int i = 0; i < runs; i++) {
                long a = System.nanoTime();
                session.run(feeds).close();
                into.add((System.nanoTime() - a) / 1e6);
            }
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    static double median(java.util.List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    /** Median latency in ms of {@code runs} runs after {@code warm} warm-up runs (tensors made once). */
    double latency(Map<String, Object> inputs, Map<String, long[]> shapes, int count, int warm, int runs) throws OrtException {
        Map<String, OnnxTensor> feeds = feeds(inputs, shapes, 0, count);
        try {
            for (int i = 0; i < warm; i++) {
                session.run(feeds).close();
            }
            double[] t = new double[runs];
            for (int i = 0; i < runs; i++) {
                long a = System.nanoTime();
                session.run(feeds).close();
                t[i] = (System.nanoTime() - a) / 1e6;
            }
            Arrays.sort(t);
            return t[runs / 2];
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    private static Map<String, OnnxTensor> feeds(Map<String, Object> inputs, Map<String, long[]> shapes, int from, int count)
            throws OrtException {
        Map<String, OnnxTensor> feeds = new HashMap<>();
        for (var e : inputs.entrySet()) {
            long[] s = shapes.get(e.getKey()).clone();
            long row = 1;
            for (int i = 1; i < s.length; i++) {
                row *= s[i];
            }
            s[0] = count;
            if (e.getValue() instanceof float[] f) {
                feeds.put(e.getKey(), OnnxTensor.createTensor(ENV, FloatBuffer.wrap(f, (int) (from * row), (int) (count * row)), s));
            } else {
                long[] l = (long[]) e.getValue();
                feeds.put(e.getKey(), OnnxTensor.createTensor(ENV, LongBuffer.wrap(l, (int) (from * row), (int) (count * row)), s));
            }
        }
        return feeds;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
