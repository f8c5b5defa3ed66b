package dev.whittle.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.whittle.core.model.DataType;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.onnx.GraphBuilder;
import org.junit.jupiter.api.Test;

/** ONNX Runtime's kernel names mapped back to the model's layers and nodes. */
class KernelMapTest {
    /** x -> Gemm "fc1/MatMulAddFusion" (a name ORT's offline optimizer gave a folded MatMul + Add) -> Relu "fc1/act". */
    private static ModelGraph folded() {
        GraphBuilder b = new GraphBuilder("g").opset(17).input("x", DataType.FLOAT, 1L, 4L);
        b.initializer("w", new float[16], 4, 4);
        b.node("Gemm", "x", "w").name("fc1/MatMulAddFusion").outputs("h");
        b.node("Relu", "h").name("fc1/act").outputs("y");
        b.output("y", DataType.FLOAT, 1L, 4L);
        return b.toModel().graph();
    }

    @Test
    void aLayerNamedAfterAFusionKeepsItsName() {
        KernelMap map = new KernelMap(folded(), folded());
        KernelMap.Origin o = map.map("fc1/MatMulAddFusion", "QGemm");
        assertEquals(NodeProfile.Kind.LAYER, o.kind());
        assertEquals("fc1/MatMulAddFusion", o.layer());
        // ORT's quantized copy of it, named after the layer
        assertEquals("fc1/MatMulAddFusion", map.map("fc1/MatMulAddFusion_quant", "QGemm").layer());
    }

    @Test
    void aFusionFolderAddedByOrtIsStrippedToTheFirstFusedNode() {
        KernelMap map = new KernelMap(folded(), folded());
        KernelMap.Origin o = map.map("fc1/act/ReluFusion/", "Relu");
        assertEquals(NodeProfile.Kind.OTHER, o.kind());
        assertEquals("fc1/act", o.node());
        assertNull(o.layer());
        assertEquals(NodeProfile.Kind.UNMAPPED, map.map("ReorderOutput", "ReorderOutput").kind());
    }
}
