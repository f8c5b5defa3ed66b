package dev.whittle.testing;

import dev.whittle.core.model.DataType;
import dev.whittle.core.onnx.GraphBuilder;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.TensorBytes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

/**
 * The shared matrix of compression methods x weight types x graph shapes that every written
 * model must survive (it must load in ONNX Runtime). Later work adds its methods to
 * {@link #METHODS} and its graph shapes to {@link #SHAPES}; the test that walks the matrix is
 * {@code dev.whittle.core.LoadsInOrtMatrixTest}.
 *
 * <p>A method is one recipe step (YAML under {@code steps:}); each graph shape names its layers
 * {@code first} and {@code last} so that steps can select them.
 */
public final class MethodMatrix {
    private MethodMatrix() {
    }

    /** A recipe step, and the shapes it applies to (null: all). */
    public record Method(String name, String step, Set<String> shapes) {
        public boolean appliesTo(String shape) {
            return shapes == null || shapes.contains(shape);
        }

        /** The whole recipe: {@code whittle: 2} so that Gather tables are reached too. */
        public String recipe() {
            return "whittle: 2\nsteps:\n  - " + step.replace("\n", "\n    ") + "\n";
        }
    }

    /** A small model of one graph shape with weights, inputs and outputs of the given float type. */
    public record Shape(String name, Function<DataType, OnnxModel> build) {
    }

    public static final List<DataType> DTYPES = List.of(DataType.FLOAT, DataType.FLOAT16, DataType.BFLOAT16);

    public static final List<Method> METHODS = methods();

    public static final List<Shape> SHAPES = List.of(
            new Shape("mlp", MethodMatrix::mlp),
            new Shape("conv", MethodMatrix::conv),
            new Shape("embedding", MethodMatrix::embedding));

    private static List<Method> methods() {
        List<Method> m = new ArrayList<>();
        Set<String> dense = Set.of("mlp", "conv");
        m.add(new Method("prune unstructured", "select: {ops: [MatMul, Conv]}\nprune: {sparsity: 0.5}", null));
        m.add(new Method("prune 2:4", "select: {ops: [MatMul, Conv]}\nprune: {structure: \"2:4\"}", null));
        m.add(new Method("prune channel", "select: {names: [first]}\nprune: {sparsity: 0.25, structure: channel}", dense));
        m.add(new Method("lowrank", "select: {ops: [MatMul, Conv]}\nlowrank: {rank: 2}", null));
        for (int bits : new int[] {8, 4}) {
            for (String sym : new String[] {"true", "false"}) {
                for (String g : new String[] {"tensor", "channel", "block, block: 16"}) {
                    m.add(new Method("qdq " + bits + "-bit " + (sym.equals("true") ? "sym" : "asym") + " " + g.split(",")[0],
                            "select: {}\nquantize:\n  weights: {bits: " + bits + ", symmetric: " + sym
                                    + ", granularity: " + g + "}", null));
                }
            }
        }
        for (String g : new String[] {"tensor", "channel"}) {
            m.add(new Method("dynamic 8-bit " + g, "select: {ops: [MatMul]}\nquantize:\n  weights: {bits: 8, granularity: "
                    + g + "}\n  format: dynamic", Set.of("mlp", "embedding")));
        }
        for (String sym : new String[] {"true", "false"}) {
            m.add(new Method("matmulnbits 4-bit " + (sym.equals("true") ? "sym" : "asym"), "select: {ops: [MatMul]}\nquantize:\n"
                    + "  weights: {bits: 4, symmetric: " + sym + ", granularity: block, block: 16}\n  format: matmulnbits",
                    Set.of("mlp", "embedding")));
        }
        return List.copyOf(m);
    }

    /** Deterministic weights in [-1, 1) as {@code type}'s little-endian bytes. */
    static ByteBuffer weights(DataType type, int n, long seed) {
        return weights(type, n, seed, type);
    }

    /** The same weights rounded to {@code values} first (float16 values stored as float32, ...). */
    static ByteBuffer weights(DataType type, int n, long seed, DataType values) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
            if (values == DataType.FLOAT16) {
                v[i] = dev.whittle.core.tensor.Numerics.halfToFloat(dev.whittle.core.tensor.Numerics.floatToHalf(v[i]));
            } else if (values == DataType.BFLOAT16) {
                v[i] = dev.whittle.core.tensor.Numerics.bfloat16ToFloat(dev.whittle.core.tensor.Numerics.floatToBfloat16(v[i]));
            }
        }
        return ByteBuffer.wrap(TensorBytes.encodeFloats(type, v)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** x[N,16] -> first: MatMul [16,32] + bias -> Relu -> last: MatMul [32,16] + bias. */
    public static OnnxModel mlp(DataType t) {
        return mlp(t, t);
    }

    /** The MLP stored as {@code t} with values rounded to {@code values} (the float16 model's values in float32). */
    public static OnnxModel mlp(DataType t, DataType values) {
        return new GraphBuilder("mlp").opset(21)
                .input("x", t, "N", 16)
                .initializer("w1", t, weights(t, 16 * 32, 1, values), 16, 32)
                .initializer("b1", t, weights(t, 32, 2, values), 32)
                .initializer("w2", t, weights(t, 32 * 16, 3, values), 32, 16)
                .initializer("b2", t, weights(t, 16, 4, values), 16)
                .node("MatMul", "x", "w1").name("first").outputs("h").done()
                .node("Add", "h", "b1").name("add1").outputs("hb").done()
                .node("Relu", "hb").name("relu").outputs("a").done()
                .node("MatMul", "a", "w2").name("last").outputs("o").done()
                .node("Add", "o", "b2").name("add2").outputs("y").done()
                .output("y", t, "N", 16)
                .toModel();
    }

    /** x[N,4,8,8] -> first: Conv 8x4x3x3 + bias -> Relu -> last: Conv 8x8x3x3 (opset 22: Conv takes bfloat16 from 22). */
    public static OnnxModel conv(DataType t) {
        return new GraphBuilder("conv").opset(22)
                .input("x", t, "N", 4, 8, 8)
                .initializer("w1", t, weights(t, 8 * 4 * 9, 5), 8, 4, 3, 3)
                .initializer("b1", t, weights(t, 8, 6), 8)
                .initializer("w2", t, weights(t, 8 * 8 * 9, 7), 8, 8, 3, 3)
                .node("Conv", "x", "w1", "b1").name("first").outputs("h").attrInts("pads", 1, 1, 1, 1).done()
                .node("Relu", "h").name("relu").outputs("a").done()
                .node("Conv", "a", "w2").name("last").outputs("y").attrInts("pads", 1, 1, 1, 1).done()
                .output("y", t, "N", 8, 8, 8)
                .toModel();
    }

    /** ids[N] -> first: Gather of a [64,16] table -> last: MatMul [16,32] (an embedding then a projection). */
    public static OnnxModel embedding(DataType t) {
        return new GraphBuilder("embedding").opset(21)
                .input("ids", DataType.INT64, "N")
                .initializer("table", t, weights(t, 64 * 16, 8), 64, 16)
                .initializer("w", t, weights(t, 16 * 32, 9), 16, 32)
                .node("Gather", "table", "ids").name("first").outputs("e").done()
                .node("MatMul", "e", "w").name("last").outputs("y").done()
                .output("y", t, "N", 32)
                .toModel();
    }
}
