package dev.whittle.ui;

import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.ValueInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** The facts the summary panel shows about a model, as plain text (no JavaFX): easy to test. */
public final class ModelSummary {
    private ModelSummary() {
    }

    public static List<SummaryItem> general(ModelGraph g) {
        List<SummaryItem> items = new ArrayList<>();
        items.add(new SummaryItem("File", g.fileName(), g.path() == null ? "Built in memory."
                : String.valueOf(g.path().toAbsolutePath())));
        items.add(new SummaryItem("Size", Format.bytes(g.fileBytes()),
                "Bytes on disk: the .onnx file plus any external data files next to it."));
        items.add(new SummaryItem("IR version", Long.toString(g.irVersion()),
                "Version of the ONNX file format (IR). It decides which data types and features the file may use."));
        items.add(new SummaryItem("Opsets", opsets(g),
                "Operator set versions the model imports, per domain. They fix what each op (Conv, MatMul...) means."));
        String producer = (g.producer() + " " + g.producerVersion()).trim();
        items.add(new SummaryItem("Producer", producer.isEmpty() ? "unknown" : producer,
                "The tool that wrote the file, e.g. the PyTorch exporter."));
        items.add(new SummaryItem("Parameters", Format.count(g.params()) + " (" + Format.shortCount(g.params()) + ")",
                "Elements of all constant tensors (weights, biases, embeddings, other constants): what the model learned."));
        items.add(new SummaryItem("Constants", Format.bytes(g.constantBytes()) + " in " + g.constants().size() + " tensors",
                "Bytes the constant tensors take when stored densely; usually most of the file. Compression shrinks this."));
        items.add(new SummaryItem("Nodes", Format.count(g.nodes().size()),
                "Operations in the graph (subgraphs included)."));
        items.add(new SummaryItem("Weight layers", Integer.toString(g.weightLayers().size()),
                "Conv, ConvTranspose, Gemm and MatMul nodes whose weight is a constant, and Gather nodes reading a"
                        + " constant float table (embeddings): what pruning, quantization and low-rank factorization act on."));
        if (g.subgraphCount() > 0 || g.functionCount() > 0) {
            items.add(new SummaryItem("Subgraphs", g.subgraphCount() + " subgraphs, " + g.functionCount() + " functions",
                    "Bodies of If/Loop/Scan nodes and model-local functions."));
        }
        return items;
    }

    public static List<SummaryItem> values(List<ValueInfo> values) {
        List<SummaryItem> items = new ArrayList<>();
        for (ValueInfo v : values) {
            String type = v.type() == null ? v.kind() : v.type().displayName();
            items.add(new SummaryItem(v.name(), type + " " + v.shapeText(),
                    "Element type and shape. Named dimensions (such as 'batch') may take any size at run time."));
        }
        return items;
    }

    /** Op type and node count, most frequent first, then by name. */
    public static List<Map.Entry<String, Integer>> opCounts(ModelGraph g) {
        List<Map.Entry<String, Integer>> list = new ArrayList<>(g.opCounts().entrySet());
        list.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()));
        return list;
    }

    static String opsets(ModelGraph g) {
        List<String> parts = new ArrayList<>();
        g.opsets().forEach((d, v) -> parts.add((d.isEmpty() ? "ai.onnx" : d) + " " + v));
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }
}
