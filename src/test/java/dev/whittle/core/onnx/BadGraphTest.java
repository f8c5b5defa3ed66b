package dev.whittle.core.onnx;

import static dev.whittle.core.onnx.Rejections.rejects;
import static dev.whittle.testing.TinyModels.FLOAT;
import static dev.whittle.testing.TinyModels.node;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import dev.whittle.testing.TinyModels;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Graphs that are not well-formed (duplicates, cycles, dangling inputs, absurd nesting) are refused. */
class BadGraphTest {
    @TempDir
    Path dir;

    private Path write(String name, GraphProto g) {
        return TinyModels.write(TinyModels.model(g), dir.resolve(name));
    }

    @Test
    void twoInitializersWithTheSameNameAreRejected() {
        GraphProto g = TinyModels.matmul(2, 3).getGraph().toBuilder()
                .addInitializer(TinyModels.floats("W", new float[6], 2, 3)).build();
        String msg = rejects(write("dup-init.onnx", g), ModelProblem.DUPLICATE_NAME).getMessage();
        assertTrue(msg.contains("'W'"), msg);
    }

    @Test
    void twoNodesProducingTheSameOutputAreRejected() {
        GraphProto g = TinyModels.matmul(2, 3).getGraph().toBuilder()
                .addNode(node("Relu", "relu", new String[] {"X"}, "Y")).build();
        String msg = rejects(write("dup-output.onnx", g), ModelProblem.DUPLICATE_NAME).getMessage();
        assertTrue(msg.contains("'Y'") && msg.contains("relu"), msg);
    }

    @Test
    void aCycleIsRejected() {
        GraphProto g = GraphProto.newBuilder().setName("cycle")
                .addInput(TinyModels.value("X", FLOAT, 2))
                .addNode(node("Add", "a", new String[] {"X", "C"}, "B"))
                .addNode(node("Relu", "b", new String[] {"B"}, "C"))
                .addOutput(TinyModels.value("C", FLOAT, 2)).build();
        String msg = rejects(write("cycle.onnx", g), ModelProblem.CYCLE).getMessage();
        assertTrue(msg.contains("'a'") && msg.contains("'b'"), msg);
    }

    @Test
    void aNodeReadingAValueNobodyProducesIsRejected() {
        GraphProto g = TinyModels.matmul(2, 3).getGraph().toBuilder()
                .setNode(0, node("MatMul", "mm", new String[] {"X", "V"}, "Y")).build();
        String msg = rejects(write("dangling.onnx", g), ModelProblem.DANGLING_INPUT).getMessage();
        assertTrue(msg.contains("'V'") && msg.contains("mm"), msg);
    }

    @Test
    void aGraphOutputNobodyProducesIsRejected() {
        GraphProto g = TinyModels.matmul(2, 3).getGraph().toBuilder().addOutput(TinyModels.value("Z", FLOAT, 1)).build();
        rejects(write("dangling-output.onnx", g), ModelProblem.DANGLING_INPUT);
    }

    @Test
    void aSubgraphMayReadValuesOfTheEnclosingGraph() {
        OnnxReader.read(write("nested-ok.onnx", nestedIfs(5)));
    }

    @Test
    void aSubgraphReadingAValueOfASiblingSubgraphIsRejected() {
        GraphProto thenBranch = GraphProto.newBuilder().setName("then")
                .addNode(node("Identity", "t", new String[] {"X"}, "T")).addOutput(TinyModels.value("T", FLOAT, 1)).build();
        GraphProto elseBranch = GraphProto.newBuilder().setName("else")
                .addNode(node("Identity", "e", new String[] {"T"}, "E")).addOutput(TinyModels.value("E", FLOAT, 1)).build();
        NodeProto iff = node("If", "if", new String[] {"cond"}, "Y").toBuilder()
                .addAttribute(TinyModels.graphAttr("then_branch", thenBranch))
                .addAttribute(TinyModels.graphAttr("else_branch", elseBranch)).build();
        GraphProto g = GraphProto.newBuilder().setName("main").addInput(TinyModels.value("cond", 9))
                .addInput(TinyModels.value("X", FLOAT, 1)).addNode(iff).addOutput(TinyModels.value("Y", FLOAT, 1)).build();
        rejects(write("sibling.onnx", g), ModelProblem.DANGLING_INPUT);
    }

    @Test
    void aModelBuiltInMemoryWithThousandsOfNestedSubgraphsIsRejectedNotAStackOverflow() {
        ModelProto m = TinyModels.model(nestedIfs(3000));
        rejects(InvalidModelException.class, () -> OnnxReader.fromProto(m, dir.resolve("deep-memory.onnx")),
                "deep-memory.onnx", ModelProblem.NESTED_TOO_DEEP);
    }

    /** {@code depth} If nodes, each in the then-branch of the one above, all reading X of the main graph. */
    static GraphProto nestedIfs(int depth) {
        GraphProto inner = GraphProto.newBuilder().setName("leaf")
                .addNode(node("Identity", "leaf", new String[] {"X"}, "L")).addOutput(TinyModels.value("L", FLOAT, 1)).build();
        for (int i = depth - 1; i >= 0; i--) {
            String out = i == 0 ? "Y" : "Y" + i;
            NodeProto iff = node("If", "if" + i, new String[] {"cond"}, out).toBuilder()
                    .addAttribute(TinyModels.graphAttr("then_branch", inner))
                    .addAttribute(TinyModels.graphAttr("else_branch", GraphProto.newBuilder().setName("e" + i)
                            .addNode(node("Identity", "else" + i, new String[] {"X"}, "E" + i))
                            .addOutput(TinyModels.value("E" + i, FLOAT, 1)).build()))
                    .build();
            GraphProto.Builder g = GraphProto.newBuilder().setName("g" + i).addNode(iff).addOutput(TinyModels.value(out, FLOAT, 1));
            if (i == 0) {
                g.addInput(TinyModels.value("cond", 9)).addInput(TinyModels.value("X", FLOAT, 1));
            }
            inner = g.build();
        }
        return inner;
    }
}
