package dev.whittle.core.eval;

import ai.onnxruntime.OrtException;
import dev.whittle.core.BadInputException;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.CancelledException;
import dev.whittle.core.job.Job;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.model.ModelGraph;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Times a model: one session, and for each batch size {@code warmup} untimed runs followed by
 * {@code runs} timed ones on the same inputs. A run's time is the wall time of the ONNX Runtime
 * call plus creating input tensors (no copy) and copying the output out. Progress counts runs.
 */
public final class LatencyBench {
    private LatencyBench() {
    }

    public static Job<BenchResult> job(BenchRequest r) {
        return (progress, cancel) -> run(r, progress, cancel);
    }

    public static BenchResult run(BenchRequest r, ProgressSink progress, CancelToken cancel) {
        ModelGraph g = r.model().graph();
        String output = InputCheck.output(g, null).name();
        LinkedHashSet<String> notes = new LinkedHashSet<>();
        List<Dataset> inputs = inputs(r, g, notes);
        long total = (long) (r.warmup() + r.runs()) * r.batches().size();
        long done = 0;
        List<LatencyStats> stats = new ArrayList<>();
        List<String> sessionNotes = new ArrayList<>();
        RuntimeInfo runtime;
        progress.update(0, total, "latency");
        try (EvalSession s = EvalSession.open(r.model(), r.session(), sessionNotes::add); Terminator t = new Terminator(cancel)) {
            runtime = s.runtime();
            for (int i = 0; i < r.batches().size(); i++) {
                Map<String, HostTensor> in = feed(g, inputs.get(i), r.batches().get(i));
                long[] nanos = new long[r.runs()];
                for (int k = 0; k < r.warmup() + r.runs(); k++) {
                    cancel.throwIfCancelled();
                    long t0 = System.nanoTime();
                    run(s, in, output, t, cancel);
                    long dt = System.nanoTime() - t0;
                    if (k >= r.warmup()) {
                        nanos[k - r.warmup()] = dt;
                    }
                    progress.update(++done, total, "latency");
                }
                stats.add(LatencyStats.of(r.batches().get(i), nanos));
            }
        }
        sessionNotes.addAll(notes);
        String data = r.data() == null ? "synthetic" : r.data().description();
        return new BenchResult(Stamps.id(), Stamps.now(),
                g.fileName(), g.fileBytes(), g.constantBytes(), data, stats, runtime, sessionNotes);
    }

    /** The inputs of each batch size in {@code r}, for graph {@code g}; checked against its declared inputs. */
    static List<Dataset> inputs(BenchRequest r, ModelGraph g, LinkedHashSet<String> notes) {
        List<Dataset> inputs = new ArrayList<>();
        for (int b : r.batches()) {
            Dataset d;
            if (r.data() == null) {
                d = SyntheticInputs.make(g, b, r.dims(), r.defaultDim());
            } else {
                if (r.data().samples() < b) {
                    throw new BadInputException("Batch " + b + " needs " + b + " samples but the data has " + r.data().samples() + ".");
                }
                if (r.data().stream() != null && b != 1) {
                    throw new BadInputException("A streaming dataset is timed one chunk per run; use --batch 1, not " + b + ".");
                }
                d = InputCheck.matchFloats(g, r.data().limit(b));
                if (d.stream() != null) {
                    notes.add("streaming data: one chunk per run, carried inputs (" + String.join(", ", d.stream().carry().keySet())
                            + ") at their initial zeros");
                }
            }
            InputCheck.check(g, d, b);
            notes.addAll(d.notes());
            inputs.add(d);
        }
        return inputs;
    }

    /** One batch of {@code d}, with a streaming model's carried inputs at zero. */
    static Map<String, HostTensor> feed(ModelGraph g, Dataset d, int batch) {
        Map<String, HostTensor> in = new java.util.LinkedHashMap<>(d.batch(0, batch));
        if (d.stream() != null) {
            d.stream().carry().keySet().forEach(c -> in.put(c, Streams.zeros(g, c)));
        }
        return in;
    }

    static void run(EvalSession s, Map<String, HostTensor> in, String output, Terminator t, CancelToken cancel) {
        try {
            s.run(in, output, t);
        } catch (OrtException e) {
            if (cancel.isCancelled()) {
                throw new CancelledException();
            }
            throw new BadInputException("ONNX Runtime failed: " + EvalSession.firstLine(e.getMessage()), e);
        }
    }
}
