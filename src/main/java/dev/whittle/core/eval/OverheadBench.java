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
 * batch size and session settings. Each side opens its session untimed (the same ONNX Runtime
 * call on both sides, and the noisiest part on a busy machine), then is timed over every batch
 * and the top-1 count: Whittle's side is {@link Evaluator}'s whole evaluation on that session
 * (checks, batching, metrics, latency records, the result). Sides alternate (ABBA order) after
 * five untimed rounds; medians compare, and minimums as a check less sensitive to other load.
 */
public final class OverheadBench {
    /** Untimed rounds of both sides before timing. */
    static final int WARMUP_ROUNDS = 5;

    private OverheadBench() {
    }

    /**
     * @param whittleMs per-repeat wall times of the evaluation, ms
     * @param bareMs    per-repeat wall times of the bare loop, ms
     * @param ratio     median(whittle) / median(bare)
     * @param minRatio  min(whittle) / min(bare)
     */
    public record Result(int batch, long samples, double[] whittleMs, double[] bareMs, double whittleMedianMs,
                         double bareMedianMs, double ratio, double minRatio, long whittleCorrect, long bareCorrect,
                         RuntimeInfo runtime) {
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
        long[] correct = new long[2];
        RuntimeInfo[] rt = new RuntimeInfo[1];
        // Untimed rounds first, so both sides run JIT-compiled code when timing starts.
        for (int r = -WARMUP_ROUNDS; r < repeats; r++) {
            boolean whittleFirst = r % 2 == 0;
            for (int side = 0; side < 2; side++) {
                cancel.throwIfCancelled();
                boolean whittle = (side == 0) == whittleFirst;
                double ms = whittle ? timeWhittle(ev, req, correct, rt, cancel) : timeBare(model, data, batch, spec, correct);
                if (r >= 0) {
                    (whittle ? w : b)[r] = ms;
                }
            }
            progress.update(Math.max(0, r + 1), repeats, "repeats");
        }
        double wm = median(w);
        double bm = median(b);
        double minRatio = Arrays.stream(w).min().orElse(0) / Arrays.stream(b).min().orElse(1);
        return new Result(batch, data.samples(), w, b, wm, bm, wm / bm, minRatio, correct[0], correct[1], rt[0]);
    }

    private static double timeWhittle(Evaluator ev, EvalRequest req, long[] correct, RuntimeInfo[] rt, CancelToken cancel) {
        java.util.List<String> notes = new java.util.ArrayList<>();
        try (EvalSession s = EvalSession.open(req.model(), req.session(), notes::add)) {
            long t0 = System.nanoTime();
            EvalResult res = ev.evaluateOn(s, notes, req, ProgressSink.NONE, cancel);
            double ms = (System.nanoTime() - t0) / 1e6;
            correct[0] = res.correct();
            rt[0] = res.runtime();
            return ms;
        }
    }

    private static double timeBare(OnnxModel model, Dataset data, int batch, SessionSpec spec, long[] correct) {
        long[] nanos = new long[1];
        correct[1] = bare(model, data, batch, spec, nanos);
        return nanos[0] / 1e6;
    }

    /** Correct top-1 predictions by the plainest loop ONNX Runtime's Java API allows. */
    static long bare(OnnxModel model, Dataset data, int batch, SessionSpec spec, long[] loopNanos) {
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
                long t0 = System.nanoTime();
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
                loopNanos[0] = System.nanoTime() - t0;
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
