package dev.whittle.quantfigures;

import ai.onnxruntime.OrtException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Latency of several model files measured in interleaved rounds (every file gets a few runs per
 * round), so load from other processes on a shared machine spreads over all of them alike.
 * Medians in ms, one intra-op thread.
 */
final class Latency {
    private Latency() {
    }

    /** file -> {median batch 1, median batch big}. */
    static Map<Path, double[]> measure(List<Path> files, Map<String, Object> in, Map<String, long[]> shapes, int big,
                                       int rounds, int runs1, int runsBig) throws OrtException {
        Map<Path, OrtBench> benches = new LinkedHashMap<>();
        Map<Path, List<Double>> one = new LinkedHashMap<>();
        Map<Path, List<Double>> many = new LinkedHashMap<>();
        try {
            for (Path f : files) {
                benches.put(f, new OrtBench(f, 1));
                one.put(f, new ArrayList<>());
                many.put(f, new ArrayList<>());
            }
            for (int r = 0; r < rounds; r++) {
                for (Path f : files) {
                    benches.get(f).time(in, shapes, 1, r == 0 ? 5 : 1, runs1, one.get(f));
                    benches.get(f).time(in, shapes, big, 1, runsBig, many.get(f));
                }
            }
        } finally {
            for (OrtBench b : benches.values()) {
                b.close();
            }
        }
        Map<Path, double[]> out = new LinkedHashMap<>();
        for (Path f : files) {
            out.put(f, new double[] {OrtBench.median(one.get(f)), OrtBench.median(many.get(f))});
        }
        return out;
    }
}
