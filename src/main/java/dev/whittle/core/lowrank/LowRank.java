package dev.whittle.core.lowrank;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.GraphEditor;
import dev.whittle.core.onnx.GraphNode;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.select.LayerSelector;
import dev.whittle.core.tensor.Svd;
import dev.whittle.core.tensor.SvdResult;
import dev.whittle.core.transform.Bodies;
import dev.whittle.core.transform.LayerCheck;
import dev.whittle.core.transform.LayerReport;
import dev.whittle.core.transform.TransformReport;
import dev.whittle.core.transform.TransformResult;
import dev.whittle.core.transform.WeightChecks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Low-rank factorization of Gemm, MatMul and Conv weights by truncated SVD (LAPACK, or the
 * randomized SVD when the rank is small against min(m, n)). A layer whose factors would not
 * hold fewer parameters (r >= mn / (m + n)) is left alone with the reason in the report. Bad
 * specs (a rank above min(m, n)) and NaN weights raise {@link BadInputException}.
 */
public final class LowRank {
    /**
     * Prefix of the {@code metadata_props} key that records a factored layer: key
     * {@code whittle.factors.<node>}, value the two factors' node names, one a line (first the
     * one that reads the input). Selectors use it to find the factors by the layer's old name.
     */
    public static final String FACTORS_KEY = LayerSelector.FACTORS_KEY;

    private static final Map<String, Factoring> OPS = Map.of(
            "Gemm", new MatrixFactoring(),
            "MatMul", new MatrixFactoring(),
            "Conv", new ConvFactoring());

    private LowRank() {
    }

    /** Ranks at most min(m, n) / RANDOMIZED_BELOW (after oversampling) use the randomized SVD. */
    static final int RANDOMIZED_BELOW = 4;

    /** Damping of XᵀX for {@code whiten}, as a share of its mean diagonal (see docs/data-aware.md). */
    public static final double WHITEN_DAMP = 0.01;

    /** {@code whitened}: one whitening per matrix (a grouped Conv: per group), or null. */
    private record Plan(WeightLayer layer, int index, GraphNode node, Factoring how, int rank,
                        List<Whitening> whitened, BiasShift shift, double[] mean) {
    }

    public static TransformResult apply(OnnxModel model, LayerSelector selector, LowRankSpec spec) {
        return apply(model, selector, spec, Map.of());
    }

    /**
     * As {@link #apply(OnnxModel, LayerSelector, LowRankSpec)}; with {@code spec.whiten()} each
     * layer's factors come from the SVD of R·W, RᵀR = XᵀX + λI of its input ({@code xtx}: node
     * name to XᵀX, in x in, in the order of W's input axis). A layer without statistics is
     * left alone with the reason in the report.
     */
    public static TransformResult apply(OnnxModel model, LayerSelector selector, LowRankSpec spec, Map<String, double[]> xtx) {
        return apply(model, selector, spec, xtx, Map.of());
    }

    /**
     * Whitened factoring from each layer's input statistics ({@code moments}: node name to what
     * its input was on the calibration data). A layer with a bias of its own ({@link BiasShift})
     * is whitened around its input's mean, and the mean output its factors lose is added to that
     * bias; others are whitened around zero, as the XᵀX overload does.
     */
    public static TransformResult applyMoments(OnnxModel model, LayerSelector selector, LowRankSpec spec,
                                               Map<String, dev.whittle.core.tensor.InputMoments> moments) {
        Map<String, double[]> xtx = new java.util.HashMap<>();
        moments.forEach((k, v) -> {
            if (v.secondMoment() != null) {
                xtx.put(k, v.secondMoment()); // a grouped Conv: one block per group
            }
        });
        return apply(model, selector, spec, xtx, moments);
    }

    private static TransformResult apply(OnnxModel model, LayerSelector selector, LowRankSpec spec, Map<String, double[]> xtx,
                                         Map<String, dev.whittle.core.tensor.InputMoments> moments) {
        List<WeightLayer> selected = WeightChecks.select(model, selector, "lowrank");
        List<LayerReport> reports = new ArrayList<>();
        OnnxModel current = Bodies.prepare(model, selected);
        List<WeightLayer> relocated = Bodies.relocate(current, selected);
        // one graph at a time, each with an editor of that graph (bodies first, the main graph last)
        for (var e : Bodies.byGraph(relocated).entrySet()) {
            current = apply(current, e.getKey(), e.getValue(), spec, xtx, moments, reports);
        }
        OnnxModel out = current == model ? GraphEditor.of(model).build() : current;
        return new TransformResult(out, new TransformReport(order(reports, selected), model.graph().fileBytes(),
                out.graph().fileBytes()));
    }

    /** Factors the selected layers of the graph at {@code path}; returns the edited model. */
    private static OnnxModel apply(OnnxModel model, String path, List<WeightLayer> selected, LowRankSpec spec,
                                   Map<String, double[]> xtx, Map<String, dev.whittle.core.tensor.InputMoments> moments,
                                   List<LayerReport> reports) {
        String method = "lowrank " + spec.method() + (spec.whiten() ? " whitened" : "");
        GraphEditor ed = GraphEditor.of(model, path);
        List<Plan> plans = new ArrayList<>();
        for (WeightLayer l : selected) {
            String why = WeightChecks.unsupported(l);
            if (why == null) {
                why = WeightChecks.recurrent(l, "low-rank factoring");
            }
            Factoring how = OPS.get(l.op());
            int index = ed.nodeIndex(l.node()).orElse(-1);
            GraphNode node = index < 0 ? null : ed.node(index);
            if (why == null && how == null) {
                why = l.op() + " layers are not factored (supported: Gemm, MatMul, Conv)";
            }
            if (why == null) {
                why = sharing(ed, node, l);
            }
            if (why == null) {
                why = how.unsupported(node, l, spec.isSpatial());
            }
            if (why == null && spec.whiten()) {
                why = whitenUnsupported(l, xtx.get(l.node()), spec.isSpatial());
            }
            if (why != null) {
                reports.add(WeightChecks.skip(l, method, why));
                continue;
            }
            float[] w = l.tensor().toFloatArray();
            WeightChecks.requireFinite(l, w);
            List<Matrix> mats = how.matrices(node, l, w, spec.isSpatial());
            Matrix first = mats.get(0);
            int min = Math.min(first.m(), first.n());
            if (spec.rank() != null && spec.rank() > min) {
                throw new BadInputException("lowrank.rank " + spec.rank() + " is above min(m, n) = " + min + " of layer '"
                        + l.node() + "' (" + first.m() + " x " + first.n() + "); nothing was written.");
            }
            int r = 1;
            // A Conv's matrix is [M, C·k...] (filters as rows); whitening wants inputs as rows. A
            // grouped Conv has a matrix per group, each whitened by its own group's XᵀX block.
            var stats = spec.whiten() ? moments.get(l.node()) : null;
            BiasShift shift = stats == null ? null : shiftOf(ed, node, l, stats, (int) l.outputChannels());
            List<Whitening> white = null;
            if (spec.whiten()) {
                white = new ArrayList<>();
                double[] all = xtx.get(l.node());
                for (int g = 0; g < mats.size(); g++) {
                    Matrix rows = inputRows(l, mats.get(g));
                    int k = rows.m();
                    double[] h = mats.size() == 1 ? all : java.util.Arrays.copyOfRange(all, g * k * k, (g + 1) * k * k);
                    if (shift != null) {
                        h = BiasShift.centered(h, java.util.Arrays.copyOfRange(stats.sums(), g * k, (g + 1) * k), stats.rows());
                    }
                    white.add(Whitening.of(rows, h, WHITEN_DAMP));
                }
            }
            for (Matrix mx : mats) {
                float[] s = white != null ? white.get(mats.indexOf(mx)).spectrum()
                        : spec.energy() != null ? Spectra.of(l.tensor(), spec.method(), mats)[mats.indexOf(mx)] : null;
                r = Math.max(r, Math.min(min, spec.rankFor(mx.m(), mx.n(), s)));
            }
            if (!first.saves(r)) {
                reports.add(WeightChecks.skip(l, method, "rank " + r + " would not save parameters: a "
                        + first.m() + " x " + first.n() + " matrix needs rank < " + floorRatio(first)));
                continue;
            }
            // the matrices are read again when factored: only the layer in flight is held
            plans.add(new Plan(l, index, node, how, r, white, shift, shift == null ? null : stats.means()));
        }
        for (Plan p : plans) {
            List<Matrix> matrices = p.how().matrices(p.node(), p.layer(), p.layer().tensor().toFloatArray(), spec.isSpatial());
            List<Factors> factors = new ArrayList<>();
            double errNum = 0;
            double errDen = 0;
            double kept = 0;
            double energy = 0;
            double energyKept = 0;
            for (Matrix mx : matrices) {
                SvdResult svd = p.whitened() == null ? decompose(mx, p.rank()) : null;
                Whitening wg = p.whitened() == null ? null : p.whitened().get(matrices.indexOf(mx));
                Factors f = svd != null ? Factors.of(svd) : filtersAsRows(p.layer())
                        ? wg.factors(p.rank()).transposed() : wg.factors(p.rank());
                if (wg != null) {
                    energy += wg.energy();
                    energyKept += wg.energy() * wg.kept(p.rank());
                }
                factors.add(f);
                float[] approx = f.product();
                for (int i = 0; i < approx.length; i++) {
                    double d = (double) mx.a()[i] - approx[i];
                    errNum += d * d;
                    errDen += (double) mx.a()[i] * mx.a()[i];
                }
                if (svd != null) {
                    for (float s : svd.s()) {
                        kept += (double) s * s;
                    }
                }
            }
            // whitened: the share of ‖R·W‖² kept (the output's energy), not of ‖W‖²
            double share = p.whitened() != null ? (energy == 0 ? 1 : energyKept / energy)
                    : errDen == 0 ? 1 : Math.min(1, kept / errDen);
            if (p.shift() != null) {
                // per group: what its factors lose of its outputs' mean, from its own inputs' mean
                double[] d = new double[(int) p.layer().outputChannels()];
                int at = 0;
                for (int g = 0; g < matrices.size(); g++) {
                    Matrix mx = matrices.get(g);
                    int in = filtersAsRows(p.layer()) ? mx.n() : mx.m();
                    double[] part = meanShift(mx, factors.get(g).product(),
                            java.util.Arrays.copyOfRange(p.mean(), g * in, (g + 1) * in), filtersAsRows(p.layer()));
                    System.arraycopy(part, 0, d, at, part.length);
                    at += part.length;
                }
                p.shift().add(ed, d);
            }
            List<String> names = p.how().write(ed, p.index(), p.node(), p.layer(), factors, spec.isSpatial());
            ed.setMetadata(FACTORS_KEY + p.layer().node(), String.join("\n", names));
            long after = factors.stream().mapToLong(Factors::params).sum();
            WeightLayer l = p.layer();
            long zeros = factors.stream().mapToLong(f -> WeightChecks.zeros(f.left()) + WeightChecks.zeros(f.right())).sum();
            reports.add(new LayerReport(l.node(), l.weight(), method, l.params(), after, l.bytes(), l.dtype().storageBytes(after),
                    zeros, (double) zeros / Math.max(1, after), p.rank(), errDen == 0 ? 0 : Math.sqrt(errNum / errDen), share,
                    null, null, "factored into " + names.get(0) + " and " + names.get(1) + " (rank " + p.rank() + ")"));
        }
        if (!plans.isEmpty()) {
            ed.clearValueInfo();
        }
        return ed.build();
    }

    /**
     * What {@link #apply} would do with layer {@code l} under {@code spec}, without factoring:
     * an error for an already quantized weight or a rank above min(m, n), a skip (with the reason
     * the report would give) for layers it leaves alone. With {@code energy} the rank depends on
     * the singular values, so whether it saves parameters is only known when applied.
     */
    public static LayerCheck check(OnnxModel model, WeightLayer l, LowRankSpec spec) {
        if (l.quantized()) {
            return LayerCheck.error("its weight is already quantized; low-rank needs float weights");
        }
        String why = WeightChecks.unsupported(l);
        if (why == null) {
            why = WeightChecks.recurrent(l, "low-rank factoring");
        }
        Factoring how = OPS.get(l.op());
        if (why == null && how == null) {
            why = l.op() + " layers are not factored (supported: Gemm, MatMul, Conv)";
        }
        GraphEditor ed = GraphEditor.of(model, l.graphPath());
        int index = ed.nodeIndex(l.node()).orElse(-1);
        GraphNode node = index < 0 ? null : ed.node(index);
        if (why == null) {
            why = sharing(ed, node, l);
        }
        if (why == null) {
            why = how.unsupported(node, l, spec.isSpatial());
        }
        if (why == null && spec.whiten() && (spec.isSpatial() || !l.op().equals("MatMul") && !l.op().equals("Gemm")
                && !l.op().equals("Conv"))) {
            why = whitenUnsupported(l, null, spec.isSpatial());
        }
        if (why != null) {
            return LayerCheck.skip(why);
        }
        List<Matrix> mats = how.matrices(node, l, l.tensor().toFloatArray(), spec.isSpatial());
        Matrix first = mats.get(0);
        int min = Math.min(first.m(), first.n());
        if (spec.rank() != null && spec.rank() > min) {
            return LayerCheck.error("lowrank.rank " + spec.rank() + " is above min(m, n) = " + min + " (" + first.m()
                    + " x " + first.n() + ")");
        }
        if (spec.energy() == null) {
            int r = 1;
            for (Matrix mx : mats) {
                r = Math.max(r, Math.min(min, spec.rankFor(mx.m(), mx.n(), null)));
            }
            if (!first.saves(r)) {
                return LayerCheck.skip("rank " + r + " would not save parameters: a " + first.m() + " x " + first.n()
                        + " matrix needs rank < " + floorRatio(first));
            }
        }
        return LayerCheck.ok();
    }

    /**
     * Singular values of a layer's weight for the given method ("svd" or "spatial"), one array
     * per matrix (per group for grouped Conv), computed once and cached; null when the layer
     * cannot be factored that way.
     */
    public static float[][] spectrum(OnnxModel model, WeightLayer l, String method) {
        boolean spatial = new LowRankSpec(1, null, null, method, false).isSpatial();
        Factoring how = OPS.get(l.op());
        GraphEditor ed = GraphEditor.of(model);
        int index = ed.nodeIndex(l.node()).orElse(-1);
        if (how == null || index < 0 || WeightChecks.unsupported(l) != null) {
            return null;
        }
        GraphNode node = ed.node(index);
        if (how.unsupported(node, l, spatial) != null) {
            return null;
        }
        float[] w = l.tensor().toFloatArray();
        WeightChecks.requireFinite(l, w);
        return Spectra.of(l.tensor(), method, how.matrices(node, l, w, spatial));
    }

    /**
     * The rank-{@code r} factors {left (m x r), right (r x n)} that a low-rank step writes for the
     * row-major m x n matrix {@code a}: the same SVD and the same split of the singular values,
     * for previews that compose the methods on one layer without writing a model.
     */
    public static float[][] factors(float[] a, int m, int n, int r) {
        Factors f = Factors.of(decompose(new Matrix(m, n, a), r));
        return new float[][] {f.left(), f.right()};
    }

    /** Truncated SVD: randomized when the rank is small against the matrix, else LAPACK's full sgesdd. */
    static SvdResult decompose(Matrix mx, int r) {
        int min = Math.min(mx.m(), mx.n());
        if ((long) (r + 10) * RANDOMIZED_BELOW <= min) {
            return Svd.randomized(mx.a(), mx.m(), mx.n(), r);
        }
        return Svd.full(mx.a(), mx.m(), mx.n()).truncate(r);
    }

    /**
     * The rank-{@code r} whitened factors {left (m x r), right (r x n)} of the m x n matrix
     * {@code a} (y = x·a) for the m x m {@code xtx} of its input, as a whitened low-rank step
     * writes them with damping {@code damp} (a share of XᵀX's mean diagonal).
     */
    public static float[][] whitenedFactors(float[] a, int m, int n, int r, double[] xtx, double damp) {
        Factors f = Whitening.of(new Matrix(m, n, a), xtx, damp).factors(r);
        return new float[][] {f.left(), f.right()};
    }

    /** The whitened spectrum (singular values of R·W, descending) of the m x n matrix {@code a}. */
    public static float[] whitenedSpectrum(float[] a, int m, int n, double[] xtx, double damp) {
        return Whitening.of(new Matrix(m, n, a), xtx, damp).spectrum();
    }

    private static BiasShift shiftOf(GraphEditor ed, GraphNode node, WeightLayer l, dev.whittle.core.tensor.InputMoments m,
                                     int outputs) {
        return m.rows() == 0 || m.secondMoment() == null ? null : BiasShift.of(ed, node, l, outputs);
    }

    /**
     * The second moment that {@code lowrank.whiten} factors layer {@code l} of the main graph
     * with: around the input's mean when the layer has a bias of its own to take the mean's
     * error ({@link BiasShift}), else XᵀX itself. Null when {@code m} has no XᵀX.
     */
    public static double[] whiteningMoment(OnnxModel model, WeightLayer l, dev.whittle.core.tensor.InputMoments m) {
        if (m == null || m.xtx() == null) {
            return null;
        }
        GraphEditor ed = GraphEditor.of(model);
        int index = ed.nodeIndex(l.node()).orElse(-1);
        BiasShift shift = index < 0 ? null : shiftOf(ed, ed.node(index), l, m, (int) l.outputChannels());
        return shift == null ? m.xtx() : BiasShift.centered(m.xtx(), m.sums(), m.rows());
    }

    /**
     * μᵀ(W − Ŵ) per output: what the factors lose of the layer's mean output, for matrices with
     * inputs as rows (y = x·a) or, {@code filtersAsRows}, outputs as rows.
     */
    static double[] meanShift(Matrix w, float[] approx, double[] mean, boolean filtersAsRows) {
        int outputs = filtersAsRows ? w.m() : w.n();
        int inputs = filtersAsRows ? w.n() : w.m();
        double[] d = new double[outputs];
        float[] a = w.a();
        for (int o = 0; o < outputs; o++) {
            double s = 0;
            for (int j = 0; j < inputs; j++) {
                int at = filtersAsRows ? o * inputs + j : j * outputs + o;
                s += ((double) a[at] - approx[at]) * mean[j];
            }
            d[o] = s;
        }
        return d;
    }

    /** Whether the layer's matrix has its outputs as rows (a Conv's filters), the transpose of y = x·a. */
    private static boolean filtersAsRows(WeightLayer l) {
        return l.op().equals("Conv");
    }

    private static Matrix inputRows(WeightLayer l, Matrix m) {
        return filtersAsRows(l) ? new Matrix(m.n(), m.m(), Matrix.transpose(m.a(), m.m(), m.n())) : m;
    }

    private static String whitenUnsupported(WeightLayer l, double[] xtx, boolean spatial) {
        if (spatial) {
            return "lowrank.whiten factors the filters as a whole (method svd), not the spatial method";
        }
        if (xtx != null) {
            return null;
        }
        return "lowrank.whiten needs the XᵀX of the layer's input on the calibration data, collected for MatMul, Gemm and"
                + " 1-D or 2-D Conv layers whose branch the data reaches (this is " + l.op()
                + (l.graphPath().isEmpty() ? "" : " in " + l.graphPath()) + ")";
    }

    private static String floorRatio(Matrix m) {
        double bound = (double) m.m() * m.n() / (m.m() + m.n());
        return String.format(java.util.Locale.ROOT, "%.1f", bound);
    }

    /** Why the weight cannot be replaced in place: read through Identity, or by several nodes. */
    private static String sharing(GraphEditor ed, GraphNode node, WeightLayer l) {
        if (node == null) {
            return "its node was not found in its graph";
        }
        if (!node.input(1).equals(l.weight())) {
            return "the weight reaches the node through '" + node.input(1) + "' (Identity), which is not rewritten";
        }
        int readers = ed.uses(l.weight()).size();
        if (readers != 1) {
            return "the weight is read by " + readers + " nodes";
        }
        return null;
    }

    private static List<LayerReport> order(List<LayerReport> reports, List<WeightLayer> selected) {
        List<LayerReport> out = new ArrayList<>();
        for (WeightLayer l : selected) {
            reports.stream().filter(r -> r.node().equals(l.node())).forEach(out::add);
        }
        return out;
    }
}
