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
 * untimed rounds of at least 20,000 batches; medians compare, and minimums as a check less sensitive to other load.
 */
public final class OverheadBench {
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /**
     * Batches each side runs untimed before timing: enough for the JIT to compile Whittle's
     * per-batch code (a bare loop is one hot method and compiles almost at once).
     */
    static final long WARMUP_BATCHES = 20_000;

    private OverheadBench() {
    }

    /**
     * @param whittleMs per-repeat wall times of the evaluation, ms
     * @param bareMs    per-repeat wall times of the bare loop, ms
     * @param ratio     median(whittle) / median(bare)
     * @param minRatio  min(whittle) / min(bare)
     * @param cpuRatio  median(whittle) / median(bare) of the calling thread's CPU time; with one
     *                  intra-op thread ONNX Runtime computes on that thread, so this counts all the
     *                  work and is not disturbed by other load on the machine
     */
    public record Result(int batch, long samples, double[] whittleMs, double[] bareMs, double whittleMedianMs,
                         double bareMedianMs, double ratio, double minRatio, double[] whittleCpuMs, double[] bareCpuMs,
                         double cpuRatio, long whittleCorrect, long bareCorrect, RuntimeInfo runtime) {
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
        double[] wc = new double[repeats];
        double[] bc = new double[repeats];
        double[] cpu = new double[1];
        long[] correct = new long[2];
        RuntimeInfo[] rt = new RuntimeInfo[1];
        // Untimed rounds first, so both sides run JIT-compiled code when timing starts.
        long batchesPerRound = (data.samples() + batch - 1) / batch;
        int warmup = (int) Math.min(500, Math.max(5, (WARMUP_BATCHES + batchesPerRound - 1) / batchesPerRound));
        for (int r = -warmup; r < repeats; r++) {
            boolean whittleFirst = r % 2 == 0;
            for (int side = 0; side < 2; side++) {
                cancel.throwIfCancelled();
                boolean whittle = (side == 0) == whittleFirst;
                double ms = whittle ? timeWhittle(ev, req, correct, rt, cancel, cpu) : timeBare(model, data, batch, spec, correct, cpu);
                if (r >= 0) {
                    (whittle ? w : b)[r] = ms;
                    (whittle ? wc : bc)[r] = cpu[0];
                }
            }
            progress.update(r + 1 + warmup, repeats + warmup, r < 0 ? "warm-up" : "repeats");
        }
        double wm = median(w);
        double bm = median(b);
        double minRatio = Arrays.stream(w).min().orElse(0) / Arrays.stream(b).min().orElse(1);
        return new Result(batch, data.samples(), w, b, wm, bm, wm / bm, minRatio, wc, bc, median(wc) / median(bc), correct[0],
                correct[1], rt[0]);
    }

    private static double timeWhittle(Evaluator ev, EvalRequest req, long[] correct, RuntimeInfo[] rt, CancelToken cancel,
                                      double[] cpuMs) {
        java.util.List<String> notes = new java.util.ArrayList<>();
        try (EvalSession s = EvalSession.open(req.model(), req.session(), notes::add)) {
            long c0 = THREADS.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            EvalResult res = ev.evaluateOn(s, notes, req, ProgressSink.NONE, cancel);
            double ms = (System.nanoTime() - t0) / 1e6;
            cpuMs[0] = (THREADS.getCurrentThreadCpuTime() - c0) / 1e6;
            correct[0] = res.correct();
            rt[0] = res.runtime();
            return ms;
        }
    }

    private static double timeBare(OnnxModel model, Dataset data, int batch, SessionSpec spec, long[] correct, double[] cpuMs) {
        long[] nanos = new long[2];
        correct[1] = bare(model, data, batch, spec, nanos);
        cpuMs[0] = nanos[1] / 1e6;
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
            // The same settings EvalSession uses, so only the code around the runs differs.
            o.setIntraOpNumThreads(spec.effectiveThreads());
            o.setInterOpNumThreads(1);
            o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            o.setOptimizationLevel(switch (spec.optLevel()) {
                case NONE -> OrtSession.SessionOptions.OptLevel.NO_OPT;
                case BASIC -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
                case EXTENDED -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
                case ALL -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
            });
            if (spec.numericsPin()) {
                o.addConfigEntry(SessionSpec.NUMERICS_PIN_KEY, "1");
            }
            try (OrtSession s = env.createSession(model.toBytes(), o)) {
                long c0 = THREADS.getCurrentThreadCpuTime();
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
                loopNanos[1] = THREADS.getCurrentThreadCpuTime() - c0;
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
