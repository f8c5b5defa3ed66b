package dev.whittle.train;

import dev.whittle.core.model.DataType;
import dev.whittle.core.onnx.GraphBuilder;
import java.util.List;
import java.util.Random;

/**
 * The two sample architectures and their ONNX export. Both take "input" float32 [N,1,28,28]
 * (pixels x/255) and return "logits" float32 [N,10]. The MLP stores weights [in,out] for
 * MatMul + Add; the CNN uses Conv with bias and Gemm with transB=1 (weights [out,in]).
 */
final class FashionModels {
    private FashionModels() {
    }

    static Net mlp(Random rnd, float lr) {
        return new Net(List.of(
                new Dense(784, 256, rnd), new Layer.Relu(256),
                new Dense(256, 128, rnd), new Layer.Relu(128),
                new Dense(128, 10, rnd)), lr);
    }

    static Net cnn(Random rnd, float lr) {
        return new Net(List.of(
                new Conv2d(1, 6, 5, 2, 28, 28, rnd), new Layer.Relu(6 * 28 * 28), new Layer.MaxPool2(6, 28, 28),
                new Conv2d(6, 16, 5, 0, 14, 14, rnd), new Layer.Relu(16 * 10 * 10), new Layer.MaxPool2(16, 10, 10),
                new Dense(400, 120, rnd), new Layer.Relu(120),
                new Dense(120, 84, rnd), new Layer.Relu(84),
                new Dense(84, 10, rnd)), lr);
    }

    private static GraphBuilder start(String name) {
        return new GraphBuilder(name)
                .producer("whittle-train", dev.whittle.core.WhittleVersion.get())
                .input("input", DataType.FLOAT, "N", 1, 28, 28)
                .output("logits", DataType.FLOAT, "N", 10);
    }

    static GraphBuilder exportMlp(Net net) {
        GraphBuilder g = start("fashion_mlp");
        g.node("Flatten", "input").name("flatten").outputs("flat").attr("axis", 1);
        String x = "flat";
        int fc = 0;
        for (Layer l : net.layers) {
            if (l instanceof Dense d) {
                fc++;
                String p = "fc" + fc;
                g.initializer(p + ".weight", d.weight.w, d.in, d.out)
                        .initializer(p + ".bias", d.bias.w, d.out)
                        .node("MatMul", x, p + ".weight").name(p).outputs(p + "_matmul").done()
                        .node("Add", p + "_matmul", p + ".bias").name(p + "_bias").outputs(fc == 3 ? "logits" : p + "_out");
                x = p + "_out";
            } else {
                g.node("Relu", x).name("relu" + fc).outputs("relu" + fc + "_out");
                x = "relu" + fc + "_out";
            }
        }
        return g;
    }

    static GraphBuilder exportCnn(Net net) {
        GraphBuilder g = start("fashion_cnn");
        String x = "input";
        int conv = 0;
        int fc = 0;
        int relu = 0;
        int pool = 0;
        for (int i = 0; i < net.layers.size(); i++) {
            Layer l = net.layers.get(i);
            boolean last = i == net.layers.size() - 1;
            String name;
            if (l instanceof Conv2d c) {
                name = "conv" + (++conv);
                g.initializer(name + ".weight", c.weight.w, c.cout, c.cin, c.k, c.k)
                        .initializer(name + ".bias", c.bias.w, c.cout)
                        .node("Conv", x, name + ".weight", name + ".bias").name(name).outputs(name + "_out")
                        .attrInts("kernel_shape", c.k, c.k).attrInts("pads", c.pad, c.pad, c.pad, c.pad)
                        .attrInts("strides", 1, 1).attrInts("dilations", 1, 1).attr("group", 1);
            } else if (l instanceof Dense d) {
                if (fc == 0) {
                    g.node("Flatten", x).name("flatten").outputs("flat").attr("axis", 1);
                    x = "flat";
                }
                name = "fc" + (++fc);
                g.initializer(name + ".weight", transpose(d.weight.w, d.in, d.out), d.out, d.in)
                        .initializer(name + ".bias", d.bias.w, d.out)
                        .node("Gemm", x, name + ".weight", name + ".bias").name(name).outputs(last ? "logits" : name + "_out")
                        .attr("transB", 1).attr("alpha", 1f).attr("beta", 1f);
            } else if (l instanceof Layer.MaxPool2) {
                name = "pool" + (++pool);
                g.node("MaxPool", x).name(name).outputs(name + "_out")
                        .attrInts("kernel_shape", 2, 2).attrInts("strides", 2, 2);
            } else {
                name = "relu" + (++relu);
                g.node("Relu", x).name(name).outputs(name + "_out");
            }
            x = name + "_out";
        }
        return g;
    }

    /** [rows, cols] to [cols, rows], C order. */
    static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = a[r * cols + c];
            }
        }
        return t;
    }
}
