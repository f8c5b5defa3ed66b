package dev.whittle.core.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.NodeInfo;
import dev.whittle.core.model.Storage;
import dev.whittle.core.model.TensorData;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.testing.Elements;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Sanity checks of a model's {@link ModelGraph} against its protobuf, shared by corpus and unit tests. */
final class ViewChecks {
    private ViewChecks() {
    }

    static void check(OnnxModel model) {
        ModelGraph g = model.graph();
        GraphProto main = model.proto().getGraph();
        assertEquals(countNodes(main), g.nodes().size(), "node count, subgraphs included");
        Set<String> names = new HashSet<>();
        for (NodeInfo n : g.nodes()) {
            assertTrue(names.add(n.name()), "node name " + n.name() + " is not unique in the view");
        }
        assertEquals(main.getInputCount(), g.inputs().size(), "inputs");
        assertEquals(main.getOutputCount(), g.outputs().size(), "outputs");

        Map<String, List<TensorData>> byName = new HashMap<>();
        g.constants().forEach(t -> byName.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(t));
        for (TensorData t : g.constants()) {
            if (t.isNumeric() && t.count() <= 1 << 20) {
                assertEquals(t.count(), t.toFloatArray().length, "values of " + t.name());
            }
        }
        List<TensorProto> dense = new ArrayList<>();
        collectDense(main, dense);
        for (TensorProto p : dense) {
            List<TensorData> candidates = byName.get(p.getName());
            assertNotNull(candidates, "constant " + p.getName() + " is missing from the view");
            Elements want = Elements.of(p);
            if (want != null && want.strings == null) {
                assertTrue(candidates.stream().anyMatch(t -> sameValues(want, t)),
                        "values of constant " + p.getName() + " differ from an independent decoding");
            }
        }
        for (WeightLayer l : g.weightLayers()) {
            checkLayer(g, l, names);
        }
    }

    private static void checkLayer(ModelGraph g, WeightLayer l, Set<String> nodeNames) {
        String what = "weight layer " + l.node();
        TensorData t = l.tensor();
        assertNotNull(t, what + " has no tensor");
        assertEquals(l.weight(), t.name(), what);
        assertTrue(g.constants().contains(t), what + ": its tensor is not among the constants");
        assertTrue(nodeNames.contains(l.node()), what + " names no node of the view");
        long product = 1;
        for (long d : l.shape()) {
            product *= d;
        }
        assertEquals(product, l.params(), what + " params");
        assertEquals(t.count(), l.params(), what + " params vs tensor");
        assertEquals(l.dtype().storageBytes(l.params()), l.bytes(), what + " bytes");
        assertEquals(t.type(), l.dtype(), what + " dtype");
        assertEquals(t.storage(), l.storage(), what + " storage");
        assertTrue(l.axis() >= 0 && l.axis() < Math.max(1, l.shape().length), what + " axis " + l.axis());
        assertEquals(l.graphPath().isEmpty(), l.storage() != Storage.SUBGRAPH, what + " graph path vs storage");
        assertTrue(t.isNumeric(), what + " is not numeric");
        int n = (int) Math.min(t.count(), 64);
        float[] head = new float[n];
        t.readFloats(0, head, 0, n);
        t.readFloats(t.count() - n, head, 0, n);
    }

    private static boolean sameValues(Elements want, TensorData t) {
        if (!t.isNumeric() || t.count() != want.count()) {
            return false;
        }
        float[] got = t.toFloatArray();
        for (int i = 0; i < got.length; i++) {
            if (Float.floatToIntBits(got[i]) != Float.floatToIntBits(want.asFloat(i))) {
                return false;
            }
        }
        return true;
    }

    static int countNodes(GraphProto g) {
        int n = g.getNodeCount();
        for (NodeProto node : g.getNodeList()) {
            for (AttributeProto a : node.getAttributeList()) {
                if (a.hasG()) {
                    n += countNodes(a.getG());
                }
                for (GraphProto s : a.getGraphsList()) {
                    n += countNodes(s);
                }
            }
        }
        return n;
    }

    /** Initializers and Constant-node {@code value} tensors, subgraphs included. */
    private static void collectDense(GraphProto g, List<TensorProto> out) {
        out.addAll(g.getInitializerList());
        for (NodeProto node : g.getNodeList()) {
            for (AttributeProto a : node.getAttributeList()) {
                if (node.getOpType().equals("Constant") && a.getName().equals("value") && node.getOutputCount() == 1) {
                    out.add(a.getT().toBuilder().setName(node.getOutput(0)).build());
                }
                if (a.hasG()) {
                    collectDense(a.getG(), out);
                }
                for (GraphProto s : a.getGraphsList()) {
                    collectDense(s, out);
                }
            }
        }
    }
}
