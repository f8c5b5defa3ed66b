package dev.whittle.cli;

import dev.whittle.core.BadInputException;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.quant.ActivationOverride;
import dev.whittle.core.quant.ActivationPlacement;
import dev.whittle.core.quant.ActivationSpec;
import dev.whittle.core.quant.Calibration;
import dev.whittle.core.analysis.CalibrationData;
import dev.whittle.core.analysis.CalibratedQuantizer;
import dev.whittle.core.analysis.GraphPreparation;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.Int8Layout;
import dev.whittle.core.quant.QuantFormat;
import dev.whittle.core.quant.QuantReportMaps;
import dev.whittle.core.quant.QuantResult;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.QuantizeStep;
import dev.whittle.core.quant.Quantizer;
import dev.whittle.core.quant.RangeSpec;
import dev.whittle.core.quant.WeightSpec;
import dev.whittle.core.select.LayerSelector;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code whittle quantize MODEL -o OUT ...}: weight-only or static (W+A) quantization. */
@Command(name = "quantize", sortOptions = false,
        description = "Quantize weights (and optionally activations) and write an ONNX model ONNX Runtime runs.")
final class QuantizeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file.")
    Path model;

    @Mixin
    ModelOutput out = new ModelOutput();

    @Option(names = "--bits", paramLabel = "8|4", description = "Weight bits (default 8; 4 with --format matmulnbits).")
    Integer bits;

    @Option(names = "--granularity", paramLabel = "G", description = "tensor, channel or block (default channel; block with matmulnbits).")
    String granularity;

    @Option(names = "--block", paramLabel = "N", description = "Block size along the input dimension, 16-256 (default 32).")
    Integer block;

    @Option(names = "--symmetric", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Symmetric int codes (default); --no-symmetric or --asymmetric for uint codes with a zero point.")
    boolean symmetric;

    @Option(names = "--asymmetric", description = "Same as --no-symmetric.")
    boolean asymmetric;

    @Option(names = "--int8-layout", paramLabel = "L",
            description = "How symmetric 8-bit weights are stored: full, reduced (7-bit) or uint8 (zero point 128)."
                    + " Default: reduced with --placement speed or measured and with --format dynamic, uint8 with other --activations (both exact on CPUs without VNNI), else full.")
    String int8Layout;

    @Option(names = "--range", paramLabel = "R", defaultValue = "minmax",
            description = "minmax, percentile:P, mse, or LO,HI (default: ${DEFAULT-VALUE}).")
    String range;

    @Option(names = "--format", paramLabel = "F", defaultValue = "qdq", description = "qdq, matmulnbits or dynamic (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--activations", paramLabel = "C", description = "Also quantize activations, calibrated by minmax, percentile:P, entropy or mse.")
    String activations;

    @Option(names = "--act-bits", paramLabel = "8|4", defaultValue = "8", description = "Activation bits (default: ${DEFAULT-VALUE}).")
    int actBits;

    @Option(names = "--act-symmetric", description = "int8 activations with zero point 0 (default: uint8 with a zero point).")
    boolean actSymmetric;

    @Option(names = "--act-outputs", description = "Also put Q/DQ on the quantized layers' outputs.")
    boolean actOutputs;

    @Option(names = "--placement", paramLabel = "layers|graph|speed|measured[:N]",
            description = "Where activation Q/DQ pairs go: on the quantized layers' inputs (layers, default), or also between"
                    + " them after Relu/Clip and through MaxPool and shape ops, so ONNX Runtime keeps those tensors int8 (graph);"
                    + " speed: graph, then every pair that ONNX Runtime's optimized graph on this CPU keeps as a plain round"
                    + " trip to int8 and back (no int8 kernel writes or reads it) is left out, each named in the report;"
                    + " measured[:N]: speed, then every layer whose int8 kernel ONNX Runtime's profiler times slower than"
                    + " the layer in float on this machine, at N samples a run (default 1), is left wholly in float when"
                    + " the whole model is then faster, each with both times in the report.")
    String placement;

    @Option(names = "--act-override", paramLabel = "NAME=exclude|LO,HI|bits:B",
            description = "Per activation tensor (or reading node): leave in float, force a range, or force the bits. Repeatable.")
    List<String> actOverrides = new ArrayList<>();

    @Option(names = "--fold", negatable = true, description = "Prepare the float graph first with ONNX Runtime's basic"
            + " optimizer: fold BatchNormalization into Conv, fold constants (default: on with --activations, off otherwise).")
    Boolean fold;

    @picocli.CommandLine.Mixin
    CalibOptions calib = new CalibOptions();

    @Option(names = "--layers", paramLabel = "REGEX", description = "Only layers whose node or weight name matches (full match).")
    List<String> layers = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "REGEX", description = "Leave these layers in float. Repeatable.")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--ops", paramLabel = "OP", split = ",", description = "Only these op types (e.g. MatMul,Gemm or"
            + " Gather; default: every weight layer, embedding tables included).")
    List<String> ops = new ArrayList<>();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter pw = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path output = out.output;
        out.check(Map.of(), inputs());
        QuantizeStep step = new QuantizeStep(new LayerSelector(ops, layers, exclude), quantizeSpec());
        step.quantize().validate("quantize");
        OnnxModel m = OnnxReader.read(model);
        OnnxModel source = m;
        CalibrationData data = null;
        if (activations != null) {
            if (!calib.given() && actOverrides.stream().noneMatch(o -> o.contains(","))) {
                throw new BadInputException("--activations needs calibration data: add --calib FILE.npy.");
            }
            if (calib.given()) {
                data = calib.load(m.graph());
                for (String note : data.notes(m.graph())) {
                    err.println("whittle: note: calibration: " + note);
                }
            }
        } else if (calib.given()) {
            throw new BadInputException("--calib is only used with --activations.");
        }
        if (fold == null ? activations != null : fold) {
            GraphPreparation.Prepared p = GraphPreparation.fold(m);
            m = p.model();
            if (p.summary() != null) {
                err.println("whittle: note: " + p.summary() + ".");
            }
        }
        Progress progress = new Progress(err);
        QuantResult r = CalibratedQuantizer.apply(m, List.of(step), data, null, progress, null);
        progress.done();
        for (String msg : r.report().messages()) {
            err.println("whittle: note: " + msg);
        }
        err.flush();
        if (r.report().alreadyQuantized()) {
            pw.println("Nothing written: " + output + " was not created.");
            pw.flush();
            return 0;
        }
        // Whittle as the producer; the source's accuracy and the like are marked as the source's.
        OnnxModel stamped = dev.whittle.core.recipe.ModelStamp.stamp(r.model(), null);
        dev.whittle.core.eval.LoadCheck.require(stamped, output.getFileName().toString());
        out.save(stamped, err);
        long before = source.graph().fileBytes();
        long after = sizeOf(output);
        Map<String, Object> evaluation = out.evaluate(source);
        pw.print(QuantizeText.render(r.report(), source.graph().fileName(), before, output, after));
        if (evaluation != null) {
            pw.print(ApplyEvaluation.text(evaluation));
        }
        Map<String, Object> bench = out.bench(source, pw);
        pw.flush();
        if (out.report != null) {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("model", source.graph().fileName());
            root.put("output", String.valueOf(output.getFileName()));
            root.put("fileBytesBefore", before);
            root.put("fileBytesAfter", after);
            root.put("ortConfig", Map.of("session.qdq_matmulnbits_accuracy_level", "1"));
            root.putAll(QuantReportMaps.report(r.report()));
            root.put("evaluation", evaluation);
            root.put("bench", bench);
            out.writeReport(root);
        }
        return 0;
    }

    QuantizeSpec quantizeSpec() {
        QuantFormat f = QuantFormat.parse("--format", format);
        boolean nbits = f == QuantFormat.MATMULNBITS;
        Granularity g = granularity != null ? Granularity.parse("--granularity", granularity)
                : nbits ? Granularity.BLOCK : Granularity.CHANNEL;
        int b = bits != null ? bits : nbits ? 4 : 8;
        int blk = block != null ? block : g == Granularity.BLOCK ? 32 : 0;
        if (block != null && g != Granularity.BLOCK) {
            throw new BadInputException("--block is only used with --granularity block.");
        }
        WeightSpec w = new WeightSpec(b, symmetric && !asymmetric, g, blk, RangeSpec.parse("--range", range),
                int8Layout == null ? null : Int8Layout.parse("--int8-layout", int8Layout));
        ActivationSpec a = null;
        if (activations != null) {
            a = new ActivationSpec(actBits, actSymmetric, Calibration.parse("--activations", activations), actOutputs,
                    overrides(), placement == null ? null : ActivationPlacement.parse("--placement", placement),
                    ActivationPlacement.measureBatch("--placement", placement));
        } else if (!actOverrides.isEmpty() || actOutputs || actSymmetric || placement != null) {
            throw new BadInputException("--act-* options and --placement are only used with --activations.");
        }
        return new QuantizeSpec(w, a, f);
    }

    private Map<String, ActivationOverride> overrides() {
        Map<String, ActivationOverride> m = new LinkedHashMap<>();
        for (String o : actOverrides) {
            int eq = o.lastIndexOf('=');
            if (eq <= 0) {
                throw new BadInputException("--act-override '" + o + "' must be NAME=exclude, NAME=LO,HI or NAME=bits:B.");
            }
            String name = o.substring(0, eq);
            String v = o.substring(eq + 1).trim();
            if (v.equals("exclude")) {
                m.put(name, ActivationOverride.excluded());
            } else if (v.startsWith("bits:")) {
                m.put(name, ActivationOverride.bits(parseInt(o, v.substring(5))));
            } else {
                RangeSpec r = RangeSpec.parse("--act-override " + name, v);
                if (!(r instanceof RangeSpec.Explicit e)) {
                    throw new BadInputException("--act-override '" + o + "' must be NAME=exclude, NAME=LO,HI or NAME=bits:B.");
                }
                m.put(name, ActivationOverride.range(e.lo(), e.hi()));
            }
        }
        return m;
    }

    private static int parseInt(String whole, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new BadInputException("--act-override '" + whole + "': '" + v + "' is not a whole number.");
        }
    }

    static long sizeOf(Path file) {
        try {
            long n = Files.size(file);
            Path data = file.resolveSibling(file.getFileName() + ".data");
            return Files.exists(data) ? n + Files.size(data) : n;
        } catch (IOException e) {
            return -1;
        }
    }

    /** The files this command reads: the model and the calibration arrays (never written over). */
    private Path[] inputs() {
        List<Path> in = new ArrayList<>(List.of(model));
        in.addAll(calib.files());
        return in.toArray(Path[]::new);
    }

    /** Calibration progress on a terminal; silent when stderr is not one. */
    static final class Progress implements java.util.function.DoubleConsumer {
        private final PrintWriter err;
        private final boolean tty = System.console() != null;
        private boolean shown;

        Progress(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void accept(double f) {
            if (tty) {
                err.printf("\rcalibrating %3d%%", Math.round(f * 100));
                err.flush();
                shown = true;
            }
        }

        void done() {
            if (shown) {
                err.println();
            }
        }
    }
}
