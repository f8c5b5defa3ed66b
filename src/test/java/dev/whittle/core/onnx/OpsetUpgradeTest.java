package dev.whittle.core.onnx;

import static dev.whittle.testing.QuantModels.intAttr;
import static dev.whittle.testing.QuantModels.intsAttr;
import static dev.whittle.testing.QuantModels.node;
import static dev.whittle.testing.QuantModels.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import dev.whittle.core.BadInputException;
import dev.whittle.testing.QuantOrt;
import dev.whittle.testing.QuantModels;
import org.junit.jupiter.api.Test;

class OpsetUpgradeTest {
    /** Ops whose attributes became inputs or whose meaning changed between opsets 11 and 21. */
    static ModelProto opset11() {
        GraphProto g = GraphProto.newBuilder().setName("old")
                .addInput(value("x", 2, 3, 4)).addOutput(value("y", 2, 3, 4)).addOutput(value("z", 2, 3))
                .addNode(node("Softmax", "soft", new String[] {"x"}, new String[] {"s"}))
                .addNode(node("Unsqueeze", "unsq", new String[] {"s"}, new String[] {"u"}, intsAttr("axes", 0)))
                .addNode(node("ReduceMean", "mean", new String[] {"u"}, new String[] {"m"}, intsAttr("axes", 3), intAttr("keepdims", 1)))
                .addNode(node("Squeeze", "sq", new String[] {"m"}, new String[] {"q"}, intsAttr("axes", 0, 3)))
                .addNode(node("Split", "split", new String[] {"q"}, new String[] {"a", "b"}, intAttr("axis", 1), intsAttr("split", 1, 2)))
                .addNode(node("ReduceSum", "sum", new String[] {"b"}, new String[] {"bs"}, intsAttr("axes", 1), intAttr("keepdims", 1)))
                .addNode(node("Concat", "cat", new String[] {"a", "bs", "a"}, new String[] {"z"}, intAttr("axis", 1)))
                .addNode(node("LogSoftmax", "logsoft", new String[] {"x"}, new String[] {"ls"}, intAttr("axis", 2)))
                .addNode(node("Split", "split2", new String[] {"ls"}, new String[] {"l1", "l2"}, intAttr("axis", 2)))
                .addNode(node("Concat", "cat2", new String[] {"l2", "l1"}, new String[] {"y"}, intAttr("axis", 2)))
                .build();
        return QuantModels.model(g, 11);
    }

    @Test
    void upgradingToOpset21KeepsWhatTheModelComputes() {
        ModelProto old = opset11();
        ModelProto up = OpsetUpgrade.upgrade(old, 21, "old.onnx");
        assertEquals(21, OpsetUpgrade.defaultOpset(up));
        assertEquals(10, up.getIrVersion());
        OnnxReader.fromProto(up, null);
        float[] x = QuantModels.random(3, 24, 2);
        long[] shape = {2, 3, 4};
        for (String out : new String[] {"y", "z"}) {
            ModelProto a = onlyOutput(old, out);
            ModelProto b = onlyOutput(up, out);
            float[] before = QuantOrt.run(a.toByteArray(), "x", shape, x);
            float[] after = QuantOrt.run(b.toByteArray(), "x", shape, x);
            assertTrue(QuantOrt.maxAbsDiff(before, after) < 1e-6, out + " differs by " + QuantOrt.maxAbsDiff(before, after));
        }
    }

    private static ModelProto onlyOutput(ModelProto p, String name) {
        GraphProto.Builder g = p.getGraph().toBuilder();
        for (int i = g.getOutputCount() - 1; i >= 0; i--) {
            if (!g.getOutput(i).getName().equals(name)) {
                g.removeOutput(i);
            }
        }
        return p.toBuilder().setGraph(g).build();
    }

    @Test
    void opsThatChangedMeaningBeyondRepairAreRefused() {
        GraphProto g = GraphProto.newBuilder().setName("up").addInput(value("x", 1, 1, 2, 2)).addOutput(value("y", 1, 1, 4, 4))
                .addInitializer(QuantModels.floats("scales", new long[] {4}, new float[] {1, 1, 2, 2}))
                .addNode(node("Upsample", "up", new String[] {"x", "scales"}, new String[] {"y"})).build();
        BadInputException e = assertThrows(BadInputException.class,
                () -> OpsetUpgrade.upgrade(QuantModels.model(g, 9), 13, "up.onnx"));
        assertTrue(e.getMessage().contains("node 'up' (Upsample) changed meaning"), e.getMessage());
    }

    @Test
    void aModelAlreadyAtTheTargetIsReturnedAsIs() {
        ModelProto m = QuantModels.matmul(4, 2, 1, 21);
        assertTrue(OpsetUpgrade.upgrade(m, 13, "m.onnx") == m);
    }
}
