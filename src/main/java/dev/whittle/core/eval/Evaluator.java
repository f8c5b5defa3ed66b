package dev.whittle.core.eval;

import dev.whittle.core.BadInputException;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.Job;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.TensorData;
import dev.whittle.core.model.ValueInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Evaluates a model on data: top-1/top-5 accuracy against labels, fidelity against a baseline
 * (outputs cached in the {@link BaselineCache}), sizes, and the latency of the runs. Data is
 * checked against the model before any run. One session per evaluation, always closed.
 */
public final class Evaluator {
    /** Baseline outputs above this many bytes are refused (use a limit instead). */
    static final long MAX_BASELINE_BYTES = 2L << 30;

    private final BaselineCache cache;

    public Evaluator(BaselineCache cache) {
        this.cache = cache;
    }

    public Evaluator() {
        this(new BaselineCache());
    }

    public BaselineCache cache() {
        return cache;
    }

    /** The evaluation as a background job; progress stages are "baseline" and "model", in samples. */
    public Job<EvalResult> job(EvalRequest r) {
        return (progress, cancel) -> evaluate(r, progress, cancel);
    }

    public EvalResult evaluate(EvalRequest r, ProgressSink progress, CancelToken cancel) {
        // Data checks run before the session is made, so bad input fails fast and cheaply.
        check(r);
        List<String> sessionNotes = new ArrayList<>();
        try (EvalSession s = EvalSession.open(r.model(), r.session(), sessionNotes::add)) {
            return evaluateOn(s, sessionNotes, r, progress, cancel);
        }
    }

    private static void check(EvalRequest r) {
        Dataset data = r.data().limit(r.limit());
        ModelGraph g = r.model().graph();
        ValueInfo out = InputCheck.output(g, r.output());
        int batch = SampleAxes.batch(g, data, r.batch(), new ArrayList<>());
        InputCheck.check(g, wholeBatches(g, data, batch, new ArrayList<>()), batch);
        InputCheck.checkLabels(g, out, data);
        if (r.baseline() != null) {
            BaselineOutput.match(g, out, r.baseline().graph(), r.baselineOutput(), new ArrayList<>());
        }
    }

    /** The evaluation on a session already open on {@code r.model()}; the caller closes it. */
    EvalResult evaluateOn(EvalSession s, List<String> sessionNotes, EvalRequest r, ProgressSink progress, CancelToken cancel) {
        ModelGraph g = r.model().graph();
        List<String> feedNotes = new ArrayList<>();
        int batch = SampleAxes.batch(g, r.data(), r.batch(), feedNotes);
        Dataset given = wholeBatches(g, r.data().limit(r.limit()), batch, feedNotes);
        Dataset data = InputCheck.matchFloats(g, given);
        ValueInfo out = InputCheck.output(g, r.output());
        InputCheck.check(g, data, batch);
        InputCheck.checkLabels(g, out, data);
        List<String> notes = new ArrayList<>(data.notes());
        notes.addAll(feedNotes);
        notes.addAll(sessionNotes);
        StreamSpec stream = data.stream();
        if (stream != null) {
            notes.add(streamNote(stream, data.samples()));
        }
        if (r.pool() == Pool.MEAN && !data.inputs().containsKey(Metrics.MASK)) {
            notes.add("no 'attention_mask' in the data: mean pooling weights every token equally");
        }
        BaselineCache.Outputs base = null;
        if (r.baseline() != null) {
            ModelGraph bg = r.baseline().graph();
            String baseName = BaselineOutput.match(g, out, bg, r.baselineOutput(), notes).name();
            // The baseline may declare another float type (a float32 original of a float16 model).
            Dataset baseData = InputCheck.matchFloats(bg, given);
            InputCheck.check(bg, baseData, batch);
            baseData.notes().stream().filter(n -> !notes.contains(n)).forEach(n -> notes.add(n + " (baseline)"));
            base = cache.get(r.baseline(), r.data(), r.limit(), batch, baseName,
                    () -> baselineOutputs(r, baseData, batch, baseName, notes, progress, cancel));
        }
        StreamMetrics sm = stream == null ? null : new StreamMetrics(stream.threshold(), stream.recordingLength(data.samples()));
        Accuracy acc = data.hasLabels() && stream == null ? new Accuracy() : null;
        Fidelity fid = base == null || stream != null ? null : new Fidelity();
        // Full batches' run times, in a plain array: boxing a Long per batch was measurable.
        long[] timings = new long[(int) Math.min(Integer.MAX_VALUE - 8, data.samples() / batch)];
        int[] timed = {0};
        BaselineCache.Outputs baseOut = base;
        RuntimeInfo runtime;
        try (Terminator t = new Terminator(cancel)) {
            runtime = s.runtime();
            int[] index = {0};
            Dataset fed = data;
            loop(s, g, data, batch, out.name(), t, cancel, progress, "model", (from, to, o, nanos) -> {
                int b = (int) (to - from);
                if (b == batch && timed[0] < timings.length) {
                    timings[timed[0]++] = nanos;
                }
                if (sm != null) {
                    sm.add(from, baseOut == null ? null : baseOut.values().get(index[0]), o.values());
                    if (fed.hasLabels()) {
                        sm.label(from, fed.label(from), o.values());
                    }
                }
                if (acc != null) {
                    acc.add(o.values(), b, data, from);
                }
                if (fid != null) {
                    float[] ref = baseOut.values().get(index[0]);
                    HostTensor mask = data.inputs().get(Metrics.MASK);
                    HostTensor m = mask == null ? null : mask.rows(from, to);
                    boolean argmax = r.pool() == Pool.NONE && o.shape().length == 2;
                    fid.add(ref, o.values(), o.shape(), Pooling.vectors(ref, baseOut.shapes().get(index[0]), m, r.pool()),
                            Pooling.vectors(o.values(), o.shape(), m, r.pool()), argmax);
                }
                index[0]++;
            });
        }
        // The first run warms up caches and allocators, so it is left out when there are others.
        long[] nanos = timed[0] > 1 ? Arrays.copyOfRange(timings, 1, timed[0]) : Arrays.copyOf(timings, timed[0]);
        notes.addAll(latencyNotes(nanos.length, batch, data.samples()));
        ModelGraph bg = r.baseline() == null ? null : r.baseline().graph();
        if (sm != null) {
            sm.finish();
            return new EvalResult(Stamps.id(), Stamps.now(),
                    r.label() != null ? r.label() : g.fileName(), r.model().source() == null ? null : r.model().source().toString(),
                    g.fileBytes(), constantBytes(g), bg == null ? null : bg.fileName(), data.description(), data.samples(),
                    batch, sm.correct(), sm.accuracy(), null, sm.agreement(), sm.meanCosine(), sm.minCosine(), sm.sqnrDb(),
                    sm.maxAbsDiff(), LatencyStats.of(batch, nanos), out.name(), r.pool().name().toLowerCase(), runtime, notes,
                    stream.threshold());
        }
        return new EvalResult(Stamps.id(), Stamps.now(),
                r.label() != null ? r.label() : g.fileName(), r.model().source() == null ? null : r.model().source().toString(),
                g.fileBytes(), constantBytes(g), bg == null ? null : bg.fileName(), data.description(), data.samples(),
                batch, acc == null ? null : acc.correct(), acc == null ? null : acc.accuracy(),
                acc == null ? null : acc.top5(), fid == null ? null : fid.agreement(),
                fid == null ? null : fid.meanCosine(), fid == null ? null : fid.minCosine(),
                fid == null ? null : fid.sqnrDb(), fid == null ? null : fid.maxAbsDiff(),
                LatencyStats.of(batch, nanos), out.name(), r.pool().name().toLowerCase(), runtime, notes);
    }

    /** Independent batches, or a stream's chunks in order: the two ways data is fed. */
    private static void loop(EvalSession s, ModelGraph g, Dataset d, int batch, String output, Terminator t,
                             CancelToken cancel, ProgressSink progress, String stage, Batches.Handler h) {
        if (d.stream() != null) {
            Streams.run(s, g, d, output, t, cancel, progress, stage, h);
        } else {
            Batches.run(s, d, batch, output, t, cancel, progress, stage, h);
        }
    }

    /**
     * The data cut to whole batches when the model fixes a batch size above 1 that the samples
     * do not fill (a short last batch would be refused), with a note; else the data itself.
     */
    static Dataset wholeBatches(ModelGraph g, Dataset d, int batch, List<String> notes) {
        long n = d.samples();
        if (batch <= 1 || d.stream() != null || n % batch == 0 || n < batch || SampleAxes.fixedBatch(g, d) != batch) {
            return d;
        }
        long keep = n - n % batch;
        notes.add("the last " + (n - keep) + " samples are left out: the model takes whole batches of " + batch);
        return d.limit(keep);
    }

    private static String streamNote(StreamSpec st, long chunks) {
        long len = st.recordingLength(chunks);
        long recordings = (chunks + len - 1) / len;
        StringBuilder carry = new StringBuilder();
        st.carry().forEach((in, o) -> carry.append(carry.length() == 0 ? "" : ", ").append(o).append(" -> ").append(in));
        return "streamed " + chunks + " chunks in order, " + recordings + " recording" + (recordings == 1 ? "" : "s")
                + " of " + len + ", carrying " + carry + " (zeros at each start); fidelity compares each recording's output"
                + " track, agreement is of decisions (value > " + st.threshold() + ")";
    }

    /** Why latency is missing, or why its upper percentiles mean little: too few timed runs. */
    static List<String> latencyNotes(int runs, int batch, long samples) {
        if (runs == 0) {
            return List.of("no latency: only full batches of " + batch + " are timed, and the " + samples + " samples fill "
                    + (samples < batch ? "none" : "just one, the warm-up run, which is left out")
                    + "; use a batch of at most " + Math.max(1, samples / 2) + " to measure it");
        }
        if (runs < MIN_RUNS_P99) {
            return List.of("latency from " + runs + " timed run" + (runs == 1 ? "" : "s") + ": p90 needs at least "
                    + MIN_RUNS_P90 + " runs and p99 at least " + MIN_RUNS_P99 + " to differ from the slowest run"
                    + " (more samples or a smaller batch give more runs)");
        }
        return List.of();
    }

    /** Runs a percentile needs before it is more than the slowest run. */
    static final int MIN_RUNS_P90 = 10;
    static final int MIN_RUNS_P99 = 100;

    // ModelGraph.constantBytes() with a plain loop: this runs once per evaluation, where a stream's
    // set-up (in code the JIT has not compiled yet) cost more than the sum.
    private static long constantBytes(ModelGraph g) {
        long n = 0;
        for (TensorData t : g.constants()) {
            n += t.bytes();
        }
        return n;
    }

    private BaselineCache.Outputs baselineOutputs(EvalRequest r, Dataset data, int batch, String output, List<String> notes,
                                                  ProgressSink progress, CancelToken cancel) {
        List<float[]> values = new ArrayList<>();
        List<long[]> shapes = new ArrayList<>();
        try (EvalSession s = EvalSession.open(r.baseline(), r.session(), notes::add); Terminator t = new Terminator(cancel)) {
            loop(s, r.baseline().graph(), data, batch, output, t, cancel, progress, "baseline", (from, to, o, nanos) -> {
                if (from == 0) {
                    long bytes = (long) o.values().length / Math.max(1, to - from) * data.samples() * 4;
                    if (bytes > MAX_BASELINE_BYTES) {
                        throw new BadInputException("Keeping the baseline's outputs for " + data.samples() + " samples needs "
                                + (bytes >> 20) + " MiB; evaluate fewer samples (--limit).");
                    }
                }
                values.add(o.values().clone()); // the loop may reuse the arrays for the next batch
                shapes.add(o.shape().clone());
            });
        }
        return new BaselineCache.Outputs(List.copyOf(values), List.copyOf(shapes));
    }
}
