package dev.whittle.core.eval;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.whittle.core.BadInputException;
import dev.whittle.core.InternalException;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.onnx.OnnxModel;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;

/**
 * Measures what Whittle's evaluation costs over a bare ONNX Runtime loop on the same data,
 * batch size and session settings. Each side is the whole job: session creation, every batch,
 * top-1 counting, closing. Sides alternate (ABBA order) after one untimed round; medians compare.
 */
public final class OverheadBench {
    private OverheadBench() {
    }

    /**
     * @param whittleMs  per-repeat wall times of {@link Evaluator#evaluate}
     * @param bareMs     per-repeat wall times of the bare loop
     * @param ratio      median(whittle) / median(bare)
     */
    public record Result(int batch, long samples, double[] whittleMs, double[] bareMs, double whittleMedianMs,
                         double bareMedianMs, double ratio, long whittleCorrect, long bareCorrect, RuntimeInfo runtime) {
        /** (ratio - 1) in percent. */
        public double overheadPercent() {
            return (ratio - 1) * 100;
        }
    }

    public static Result run(OnnxModel model, Dataset data, int batch, int repeats, SessionSpec spec, ProgressSink progress,
                             CancelToken cancel) {
        if (!data.hasLabels()) {
            throw new BadInputException("The overhead benchmark counts correct predictions, so it needs labels.");
        }
        if (data.inputs().size() != 1 || data.inputs().values().iterator().next().type() != dev.whittle.core.model.DataType.FLOAT) {
            throw new BadInputException("The overhead benchmark takes a model with one float32 input.");
        }
        Evaluator ev = new Evaluator();
        EvalRequest req = new EvalRequest(model, null, null, data, batch, 0, null, Pool.NONE, spec);
        double[] w = new double[repeats];
        double[] b = new double[repeats];
        long wc = 0;
        long bc = 0;
        RuntimeInfo rt = null;
        for (int r = -1; r < repeats; r++) {
            boolean whittleFirst = r % 2 == 0;
            for (int side = 0; side < 2; side++) {
                cancel.throwIfCancelled();
                boolean whittle = (side == 0) == whittleFirst;
                long t0 = System.nanoTime();
                if (whittle) {
                    EvalResult res = ev.evaluate(req, ProgressSink.NONE, cancel);
                    wc = res.correct();
                    rt = res.runtime();
                } else {
                    bc = bare(model, data, batch, spec);
                }
                double ms = (System.nanoTime() - t0) / 1e6;
                if (r >= 0) {
                    (whittle ? w : b)[r] = ms;
                }
            }
            progress.update(r + 1, repeats, "repeats");
        }
        double wm = median(w);
        double bm = median(b);
        return new Result(batch, data.samples(), w, b, wm, bm, wm / bm, wc, bc, rt);
    }

    /** Correct top-1 predictions by the plainest loop ONNX Runtime's Java API allows. */
    static long bare(OnnxModel model, Dataset data, int batch, SessionSpec spec) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        String input = data.inputs().keySet().iterator().next();
        HostTensor x = data.inputs().get(input);
        long n = x.samples();
        long[] shape = x.shape();
        int per = (int) (x.count() / n);
        FloatBuffer all = x.nativeBytes().asFloatBuffer();
        long correct = 0;
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(spec.effectiveThreads());
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (spec.numericsPin()) {
                o.addConfigEntry(SessionSpec.NUMERICS_PIN_KEY, "1");
            }
            try (OrtSession s = env.createSession(model.proto().toByteArray(), o)) {
                for (long from = 0; from < n; from += batch) {
                    int bsz = (int) Math.min(batch, n - from);
                    shape[0] = bsz;
                    FloatBuffer slice = all.duplicate().position((int) (from * per)).limit((int) ((from + bsz) * per)).slice();
                    try (OnnxTensor t = OnnxTensor.createTensor(env, slice, shape);
                         OrtSession.Result r = s.run(Map.of(input, t))) {
                        float[] logits = ((OnnxTensor) r.get(0)).getFloatBuffer().array();
                        int c = logits.length / bsz;
                        for (int i = 0; i < bsz; i++) {
                            int best = 0;
                            for (int k = 1; k < c; k++) {
                                if (logits[i * c + k] > logits[i * c + best]) {
                                    best = k;
                                }
                            }
                            if (best == data.label(from + i)) {
                                correct++;
                            }
                        }
                    }
                }
            }
        } catch (OrtException e) {
            throw new InternalException("The bare ONNX Runtime loop failed: " + e.getMessage(), e);
        }
        return correct;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return Metrics.percentile(s, 50);
    }
}
