package dev.whittle.core.eval;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.whittle.core.BadInputException;
import dev.whittle.core.InternalException;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.model.DataType;
import dev.whittle.core.model.ValueInfo;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Measures what Whittle's evaluation costs over a bare ONNX Runtime loop on the same data,
 * batch size and session settings. Each side opens its session untimed (the same ONNX Runtime
 * call on both sides, and the noisiest part on a busy machine), then is timed over every batch:
 * Whittle's side is {@link Evaluator}'s whole evaluation on that session (checks, batching,
 * metrics, latency records, the result); the bare side makes each input's tensor over the
 * batch's bytes, runs for the evaluated output, copies it out ({@code getFloatBuffer}) and, with
 * labels, counts top-1 hits. Without labels both sides only read the output (Whittle then keeps
 * nothing but latency). Sides alternate (ABBA order) after untimed rounds of at least 20,000
 * batches (at most {@link #WARMUP_MAX_NANOS} of them for big models); medians compare, and
 * minimums as a check less sensitive to other load.
 *
 * <p>The bare loop is ONNX Runtime's plain usage, with output tensors that ONNX Runtime
 * allocates per batch; Whittle's loop writes full batches into one reused output buffer
 * ({@link OutputPins}), so on small models its side can come out faster than the bare one.
 */
public final class OverheadBench {
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /**
     * Batches each side runs untimed before timing: enough for the JIT to compile Whittle's
     * per-batch code (a bare loop is one hot method and compiles almost at once).
     */
    static final long WARMUP_BATCHES = 20_000;

    /**
     * Warm-up stops after this long once two rounds are done: models that take many
     * milliseconds a batch (MiniLM) are compute-bound, so the JIT's state hardly matters there.
     */
    static final long WARMUP_MAX_NANOS = 30_000_000_000L;

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
     * @param whittleCorrect top-1 hits of Whittle's side, -1 without labels
     * @param bareCorrect    top-1 hits of the bare side, -1 without labels
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
        ValueInfo out = InputCheck.output(model.graph(), null);
        if (out.type() != DataType.FLOAT) {
            throw new BadInputException("The overhead benchmark reads a float32 output, but '" + out.name() + "' of "
                    + model.graph().fileName() + " is " + out.type() + ".");
        }
        // Checked here, not only by the evaluation: the bare side may run first.
        InputCheck.check(model.graph(), data, batch);
        InputCheck.checkLabels(model.graph(), out, data);
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
        long warmStart = System.nanoTime();
        for (int r = -warmup; r < repeats; r++) {
            if (r < -1 && r + warmup >= 2 && System.nanoTime() - warmStart > WARMUP_MAX_NANOS) {
                r = -1; // enough warm-up for a slow model: one more round, then time
            }
            boolean whittleFirst = r % 2 == 0;
            for (int side = 0; side < 2; side++) {
                cancel.throwIfCancelled();
                boolean whittle = (side == 0) == whittleFirst;
                double ms = whittle ? timeWhittle(ev, req, correct, rt, cancel, cpu)
                        : timeBare(model, data, batch, spec, out.name(), correct, cpu);
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
            correct[0] = res.correct() == null ? -1 : res.correct();
            rt[0] = res.runtime();
            return ms;
        }
    }

    private static double timeBare(OnnxModel model, Dataset data, int batch, SessionSpec spec, String output, long[] correct,
                                   double[] cpuMs) {
        long[] nanos = new long[2];
        correct[1] = bare(model, data, batch, spec, output, nanos);
        cpuMs[0] = nanos[1] / 1e6;
        return nanos[0] / 1e6;
    }

    /**
     * Correct top-1 predictions (-1 without labels) by the plainest loop ONNX Runtime's Java API
     * allows: per batch, a tensor over each input's bytes, a run for {@code output}, its values
     * copied out.
     */
    static long bare(OnnxModel model, Dataset data, int batch, SessionSpec spec, String output, long[] loopNanos) {
        OrtEnvironment env = EvalSession.env();
        int k = data.inputs().size();
        String[] names = data.inputs().keySet().toArray(new String[0]);
        ByteBuffer[] all = new ByteBuffer[k];
        long[] bytesPerSample = new long[k];
        long[][] shapes = new long[k][];
        OnnxJavaType[] types = new OnnxJavaType[k];
        for (int i = 0; i < k; i++) {
            HostTensor x = data.inputs().get(names[i]);
            all[i] = x.nativeBytes();
            bytesPerSample[i] = all[i].remaining() / Math.max(1, x.samples());
            shapes[i] = x.shape();
            types[i] = EvalSession.javaType(x.type());
        }
        long n = data.samples();
        Set<String> wanted = Set.of(output);
        long correct = data.hasLabels() ? 0 : -1;
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            // The same settings EvalSession uses, so only the code around the runs differs.
            EvalSession.configure(o, spec);
            try (OrtSession s = env.createSession(model.toBytes(), o)) {
                long c0 = THREADS.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                for (long from = 0; from < n; from += batch) {
                    int bsz = (int) Math.min(batch, n - from);
                    OnnxTensor[] tensors = new OnnxTensor[k];
                    try {
                        for (int i = 0; i < k; i++) {
                            ByteBuffer slice = all[i].duplicate();
                            slice.position((int) (from * bytesPerSample[i])).limit((int) ((from + bsz) * bytesPerSample[i]));
                            shapes[i][0] = bsz; // the previous batch's tensor, which shares it, is closed
                            tensors[i] = OnnxTensor.createTensor(env, slice, shapes[i], types[i]);
                        }
                        Map<String, OnnxTensor> feeds = k == 1 ? Map.of(names[0], tensors[0]) : feeds(names, tensors);
                        try (OrtSession.Result r = s.run(feeds, wanted)) {
                            float[] values = ((OnnxTensor) r.get(0)).getFloatBuffer().array();
                            if (correct >= 0) {
                                correct += hits(values, bsz, data, from);
                            }
                        }
                    } finally {
                        for (OnnxTensor t : tensors) {
                            if (t != null) {
                                t.close();
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

    private static Map<String, OnnxTensor> feeds(String[] names, OnnxTensor[] tensors) {
        Map<String, OnnxTensor> m = new HashMap<>();
        for (int i = 0; i < names.length; i++) {
            m.put(names[i], tensors[i]);
        }
        return m;
    }

    private static long hits(float[] logits, int bsz, Dataset data, long from) {
        int c = logits.length / bsz;
        long hits = 0;
        for (int i = 0; i < bsz; i++) {
            int best = 0;
            for (int j = 1; j < c; j++) {
                if (logits[i * c + j] > logits[i * c + best]) {
                    best = j;
                }
            }
            if (best == data.label(from + i)) {
                hits++;
            }
        }
        return hits;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return Metrics.percentile(s, 50);
    }
}
