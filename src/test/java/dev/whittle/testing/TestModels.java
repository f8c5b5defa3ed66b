package dev.whittle.testing;

import dev.whittle.core.model.DataType;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.GraphBuilder;

/** Small graphs with fixed random weights that the transform tests share. */
public final class TestModels {
    private TestModels() {
    }

    static float[] w(long seed, int n) {
        return Tensor.random(seed, n).data();
    }

    /**
     * x[N,16] -> Gemm(transB=1, W1[12,16], b1) -> Relu -> Gemm(transB=0, W2[12,8], b2) -> Relu
     * -> MatMul(W3[8,4]) -> Add(b3[4]) -> y[N,4].
     */
    public static OnnxModel mlp() {
        return new GraphBuilder("mlp")
                .input("x", DataType.FLOAT, "N", 16)
                .initializer("W1", w(1, 12 * 16), 12, 16).initializer("b1", w(2, 12), 12)
                .initializer("W2", w(3, 12 * 8), 12, 8).initializer("b2", w(4, 8), 8)
                .initializer("W3", w(5, 8 * 4), 8, 4).initializer("b3", w(6, 4), 4)
                .node("Gemm", "x", "W1", "b1").name("fc1").attr("transB", 1L).outputs("h1").done()
                .node("Relu", "h1").name("relu1").outputs("a1").done()
                .node("Gemm", "a1", "W2", "b2").name("fc2").outputs("h2").done()
                .node("Relu", "h2").name("relu2").outputs("a2").done()
                .node("MatMul", "a2", "W3").name("fc3").outputs("h3").done()
                .node("Add", "h3", "b3").name("bias3").outputs("y").done()
                .output("y", DataType.FLOAT, "N", 4)
                .toModel();
    }

    /**
     * x[N,4,8,8] -> Conv(W1[8,2,3,3], b1, group=2, pad 1) -> Relu -> MaxPool 2x2 -> Conv(W2[8,8,3,3],
     * b2, pad 1) -> Relu -> Flatten -> Gemm(transB=1, W3[5,128], b3) -> y[N,5].
     */
    public static OnnxModel cnn() {
        return new GraphBuilder("cnn")
                .input("x", DataType.FLOAT, "N", 4, 8, 8)
                .initializer("W1", w(11, 8 * 2 * 9), 8, 2, 3, 3).initializer("b1", w(12, 8), 8)
                .initializer("W2", w(13, 8 * 8 * 9), 8, 8, 3, 3).initializer("b2", w(14, 8), 8)
                .initializer("W3", w(15, 5 * 128), 5, 128).initializer("b3", w(16, 5), 5)
                .node("Conv", "x", "W1", "b1").name("conv1").attr("group", 2L).attrInts("pads", 1, 1, 1, 1)
                .attrInts("kernel_shape", 3, 3).outputs("c1").done()
                .node("Relu", "c1").name("relu1").outputs("r1").done()
                .node("MaxPool", "r1").name("pool1").attrInts("kernel_shape", 2, 2).attrInts("strides", 2, 2)
                .outputs("p1").done()
                .node("Conv", "p1", "W2", "b2").name("conv2").attrInts("pads", 1, 1, 1, 1).outputs("c2").done()
                .node("Relu", "c2").name("relu2").outputs("r2").done()
                .node("Flatten", "r2").name("flat").attr("axis", 1L).outputs("f").done()
                .node("Gemm", "f", "W3", "b3").name("fc").attr("transB", 1L).outputs("y").done()
                .output("y", DataType.FLOAT, "N", 5)
                .toModel();
    }
}
