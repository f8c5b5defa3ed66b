package dev.whittle.cli;

import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.ValueInfo;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import dev.whittle.core.eval.KernelCounts;
import dev.whittle.core.eval.SessionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code whittle inspect MODEL [--json]}: the model summary and its weight layers. */
@Command(name = "inspect", description = "Show a model's summary and its weight layers.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file.")
    Path model;

    @Option(names = "--json", description = "Print JSON (keys documented in the README).")
    boolean json;

    @Option(names = "--kernels", description = "Show what ONNX Runtime's optimized graph runs: op counts, int8 kernels,"
            + " Q/DQ left, and the Conv/Gemm/MatMul nodes that run in float.")
    boolean kernels;

    @Option(names = "--opt-level", paramLabel = "basic|extended|all", defaultValue = "all",
            description = "Optimization level for --kernels (default: ${DEFAULT-VALUE}).")
    String optLevel;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        if (kernels) {
            KernelCounts k = KernelCounts.of(OnnxReader.read(model), SessionSpec.defaults(), SessionSpec.OptLevel.parse(optLevel));
            out.print(json ? Json.write(kernelJson(k)) + "\n" : kernelText(k));
            out.flush();
            return 0;
        }
        ModelGraph g = OnnxReader.read(model).graph();
        out.print(json ? Json.write(toJson(g)) + "\n" : text(g));
        out.flush();
        return 0;
    }

    static Map<String, Object> kernelJson(KernelCounts k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", k.model());
        m.put("optLevel", k.optLevel());
        m.put("ops", k.ops());
        m.put("int8Kernels", k.int8());
        m.put("quantizeLinear", k.quantizeLinear());
        m.put("dequantizeLinear", k.dequantizeLinear());
        m.put("floatNodes", k.floatNodes());
        m.put("conversions", k.conversions());
        return m;
    }

    static String kernelText(KernelCounts k) {
        StringBuilder sb = new StringBuilder();
        sb.append(k.model()).append(": ONNX Runtime's optimized graph (").append(k.optLevel()).append(", cpu)\n");
        sb.append("ops: ");
        sb.append(String.join(", ", k.ops().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList()));
        sb.append('\n');
        sb.append("int8 weight kernels: ").append(k.int8()).append("; QuantizeLinear left: ").append(k.quantizeLinear())
                .append("; DequantizeLinear left: ").append(k.dequantizeLinear()).append('\n');
        sb.append("Conv/Gemm/MatMul in float: ").append(k.floatNodes().size());
        sb.append(k.floatNodes().isEmpty() ? "\n" : ":\n");
        k.floatNodes().forEach(n -> sb.append("  ").append(n).append('\n'));
        if (!k.conversions().isEmpty()) {
            sb.append("Q/DQ left, by why (the float op beside each):\n");
            java.util.Map<String, java.util.List<String>> by = new java.util.TreeMap<>();
            k.conversions().forEach(c -> by.computeIfAbsent(c.op() + " " + c.reason(), x -> new ArrayList<>()).add(c.tensor()));
            by.forEach((why, tensors) -> sb.append("  ").append(tensors.size()).append(" x ").append(why).append(": ")
                    .append(String.join(", ", tensors.subList(0, Math.min(4, tensors.size()))))
                    .append(tensors.size() > 4 ? " and " + (tensors.size() - 4) + " more" : "").append('\n'));
        }
        return sb.toString();
    }

    static Map<String, Object> toJson(ModelGraph g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", g.fileName());
        m.put("fileBytes", g.fileBytes());
        m.put("irVersion", g.irVersion());
        m.put("producer", (g.producer() + " " + g.producerVersion()).trim());
        m.put("opsets", g.opsets());
        m.put("params", g.params());
        m.put("constantBytes", g.constantBytes());
        m.put("nodes", g.nodes().size());
        m.put("opCounts", g.opCounts());
        m.put("inputs", values(g.inputs()));
        m.put("outputs", values(g.outputs()));
        List<Map<String, Object>> layers = new ArrayList<>();
        for (WeightLayer l : g.weightLayers()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("node", l.node());
            o.put("op", l.op());
            o.put("weight", l.weight());
            o.put("shape", l.shape());
            o.put("params", l.params());
            o.put("bytes", l.bytes());
            o.put("dtype", l.dtype().displayName());
            o.put("storage", l.storage().displayName());
            o.put("axis", l.axis());
            o.put("quantized", l.quantized());
            o.put("graph", l.graphPath());
            layers.add(o);
        }
        m.put("weightLayers", layers);
        m.put("metadata", g.metadata());
        return m;
    }

    private static List<Map<String, Object>> values(List<ValueInfo> vs) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ValueInfo v : vs) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("name", v.name());
            o.put("kind", v.kind());
            o.put("type", v.type() == null ? null : v.type().displayName());
            o.put("shape", v.shape() == null ? null : v.shape().stream().map(Object::toString).toList());
            out.add(o);
        }
        return out;
    }

    static String text(ModelGraph g) {
        StringBuilder sb = new StringBuilder();
        sb.append(g.fileName()).append("  (").append(Units.bytes(g.fileBytes())).append(")\n");
        sb.append("  IR version ").append(g.irVersion()).append(", opsets ").append(opsetText(g))
                .append(g.producer().isEmpty() ? "" : ", produced by " + (g.producer() + " " + g.producerVersion()).trim())
                .append('\n');
        sb.append("  ").append(Units.count(g.params())).append(" parameters in ").append(g.constants().size())
                .append(" constant tensors (").append(Units.bytes(g.constantBytes())).append("), ")
                .append(g.nodes().size()).append(" nodes, ").append(g.weightLayers().size()).append(" weight layers\n");
        for (ValueInfo v : g.inputs()) {
            sb.append("  input  ").append(v.name()).append(": ").append(v.type() == null ? v.kind() : v.type())
                    .append(' ').append(v.shapeText()).append('\n');
        }
        for (ValueInfo v : g.outputs()) {
            sb.append("  output ").append(v.name()).append(": ").append(v.type() == null ? v.kind() : v.type())
                    .append(' ').append(v.shapeText()).append('\n');
        }
        sb.append("  ops: ");
        g.opCounts().forEach((op, n) -> sb.append(op).append(" x").append(n).append("  "));
        sb.append("\n\n");
        // a "graph" column (the If/Loop/Scan body a layer lives in) only when some layer is in one
        boolean bodies = g.weightLayers().stream().anyMatch(l -> !l.graphPath().isEmpty());
        List<String> head = new ArrayList<>(List.of("node", "op", "weight", "shape", "params", "dtype", "size", "storage",
                "axis", "quantized"));
        if (bodies) {
            head.add(1, "graph");
        }
        Table t = new Table(head.toArray(String[]::new));
        for (WeightLayer l : g.weightLayers()) {
            List<String> row = new ArrayList<>(List.of(l.node(), l.op(), l.weight(), l.shapeText(), Units.count(l.params()),
                    l.dtype().displayName(), Units.bytes(l.bytes()), l.storage().displayName(), Integer.toString(l.axis()),
                    l.quantized() ? "yes" : ""));
            if (bodies) {
                row.add(1, l.graphPath().isEmpty() ? "main" : l.graphPath());
            }
            t.row(row.toArray(String[]::new));
        }
        sb.append(t.render());
        if (bodies) {
            sb.append("Layers inside If/Loop/Scan bodies are reached by a recipe step with select.graphs: all (or a"
                    + " regex on the graph path); commands without a recipe reach every graph.\n");
        }
        return sb.toString();
    }

    private static String opsetText(ModelGraph g) {
        List<String> parts = new ArrayList<>();
        g.opsets().forEach((d, v) -> parts.add((d.isEmpty() ? "ai.onnx" : d) + " " + v));
        return String.join(", ", parts);
    }
}
