package dev.whittle.core.tensor;

import dev.whittle.core.model.WeightLayer;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-gate statistics of a recurrent layer's W or R ({@code [directions, gates x hidden, inputs]},
 * gates in ONNX order: LSTM i, o, f, c; GRU z, r, h; RNN one gate): each gate's rows over every
 * direction, so a gate whose range stands out (and would dominate a shared scale) shows.
 */
public final class GateStatistics {
    private GateStatistics() {
    }

    /** One gate's summary over its rows. */
    public record Gate(String name, long count, double min, double max, double mean, double std, double absMax,
                       long zeros) {
    }

    /** The gate names of an LSTM, GRU or RNN layer, in the order of their rows. */
    public static List<String> names(String op) {
        return switch (op) {
            case "LSTM" -> List.of("i", "o", "f", "c");
            case "GRU" -> List.of("z", "r", "h");
            default -> List.of("i");
        };
    }

    /** Per-gate statistics of a recurrent layer; empty for any other layer or an unexpected shape. */
    public static List<Gate> of(WeightLayer l) {
        long[] d = l.shape();
        List<String> names = names(l.op());
        if (!l.recurrent() || d.length != 3 || d[1] % names.size() != 0 || !l.tensor().isNumeric()
                || l.params() > Integer.MAX_VALUE - 8) {
            return List.of();
        }
        float[] w = l.tensor().toFloatArray();
        int dirs = (int) d[0];
        int rows = (int) d[1];
        int cols = (int) d[2];
        int hidden = rows / names.size();
        List<Gate> out = new ArrayList<>();
        for (int g = 0; g < names.size(); g++) {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            double sum = 0;
            double sq = 0;
            long zeros = 0;
            long n = 0;
            for (int dir = 0; dir < dirs; dir++) {
                int from = (dir * rows + g * hidden) * cols;
                for (int i = from; i < from + hidden * cols; i++) {
                    double v = w[i];
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                    sum += v;
                    sq += v * v;
                    zeros += v == 0 ? 1 : 0;
                    n++;
                }
            }
            double mean = n == 0 ? 0 : sum / n;
            double std = n == 0 ? 0 : Math.sqrt(Math.max(0, sq / n - mean * mean));
            out.add(new Gate(names.get(g), n, min, max, mean, std, Math.max(Math.abs(min), Math.abs(max)), zeros));
        }
        return out;
    }
}
