package dev.whittle.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.model.DataType;
import dev.whittle.core.onnx.OnnxModel;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataChecksTest {
    @TempDir
    Path dir;

    static OnnxModel model() {
        return TinyModels.linear(TinyModels.randomWeights(4 * 3, 1), new float[3], 4, 3);
    }

    static String failureBeforeAnyRun(Dataset d) {
        int before = EvalSession.openSessions();
        BadInputException e = assertThrows(BadInputException.class, () ->
                new Evaluator().evaluate(EvalRequest.of(model(), d, 2), ProgressSink.NONE, CancelToken.none()));
        assertEquals(before, EvalSession.openSessions());
        return e.getMessage();
    }

    static HostTensor floats(long... shape) {
        return HostTensor.ofFloats(shape, new float[(int) HostTensor.count(shape)]);
    }

    @Test
    void wrongInputNameIsRefusedBeforeAnyRunNamingTheModelsInputs() {
        String m = failureBeforeAnyRun(new Dataset(Map.of("pixels", floats(5, 4)), null, "t"));
        assertTrue(m.contains("'pixels'") && m.contains("[input]"), m);
    }

    @Test
    void wrongDtypeShapeAndLabelCountAreRefusedWithBothSidesNamed() {
        String dtype = failureBeforeAnyRun(new Dataset(Map.of("input", HostTensor.ofLongs(new long[] {5, 4}, new long[20])), null, "t"));
        assertTrue(dtype.contains("float32") && dtype.contains("int64"), dtype);
        String shape = failureBeforeAnyRun(new Dataset(Map.of("input", floats(5, 7)), null, "t"));
        assertTrue(shape.contains("[N, 4]") && shape.contains("[5, 7]"), shape);
        String rank = failureBeforeAnyRun(new Dataset(Map.of("input", floats(5, 4, 1)), null, "t"));
        assertTrue(rank.contains("rank"), rank);
        BadInputException labels = assertThrows(BadInputException.class, () ->
                new Dataset(Map.of("input", floats(5, 4)), HostTensor.ofLongs(new long[] {4}, new long[4]), "t"));
        assertTrue(labels.getMessage().contains("4 labels for 5 samples"), labels.getMessage());
        String range = failureBeforeAnyRun(new Dataset(Map.of("input", floats(2, 4)),
                HostTensor.ofLongs(new long[] {2}, new long[] {0, 3}), "t"));
        assertTrue(range.contains("Label 3"), range);
    }

    @Test
    void npyFilesAndAYamlSpecWithRelativePathsLoadTheSameArrays() throws Exception {
        NpyWriter.floats(dir.resolve("x.npy"), new long[] {3, 4}, new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
        NpyWriter.longs(dir.resolve("y.npy"), new long[] {3}, new long[] {2, 0, 1});
        Files.writeString(dir.resolve("data.yaml"), "inputs:\n  input: x.npy\nlabels: y.npy\nbatch: 2\n");
        DatasetSpec spec = Datasets.readSpec(dir.resolve("data.yaml"));
        Dataset d = Datasets.load(dir.resolve("data.yaml"), spec, model().graph());
        assertEquals(2, spec.batch());
        assertEquals(3, d.samples());
        assertEquals(DataType.FLOAT, d.inputs().get("input").type());
        assertEquals(11.0, d.inputs().get("input").doubleAt(11));
        assertEquals(1, d.label(2));
        Map<String, String> files = new HashMap<>();
        files.put(null, dir.resolve("x.npy").toString());
        Dataset direct = Datasets.fromFiles(files, dir.resolve("y.npy").toString(), model().graph(), null);
        assertEquals(5.0, direct.inputs().get("input").doubleAt(5));
        Files.writeString(dir.resolve("bad.yaml"), "inputs:\n  input: x.npy\nlables: y.npy\n");
        BadInputException e = assertThrows(BadInputException.class, () -> Datasets.readSpec(dir.resolve("bad.yaml")));
        assertTrue(e.getMessage().contains("'lables'"), e.getMessage());
        Files.writeString(dir.resolve("flat.yaml"), "inputs: x.npy\nlabels: y.npy\n");
        e = assertThrows(BadInputException.class, () -> Datasets.readSpec(dir.resolve("flat.yaml")));
        assertTrue(e.getMessage().contains("flat.yaml") && e.getMessage().contains("'inputs' must be a map"), e.getMessage());
    }

    @Test
    void csvWithAHeaderAndANamedLabelColumnBecomesSamplesAndLabels() throws Exception {
        Files.writeString(dir.resolve("d.csv"), "a,b,label,c,d\n1,2,0,3,4\n5,6,2,7,8\n");
        Dataset d = CsvData.load(dir.resolve("d.csv"), new DatasetSpec.Csv("d.csv", null, "label", null, null), model().graph());
        assertArrayEquals(new long[] {2, 4}, d.inputs().get("input").shape());
        assertEquals(7.0, d.inputs().get("input").doubleAt(6));
        assertEquals(2, d.label(1));
    }

    @Test
    void imageFolderGivesOneLabelPerClassFolderAndScalesGrayPixels() throws Exception {
        OnnxModel img = TinyModels.model(ai.onnx.proto.OnnxMl.GraphProto.newBuilder().setName("img")
                .addInput(TinyModels.value("input", 1, "N", 1, 2, 2)).addOutput(TinyModels.value("out", 1, "N", 1, 2, 2))
                .addNode(TinyModels.node("Identity", "id", new String[] {"input"}, "out")).build());
        int[][] pixels = {{0, 51, 102, 255}, {10, 20, 30, 40}};
        String[] classes = {"cat", "ant"};
        for (int k = 0; k < 2; k++) {
            Files.createDirectories(dir.resolve("imgs").resolve(classes[k]));
            BufferedImage b = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_GRAY);
            for (int i = 0; i < 4; i++) {
                b.getRaster().setSample(i % 2, i / 2, 0, pixels[k][i]);
            }
            ImageIO.write(b, "png", dir.resolve("imgs").resolve(classes[k]).resolve("a.png").toFile());
        }
        Dataset d = ImageFolder.load(dir.resolve("imgs"), new DatasetSpec.Images("imgs", null, null, null, null, null,
                java.util.List.of(0.5), java.util.List.of(0.5)), img.graph());
        // "ant" sorts first: label 0 holds pixels[1].
        assertEquals(0, d.label(0));
        assertEquals(1, d.label(1));
        HostTensor x = d.inputs().get("input");
        for (int i = 0; i < 4; i++) {
            assertEquals((pixels[1][i] / 255.0 - 0.5) / 0.5, x.doubleAt(i), 1e-6);
            assertEquals((pixels[0][i] / 255.0 - 0.5) / 0.5, x.doubleAt(4 + i), 1e-6);
        }
    }

    @Test
    void syntheticInputsUseTheBatchForAxisZeroAndReportDefaultedDimensions() {
        OnnxModel text = TinyModels.model(ai.onnx.proto.OnnxMl.GraphProto.newBuilder().setName("t")
                .addInput(TinyModels.value("input_ids", 7, "batch", "seq")).addInput(TinyModels.value("attention_mask", 7, "batch", "seq"))
                .addOutput(TinyModels.value("out", 7, "batch", "seq"))
                .addNode(TinyModels.node("Add", "add", new String[] {"input_ids", "attention_mask"}, "out")).build());
        Dataset d = SyntheticInputs.make(text.graph(), 3, Map.of(), 16);
        assertArrayEquals(new long[] {3, 16}, d.inputs().get("input_ids").shape());
        assertEquals(1, d.inputs().get("attention_mask").longAt(5));
        assertTrue(d.notes().stream().anyMatch(n -> n.contains("'seq'") && n.contains("16")), d.notes().toString());
        Dataset given = SyntheticInputs.make(text.graph(), 2, Map.of("seq", 5L), 16);
        assertArrayEquals(new long[] {2, 5}, given.inputs().get("attention_mask").shape());
        assertTrue(given.notes().stream().noneMatch(n -> n.contains("'seq'")));
    }
}
