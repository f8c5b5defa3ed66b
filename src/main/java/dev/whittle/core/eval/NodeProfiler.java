package dev.whittle.core.eval;

import ai.onnxruntime.OrtException;
import dev.whittle.core.BadInputException;
import dev.whittle.core.InternalException;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.CancelledException;
import dev.whittle.core.job.Job;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.model.ModelGraph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Per-node times from ONNX Runtime's profiler: one session with profiling on, {@code warmup}
 * runs then {@code runs} runs of one batch; the trace (written to a temporary folder, removed
 * afterwards) is read by {@link ProfileTrace}, kernels inside the profiled runs are averaged per
 * node and mapped back to the model's layers by {@link KernelMap}. Progress counts runs.
 * The profiler adds a little time to every kernel: compare profiles with profiles, and take
 * end-to-end latency from {@link LatencyBench}.
 */
public final class NodeProfiler {
    private NodeProfiler() {
    }

    public static Job<LayerTimes> job(ProfileRequest r) {
        return (progress, cancel) -> run(r, progress, cancel);
    }

    public static LayerTimes run(ProfileRequest r, ProgressSink progress, CancelToken cancel) {
        return run(r, progress, cancel, false);
    }

    /**
     * As {@link #run}, but each kernel's time is its median over the profiled runs (a run's
     * calls of one node summed), not its mean: a run that a busy machine stalled moves a mean,
     * not a median. For comparing kernels; the run time stays a mean.
     */
    public static LayerTimes runMedians(ProfileRequest r, ProgressSink progress, CancelToken cancel) {
        return run(r, progress, cancel, true);
    }

    private static LayerTimes run(ProfileRequest r, ProgressSink progress, CancelToken cancel, boolean medians) {
        ModelGraph g = r.model().graph();
        String output = InputCheck.output(g, null).name();
        Dataset d;
        if (r.data() == null) {
            d = SyntheticInputs.make(g, r.batch(), r.dims(), r.defaultDim());
        } else {
            if (r.data().samples() < r.batch()) {
                throw new BadInputException("Batch " + r.batch() + " needs " + r.batch() + " samples but the data has "
                        + r.data().samples() + ".");
            }
            d = InputCheck.matchFloats(g, r.data().limit(r.batch()));
        }
        InputCheck.check(g, d, r.batch());
        LinkedHashSet<String> notes = new LinkedHashSet<>();
        int total = r.warmup() + r.runs();
        progress.update(0, total, "profile");
        Path dir = tempDir();
        try {
            ProfileTrace trace;
            RuntimeInfo runtime;
            List<String> sessionNotes = new ArrayList<>();
            try (EvalSession s = EvalSession.open(r.model(), r.session(), sessionNotes::add, dir.resolve("ort"));
                 Terminator t = new Terminator(cancel)) {
                runtime = s.runtime();
                Map<String, HostTensor> in = d.batch(0, r.batch());
                for (int k = 0; k < total; k++) {
                    cancel.throwIfCancelled();
                    try {
                        s.run(in, output, t);
                    } catch (OrtException e) {
                        if (cancel.isCancelled()) {
                            throw new CancelledException();
                        }
                        throw new BadInputException("ONNX Runtime failed: " + EvalSession.firstLine(e.getMessage()), e);
                    }
                    progress.update(k + 1, total, "profile");
                }
                trace = ProfileTrace.read(s.endProfiling());
            }
            notes.addAll(sessionNotes);
            notes.addAll(d.notes());
            notes.add("times from ONNX Runtime's profiler, which adds a little to every kernel; end-to-end latency: whittle bench");
            return summarize(trace, r, runtime, d.description(), new ArrayList<>(notes), medians);
        } finally {
            delete(dir);
        }
    }

    /** Averages the kernels of the last {@code r.runs()} runs of {@code trace} and maps them to layers. */
    static LayerTimes summarize(ProfileTrace trace, ProfileRequest r, RuntimeInfo runtime, String data, List<String> notes) {
        return summarize(trace, r, runtime, data, notes, false);
    }

    static LayerTimes summarize(ProfileTrace trace, ProfileRequest r, RuntimeInfo runtime, String data, List<String> notes,
                                boolean medians) {
        List<ProfileTrace.Run> all = trace.runs();
        if (all.size() < r.runs()) {
            throw new InternalException("The profile holds " + all.size() + " runs, fewer than the " + r.runs() + " profiled.", null);
        }
        List<ProfileTrace.Run> runs = all.subList(all.size() - r.runs(), all.size());
        KernelMap map = new KernelMap(r.model().graph(), r.reference());
        Map<String, ProfileTrace.Kernel> first = new LinkedHashMap<>();
        Map<String, Long> micros = new LinkedHashMap<>();
        Map<String, long[]> perRun = new LinkedHashMap<>();
        int ri = 0;
        for (ProfileTrace.Kernel k : trace.kernels()) {
            while (ri < runs.size() && k.start() > runs.get(ri).start() + runs.get(ri).dur()) {
                ri++;
            }
            if (ri < runs.size() && runs.get(ri).contains(k)) {
                first.putIfAbsent(k.node(), k);
                micros.merge(k.node(), k.dur(), Long::sum);
                perRun.computeIfAbsent(k.node(), n -> new long[runs.size()])[ri] += k.dur();
            }
        }
        List<NodeProfile> nodes = new ArrayList<>();
        Map<String, Double> layers = new LinkedHashMap<>();
        r.reference().weightLayers().forEach(l -> layers.put(l.node(), 0.0));
        for (var e : first.entrySet()) {
            double ms = medians ? median(perRun.get(e.getKey())) / 1000.0 : micros.get(e.getKey()) / 1000.0 / runs.size();
            KernelMap.Origin o = map.map(e.getKey(), e.getValue().op());
            nodes.add(new NodeProfile(e.getKey(), e.getValue().op(), ms, o.kind(), o.node(), o.layer()));
            if (o.layer() != null) {
                layers.merge(o.layer(), ms, Double::sum);
            }
        }
        double runMs = runs.stream().mapToLong(ProfileTrace.Run::dur).sum() / 1000.0 / runs.size();
        return new LayerTimes(r.reference().fileName(), r.batch(), runs.size(), runMs, nodes, layers, data, runtime, notes);
    }

    private static double median(long[] v) {
        long[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("whittle-profile");
        } catch (IOException e) {
            throw new InternalException("Cannot create a temporary folder for the profile: " + e.getMessage(), e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A left-over temporary trace harms nothing; the profile itself is done.
        }
    }
}
