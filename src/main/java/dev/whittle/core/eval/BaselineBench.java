package dev.whittle.core.eval;

import dev.whittle.core.BadInputException;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.Job;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.onnx.OnnxModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Times a model against its baseline (the model it was made from) in one run: both sessions
 * are open together, and each round times {@code runs} runs of the model, then {@code runs} of
 * the baseline, at every batch size, so that a CPU that speeds up or slows down during the run
 * affects both alike. Each model is warmed up before the first round. The medians pool every
 * timed run of every round; the ratio is the median over rounds of each round's ratio (the
 * model's median over the baseline's in that round), so that a load that changes between rounds
 * (a shared machine) moves both sides of each ratio alike.
 */
public final class BaselineBench {
    /** A ratio above this means the model is slower than its baseline (5 % is timing noise). */
    public static final double SLOWER = 1.05;

    private BaselineBench() {
    }

    public static Job<BaselineComparison> job(BenchRequest r, OnnxModel baseline, int rounds) {
        return (progress, cancel) -> run(r, baseline, rounds, progress, cancel);
    }

    /** {@code r.runs()} runs per round and model; {@code rounds} rounds. */
    public static BaselineComparison run(BenchRequest r, OnnxModel baseline, int rounds, ProgressSink progress,
                                         CancelToken cancel) {
        if (baseline == null) {
            throw new BadInputException("A comparison needs a baseline model.");
        }
        if (rounds < 1) {
            throw new BadInputException("A comparison needs at least 1 round, got " + rounds + ".");
        }
        BenchRequest br = new BenchRequest(baseline, r.data(), r.batches(), r.warmup(), r.runs(), r.dims(), r.defaultDim(),
                r.session());
        ModelGraph[] g = {r.model().graph(), baseline.graph()};
        LinkedHashSet<String> notes = new LinkedHashSet<>();
        List<List<Dataset>> inputs = List.of(LatencyBench.inputs(r, g[0], notes), LatencyBench.inputs(br, g[1], notes));
        String[] output = {InputCheck.output(g[0], null).name(), InputCheck.output(g[1], null).name()};
        int nb = r.batches().size();
        long[][][] nanos = new long[2][nb][Math.multiplyExact(rounds, r.runs())];
        long total = 2L * nb * (r.warmup() + (long) rounds * r.runs());
        long done = 0;
        List<String> sessionNotes = new ArrayList<>();
        RuntimeInfo runtime;
        progress.update(0, total, "latency");
        try (EvalSession a = EvalSession.open(r.model(), r.session(), sessionNotes::add);
             EvalSession b = EvalSession.open(baseline, r.session(), sessionNotes::add);
             Terminator t = new Terminator(cancel)) {
            runtime = a.runtime();
            EvalSession[] s = {a, b};
            List<List<Map<String, HostTensor>>> feeds = new ArrayList<>();
            for (int m = 0; m < 2; m++) {
                List<Map<String, HostTensor>> f = new ArrayList<>();
                for (int i = 0; i < nb; i++) {
                    f.add(LatencyBench.feed(g[m], inputs.get(m).get(i), r.batches().get(i)));
                }
                feeds.add(f);
            }
            for (int m = 0; m < 2; m++) {
                for (int i = 0; i < nb; i++) {
                    for (int k = 0; k < r.warmup(); k++) {
                        cancel.throwIfCancelled();
                        LatencyBench.run(s[m], feeds.get(m).get(i), output[m], t, cancel);
                        progress.update(++done, total, "warm-up");
                    }
                }
            }
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < nb; i++) {
                    for (int m = 0; m < 2; m++) {
                        for (int k = 0; k < r.runs(); k++) {
                            cancel.throwIfCancelled();
                            long t0 = System.nanoTime();
                            LatencyBench.run(s[m], feeds.get(m).get(i), output[m], t, cancel);
                            nanos[m][i][round * r.runs() + k] = System.nanoTime() - t0;
                            progress.update(++done, total, "round " + (round + 1) + " of " + rounds);
                        }
                    }
                }
            }
        }
        List<BaselineComparison.Batch> out = new ArrayList<>();
        for (int i = 0; i < nb; i++) {
            int batch = r.batches().get(i);
            LatencyStats mine = LatencyStats.of(batch, nanos[0][i]);
            LatencyStats base = LatencyStats.of(batch, nanos[1][i]);
            double[] perRound = new double[rounds];
            for (int round = 0; round < rounds; round++) {
                int from = round * r.runs();
                perRound[round] = median(nanos[0][i], from, r.runs()) / median(nanos[1][i], from, r.runs());
            }
            double[] sorted = perRound.clone();
            Arrays.sort(sorted);
            double ratio = rounds % 2 == 1 ? sorted[rounds / 2] : (sorted[rounds / 2 - 1] + sorted[rounds / 2]) / 2;
            out.add(new BaselineComparison.Batch(batch, mine, base, ratio, perRound));
        }
        sessionNotes.addAll(notes);
        boolean slower = out.stream().anyMatch(x -> x.ratio() > SLOWER);
        List<String> reasons = slower ? SlowdownReasons.of(g[0], r.model(), runtime) : List.of();
        String data = r.data() == null ? "synthetic" : r.data().description();
        return new BaselineComparison(g[0].fileName(), g[1].fileName(), g[0].fileBytes(), g[1].fileBytes(), data, rounds,
                r.runs(), out, reasons, runtime, sessionNotes);
    }

    private static double median(long[] nanos, int from, int n) {
        long[] part = Arrays.copyOfRange(nanos, from, from + n);
        Arrays.sort(part);
        return n % 2 == 1 ? part[n / 2] : (part[n / 2 - 1] + part[n / 2]) / 2.0;
    }
}
