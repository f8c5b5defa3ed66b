package dev.whittle.cli;

import dev.whittle.core.analysis.CalibrationData;
import dev.whittle.core.analysis.GraphPreparation;
import dev.whittle.core.analysis.SensitivityAnalysis;
import dev.whittle.core.analysis.SensitivityRequest;
import dev.whittle.core.analysis.SensitivityTable;
import dev.whittle.core.eval.Dataset;
import dev.whittle.core.eval.EvalRequest;
import dev.whittle.core.BadInputException;
import dev.whittle.core.analysis.SensitivityMethod;
import dev.whittle.core.quant.ActivationPlacement;
import dev.whittle.core.quant.ActivationSpec;
import dev.whittle.core.quant.Calibration;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.Int8Layout;
import dev.whittle.core.quant.QuantFormat;
import dev.whittle.core.eval.SyntheticInputs;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.select.LayerSelector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code whittle sensitivity MODEL ...}: compress each layer alone at each level and evaluate. */
@Command(name = "sensitivity", description = "Compress each selected layer alone at each level and measure the effect.")
final class SensitivityCommand implements Callable<Integer> {
    static final int DEFAULT_LIMIT = 1000;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file.")
    Path model;

    @Mixin
    DataOptions data = new DataOptions();

    @Mixin
    RuntimeOptions runtime = new RuntimeOptions();

    @Option(names = "--method", paramLabel = "prune|quantize|lowrank|lowrank-params", required = true, description = "Compression method.")
    String method;

    @Option(names = "--levels", paramLabel = "A,B,C", split = ",",
            description = "Levels: sparsities for prune (0.5), bit widths for quantize, ranks for lowrank, shares of parameters kept for lowrank-params"
                    + " (with --structure N:M the pattern fixes the sparsity and levels may be left out).")
    List<Double> levels;

    @Option(names = "--structure", paramLabel = "S", defaultValue = "unstructured",
            description = "prune: unstructured, channel or N:M such as 2:4 (default: ${DEFAULT-VALUE}).")
    String structure;

    @Option(names = "--granularity", paramLabel = "G", description = "quantize: tensor, channel or block"
            + " (default channel; block with --format matmulnbits).")
    String granularity;

    @Option(names = "--block", paramLabel = "N", description = "quantize: block size with --granularity block, 16-256 (default 32).")
    Integer block;

    @Option(names = "--format", paramLabel = "F", defaultValue = "qdq",
            description = "quantize: qdq, matmulnbits or dynamic (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--asymmetric", description = "quantize: uint codes with a zero point (default: symmetric int codes).")
    boolean asymmetric;

    @Option(names = "--int8-layout", paramLabel = "full|reduced|uint8",
            description = "quantize: how symmetric 8-bit weights are stored (as in quantize; default: uint8 with --activations, reduced with --format dynamic, else full).")
    String int8Layout;

    @Option(names = "--activations", paramLabel = "C", description = "quantize: each layer with its activations too (W8A8),"
            + " calibrated by minmax, percentile:P, entropy or mse on --calib.")
    String activations;

    @Mixin
    CalibOptions calib = new CalibOptions();

    @Option(names = "--act-symmetric", description = "int8 activations with zero point 0 (default: uint8 with a zero point).")
    boolean actSymmetric;

    @Option(names = "--act-outputs", description = "Also quantize each layer's output (as quantize --act-outputs).")
    boolean actOutputs;

    @Option(names = "--placement", paramLabel = "layers|graph", description = "Where activation pairs go (as quantize; default: layers).")
    String placement;

    @Option(names = "--layers", paramLabel = "REGEX", description = "Layers whose node or weight name matches in full (default: all).")
    String layers;

    @Option(names = "--batch", paramLabel = "N", description = "Samples per run (default: 32).")
    Integer batch;

    @Option(names = "--pool", paramLabel = "mean|cls|none", description = "Pool [batch, tokens, hidden] outputs before cosine.")
    String pool;

    @Option(names = "--json", description = "Print JSON (keys in docs/evaluation.md).")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        SensitivityMethod settings = settings();
        List<Double> lv = levels;
        if (lv == null || lv.isEmpty()) {
            if (settings.fixedSparsity() == null) {
                throw new BadInputException("--levels is required for --method " + method + " (e.g. "
                        + example(settings.name()) + ").");
            }
            lv = List.of(settings.fixedSparsity());
        }
        // Checked here, before the model is read or anything is evaluated.
        dev.whittle.core.analysis.LayerCompressors.get(method);
        lv.forEach(settings::checkLevel);
        OnnxModel m = OnnxReader.read(model);
        CalibrationData calibration = null;
        if (settings.activations() != null) {
            if (!calib.given()) {
                throw new BadInputException("--activations needs calibration data: add --calib FILE.npy.");
            }
            calibration = calib.load(m.graph());
            Report.notes(spec, "note: calibration: ", calibration.notes(m.graph()));
            // as quantize does: the sweep measures the layers of the graph quantize would write
            GraphPreparation.Prepared p = GraphPreparation.fold(m);
            m = p.model();
            if (p.summary() != null) {
                Report.notes(spec, "note: ", List.of(p.summary() + "."));
            }
        } else if (calib.given() || actOutputs || actSymmetric || placement != null) {
            throw new BadInputException("--calib, --act-* and --placement are only used with --activations.");
        }
        Dataset d = data.load(m.graph());
        long limit = data.limit == null && (data.spec() == null || data.spec().limit() == null) ? DEFAULT_LIMIT : data.limit();
        if (d == null) {
            d = SyntheticInputs.make(m.graph(), limit > 0 ? limit : SyntheticInputs.DEFAULT_DIM, data.dims, data.dimDefault);
        }
        EvalRequest eval = new EvalRequest(m, null, null, d, data.batch(batch, EvalCommand.DEFAULT_BATCH), limit, null,
                data.pool(pool), runtime.spec());
        LayerSelector sel = layers == null ? LayerSelector.all() : LayerSelector.names(layers);
        SensitivityTable t = CliJobs.run(new SensitivityAnalysis().job(new SensitivityRequest(eval, method, lv, sel, settings,
                calibration)));
        Report.notes(spec, "note: ", t.notes());
        Report.notes(spec, "skipped: ", t.skipped());
        Report.result(spec, json, () -> {
            Map<String, Object> j = toJson(t);
            j.put("settings", settings.describe());
            return j;
        }, () -> text(t).replaceFirst(" sensitivity, ", " sensitivity (" + settings.describe() + "), "));
        return 0;
    }

    SensitivityMethod settings() {
        Granularity g = granularity == null ? null : Granularity.parse("--granularity", granularity);
        if (block != null && g != Granularity.BLOCK) {
            throw new BadInputException("--block is only used with --granularity block.");
        }
        boolean quantize = method.trim().equalsIgnoreCase("quantize");
        if (!quantize && (granularity != null || block != null || asymmetric || !format.equalsIgnoreCase("qdq")
                || int8Layout != null || activations != null)) {
            throw new BadInputException("--granularity, --block, --format, --asymmetric, --int8-layout and --activations"
                    + " apply to --method quantize only.");
        }
        ActivationSpec a = activations == null ? null : new ActivationSpec(8, actSymmetric,
                Calibration.parse("--activations", activations), actOutputs, Map.of(),
                placement == null ? null : ActivationPlacement.parse("--placement", placement));
        return new SensitivityMethod(method, structure, g, block == null ? 0 : block, !asymmetric,
                QuantFormat.parse("--format", format), int8Layout == null ? null : Int8Layout.parse("--int8-layout", int8Layout), a);
    }

    private static String example(String method) {
        return switch (method) {
            case "quantize" -> "--levels 8,4";
            case "lowrank" -> "--levels 8,16,32";
            case "lowrank-params" -> "--levels 0.1,0.25,0.5";
            default -> "--levels 0.3,0.5,0.7";
        };
    }

    static Map<String, Object> toJson(SensitivityTable t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", t.model());
        m.put("method", t.method());
        m.put("metric", t.metric());
        m.put("baseline", t.baseline());
        m.put("samples", t.samples());
        m.put("levels", t.levels());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (SensitivityTable.Row r : t.rows()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("layer", r.layer());
            e.put("level", r.level());
            e.put("metric", r.metric());
            e.put("value", r.value());
            rows.add(e);
        }
        m.put("rows", rows);
        m.put("skipped", t.skipped());
        EvalCommand.runtime(m, t.runtime());
        return m;
    }

    static String text(SensitivityTable t) {
        StringBuilder sb = new StringBuilder();
        sb.append(t.model()).append(": ").append(t.method()).append(" sensitivity, ").append(t.metric()).append(" on ")
                .append(Units.count(t.samples())).append(" samples; unmodified ").append(fmt(t.metric(), t.baseline())).append('\n');
        List<String> header = new ArrayList<>(List.of("layer"));
        t.levels().forEach(l -> header.add(levelText(l)));
        Table tab = new Table(header.toArray(String[]::new));
        for (String layer : t.layers()) {
            List<String> row = new ArrayList<>(List.of(layer));
            t.levels().forEach(l -> row.add(fmt(t.metric(), t.value(layer, l))));
            tab.row(row.toArray(String[]::new));
        }
        sb.append(tab.render());
        return sb.toString();
    }

    static String levelText(double l) {
        return java.math.BigDecimal.valueOf(l).stripTrailingZeros().toPlainString();
    }

    static String fmt(String metric, Double v) {
        if (v == null) {
            return "-";
        }
        return metric.equals("accuracy") ? String.format(Locale.ROOT, "%.2f%%", 100 * v) : String.format(Locale.ROOT, "%.5f", v);
    }
}
