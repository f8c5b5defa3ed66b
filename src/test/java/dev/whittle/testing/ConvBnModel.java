package dev.whittle.testing;

import dev.whittle.core.model.DataType;
import dev.whittle.core.onnx.GraphBuilder;
import dev.whittle.core.onnx.OnnxModel;

/**
 * input [N, 3, 8, 8] -> Conv 3x3 (8 channels, bias) -> BatchNormalization -> Relu -> Conv 1x1
 * (4 channels, no bias) -> BatchNormalization -> output [N, 4, 8, 8]; fixed seeded weights.
 */
public final class ConvBnModel {
    private ConvBnModel() {
    }

    public static OnnxModel build() {
        GraphBuilder b = new GraphBuilder("convbn").opset(17).input("input", DataType.FLOAT, "N", 3L, 8L, 8L);
        b.initializer("w1", QuantModels.random(1, 8 * 3 * 9, 0.3), 8, 3, 3, 3);
        b.initializer("b1", QuantModels.random(2, 8, 0.1), 8);
        bn(b, "bn1", 8, 10);
        b.initializer("w2", QuantModels.random(3, 4 * 8, 0.3), 4, 8, 1, 1);
        bn(b, "bn2", 4, 20);
        b.node("Conv", "input", "w1", "b1").name("conv1").outputs("c1").attrInts("kernel_shape", 3, 3)
                .attrInts("pads", 1, 1, 1, 1);
        b.node("BatchNormalization", "c1", "bn1.scale", "bn1.bias", "bn1.mean", "bn1.var").name("bn1").outputs("n1")
                .attr("epsilon", 1e-5f);
        b.node("Relu", "n1").name("relu1").outputs("r1");
        b.node("Conv", "r1", "w2").name("conv2").outputs("c2").attrInts("kernel_shape", 1, 1);
        b.node("BatchNormalization", "c2", "bn2.scale", "bn2.bias", "bn2.mean", "bn2.var").name("bn2").outputs("output");
        b.output("output", DataType.FLOAT, "N", 4L, 8L, 8L);
        return b.toModel();
    }

    private static void bn(GraphBuilder b, String name, int c, long seed) {
        float[] scale = QuantModels.random(seed, c, 0.5);
        float[] var = QuantModels.random(seed + 1, c, 0.5);
        for (int i = 0; i < c; i++) {
            scale[i] += 1f;
            var[i] = 0.2f + var[i] * var[i];
        }
        b.initializer(name + ".scale", scale, c);
        b.initializer(name + ".bias", QuantModels.random(seed + 2, c, 0.3), c);
        b.initializer(name + ".mean", QuantModels.random(seed + 3, c, 0.3), c);
        b.initializer(name + ".var", var, c);
    }
}
