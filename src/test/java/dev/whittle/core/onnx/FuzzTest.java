package dev.whittle.core.onnx;

import static dev.whittle.testing.TinyModels.FLOAT;
import static dev.whittle.testing.TinyModels.node;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.whittle.core.model.TensorData;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.testing.TinyModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutated bytes of a small model that uses every storage kind must either load (and then read,
 * save and re-load cleanly) or fail with an {@link InvalidModelException}: never another
 * exception, an error such as OutOfMemoryError or StackOverflowError, or a hang.
 */
class FuzzTest {
    /** 500 by default; raise with -Dwhittle.fuzzRounds=N (and -Dwhittle.fuzzSeed=S) for a longer hunt. */
    private static final int ROUNDS = Integer.getInteger("whittle.fuzzRounds", 500);
    private static final long SEED = Long.getLong("whittle.fuzzSeed", 20240601L);

    @TempDir
    Path dir;

    @Test
    void mutatedModelsLoadOrFailWithInvalidModelExceptionOnly() throws IOException {
        byte[] base = richModel().toByteArray();
        OnnxReader.read(Files.write(dir.resolve("base.onnx"), base));
        Random r = new Random(SEED);
        List<String> bad = new ArrayList<>();
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(Math.max(90, ROUNDS / 10)), () -> {
            for (int i = 0; i < ROUNDS; i++) {
                byte[] m = mutate(base, r);
                Path f = Files.write(dir.resolve("fuzz.onnx"), m);
                try {
                    exercise(OnnxReader.read(f), dir.resolve("saved.onnx"));
                    outcomes[0]++;
                } catch (InvalidModelException e) {
                    outcomes[1]++;
                } catch (Throwable t) {
                    bad.add("round " + i + ": " + t);
                }
            }
        });
        System.out.println("fuzz: " + ROUNDS + " mutations, " + outcomes[0] + " loaded, " + outcomes[1] + " rejected");
        assertTrue(bad.isEmpty(), bad.size() + " mutations escaped as other exceptions:\n" + String.join("\n", bad));
        assertTrue(outcomes[0] > 10 && outcomes[1] > 10, "the mutations should both pass and fail sometimes");
    }

    /** Reads every value the view offers, then saves and re-opens the model. */
    private static void exercise(OnnxModel model, Path saved) {
        for (TensorData t : model.graph().constants()) {
            if (t.isNumeric() && t.count() <= 1 << 20) {
                t.toFloatArray();
            }
        }
        for (WeightLayer l : model.graph().weightLayers()) {
            l.outputChannels();
        }
        model.save(saved);
        OnnxReader.read(saved);
    }

    private static byte[] mutate(byte[] base, Random r) {
        byte[] m = base.clone();
        switch (r.nextInt(5)) {
            case 0 -> {
                for (int k = 1 + r.nextInt(4); k > 0; k--) {
                    m[r.nextInt(m.length)] ^= (byte) (1 + r.nextInt(255));
                }
            }
            case 1 -> m = Arrays.copyOf(m, 1 + r.nextInt(m.length - 1));
            case 2 -> m[r.nextInt(m.length)] = (byte) new int[] {0x00, 0x7f, 0x80, 0xff}[r.nextInt(4)];
            case 3 -> {
                int at = r.nextInt(m.length);
                int n = 1 + r.nextInt(8);
                byte[] out = new byte[m.length + n];
                System.arraycopy(m, 0, out, 0, at);
                for (int k = 0; k < n; k++) {
                    out[at + k] = (byte) r.nextInt(256);
                }
                System.arraycopy(m, at, out, at + n, m.length - at);
                m = out;
            }
            default -> {
                // A huge varint where a length or a dim might be.
                int at = r.nextInt(m.length - 10);
                for (int k = 0; k < 9; k++) {
                    m[at + k] = (byte) 0xff;
                }
                m[at + 9] = 0x01;
            }
        }
        return m;
    }

    /** Initializer, typed Constant, If with a subgraph initializer, sparse initializer, metadata. */
    static ModelProto richModel() {
        TensorProto typed = TensorProto.newBuilder().setDataType(FLOAT).addDims(2).addDims(2)
                .addFloatData(1).addFloatData(-2).addFloatData(3).addFloatData(-4).build();
        NodeProto constant = node("Constant", "c", new String[0], "C").toBuilder()
                .addAttribute(TinyModels.tensorAttr("value", typed)).build();
        GraphProto thenBranch = GraphProto.newBuilder().setName("then")
                .addInitializer(TinyModels.floats("B", new float[] {0.5f, 0.25f}, 2, 1))
                .addNode(node("MatMul", "inner", new String[] {"C", "B"}, "T"))
                .addOutput(TinyModels.value("T", FLOAT, 2, 1)).build();
        GraphProto elseBranch = GraphProto.newBuilder().setName("else")
                .addNode(node("Identity", "e", new String[] {"C"}, "E")).addOutput(TinyModels.value("E", FLOAT, 2, 2)).build();
        NodeProto iff = node("If", "if", new String[] {"cond"}, "I").toBuilder()
                .addAttribute(TinyModels.graphAttr("then_branch", thenBranch))
                .addAttribute(TinyModels.graphAttr("else_branch", elseBranch)).build();
        SparseTensorProto sparse = SparseTensorProto.newBuilder().addDims(2).addDims(3)
                .setValues(TinyModels.floats("S", new float[] {7, 8}, 2))
                .setIndices(TensorProto.newBuilder().setName("S.idx").setDataType(7).addDims(2).addInt64Data(1).addInt64Data(5))
                .build();
        GraphProto g = TinyModels.matmul(2, 3).getGraph().toBuilder()
                .addInput(TinyModels.value("cond", 9))
                .addNode(constant).addNode(iff)
                .addSparseInitializer(sparse)
                .addOutput(TinyModels.value("I", FLOAT))
                .addValueInfo(TinyModels.value("C", FLOAT, 2, 2))
                .setDocString("fuzz base").build();
        return TinyModels.model(g).toBuilder().addMetadataProps(TinyModels.entry("author", "whittle")).build();
    }
}
