package dev.whittle.core.onnx;

import static dev.whittle.testing.TinyModels.FLOAT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.FunctionProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import dev.whittle.core.BadInputException;
import dev.whittle.testing.TinyModels;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saving is atomic, never replaces the source, and keeps everything Whittle does not interpret. */
class SaveTest {
    @TempDir
    Path dir;

    private OnnxModel source() {
        return OnnxReader.read(TinyModels.write(TinyModels.matmul(4, 3), dir.resolve("source.onnx")));
    }

    private List<String> listing(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void saveWritesATemporaryFileInTheTargetFolderAndLeavesNoneBehind() throws Exception {
        OnnxModel m = source();
        Path out = Files.createDirectory(dir.resolve("out"));
        List<String> created = new ArrayList<>();
        try (WatchService w = FileSystems.getDefault().newWatchService()) {
            out.register(w, StandardWatchEventKinds.ENTRY_CREATE);
            m.save(out.resolve("copy.onnx"));
            WatchKey key = w.poll(10, TimeUnit.SECONDS);
            for (WatchEvent<?> e : key.pollEvents()) {
                created.add(String.valueOf(e.context()));
            }
        }
        assertTrue(created.stream().anyMatch(n -> n.startsWith(".whittle-") && n.endsWith(".onnx.tmp")),
                "no temporary file was created in the target folder: " + created);
        assertEquals(List.of("copy.onnx"), listing(out));
        assertArrayEquals(m.proto().toByteArray(), Files.readAllBytes(out.resolve("copy.onnx")));
    }

    @Test
    void aSavedModelIsReadableByOthersNotOwnerOnlyLikeATemporaryFile() throws Exception {
        Path out = dir.resolve("shared.onnx");
        source().save(out);
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
    }

    @Test
    void aFailedSaveLeavesTheExistingTargetUntouchedAndNoTemporaryFiles() throws IOException {
        Path src = Files.createDirectory(dir.resolve("src"));
        Files.write(src.resolve("w.bin"), new byte[24]);
        ModelProto p = TinyModels.matmul(2, 3);
        p = p.toBuilder().setGraph(p.getGraph().toBuilder()
                .setInitializer(0, TinyModels.external("W", FLOAT, "w.bin", 0, 24, 2, 3))).build();
        OnnxModel m = OnnxReader.read(TinyModels.write(p, src.resolve("m.onnx")));
        Files.delete(src.resolve("w.bin")); // the data vanishes between opening and saving
        Path out = Files.createDirectory(dir.resolve("out"));
        Path target = Files.writeString(out.resolve("t.onnx"), "previous contents");
        Files.writeString(out.resolve("t.onnx.data"), "previous data");

        assertThrows(InvalidModelException.class, () -> m.save(target));
        assertEquals("previous contents", Files.readString(target));
        assertEquals("previous data", Files.readString(out.resolve("t.onnx.data")));
        assertEquals(List.of("t.onnx", "t.onnx.data"), listing(out));
    }

    @Test
    void aTargetThatIsAFolderIsRefusedAndLeftUntouched() throws IOException {
        OnnxModel m = source();
        Path target = Files.createDirectories(dir.resolve("out/busy.onnx"));
        Files.writeString(target.resolve("keep.txt"), "keep");
        BadInputException e = assertThrows(BadInputException.class, () -> m.save(target));
        Rejections.assertOneSentenceNaming(e.getMessage(), "busy.onnx");
        assertEquals("keep", Files.readString(target.resolve("keep.txt")));
        assertEquals(List.of("busy.onnx"), listing(dir.resolve("out")));
    }

    @Test
    void saveRefusesTheSourceFileUnderAnySpelling() throws IOException {
        OnnxModel m = source();
        byte[] before = Files.readAllBytes(dir.resolve("source.onnx"));
        Files.createDirectory(dir.resolve("sub"));
        Files.createSymbolicLink(dir.resolve("link.onnx"), dir.resolve("source.onnx"));
        Files.createLink(dir.resolve("hard.onnx"), dir.resolve("source.onnx"));
        for (Path spelling : List.of(dir.resolve("source.onnx"), dir.resolve("sub/../source.onnx"),
                dir.resolve("./source.onnx"), dir.resolve("link.onnx"), dir.resolve("hard.onnx"))) {
            BadInputException e = assertThrows(BadInputException.class, () -> m.save(spelling), spelling.toString());
            Rejections.assertOneSentenceNaming(e.getMessage(), "source.onnx");
        }
        assertArrayEquals(before, Files.readAllBytes(dir.resolve("source.onnx")));
    }

    @Test
    void saveRefusesToReplaceTheSourcesExternalDataFile() throws IOException {
        Files.write(dir.resolve("b.onnx.data"), new byte[24]);
        ModelProto p = TinyModels.matmul(2, 3);
        p = p.toBuilder().setGraph(p.getGraph().toBuilder()
                .setInitializer(0, TinyModels.external("W", FLOAT, "b.onnx.data", 0, 24, 2, 3))).build();
        OnnxModel m = OnnxReader.read(TinyModels.write(p, dir.resolve("a.onnx")));
        for (String target : List.of("b.onnx", "b.onnx.data")) {
            BadInputException e = assertThrows(BadInputException.class, () -> m.save(dir.resolve(target)));
            Rejections.assertOneSentenceNaming(e.getMessage(), "b.onnx.data");
        }
        assertArrayEquals(new byte[24], Files.readAllBytes(dir.resolve("b.onnx.data")));
    }

    @Test
    void whatWhittleDoesNotInterpretSurvivesARoundTripByteForByte() throws IOException {
        ModelProto rich = richModel();
        Path file = TinyModels.write(rich, dir.resolve("rich.onnx"));
        OnnxModel m = OnnxReader.read(file);
        m.save(dir.resolve("again.onnx"));
        byte[] saved = Files.readAllBytes(dir.resolve("again.onnx"));
        assertArrayEquals(rich.toByteArray(), saved);
        ModelProto back = ModelProto.parseFrom(saved);
        assertTrue(back.getUnknownFields().hasField(999), "unknown model field kept");
        assertTrue(back.getGraph().getNode(0).getUnknownFields().hasField(500), "unknown node field kept");
        assertEquals("com.example::Frobnicate", m.graph().nodes().get(1).qualifiedOp());
        assertEquals("v1", m.graph().metadata().get("release"));
        assertEquals(1, m.graph().functionCount());
    }

    @Test
    void aModelBuiltInMemoryFromScratchSaves() throws IOException {
        OnnxModel m = OnnxReader.fromProto(TinyModels.matmul(3, 2), null);
        m.save(dir.resolve("fresh.onnx"));
        assertEquals(m.proto(), OnnxReader.read(dir.resolve("fresh.onnx")).proto());
    }

    /** Metadata, doc strings, a function, value_info, an op of an unknown domain and unknown fields. */
    static ModelProto richModel() {
        ModelProto base = TinyModels.matmul(4, 3);
        NodeProto mm = base.getGraph().getNode(0).toBuilder().setDocString("the only weight")
                .setUnknownFields(UnknownFieldSet.newBuilder()
                        .addField(500, UnknownFieldSet.Field.newBuilder().addVarint(7).build()).build()).build();
        NodeProto custom = TinyModels.node("Frobnicate", "frob", new String[] {"Y"}, "Z").toBuilder()
                .setDomain("com.example")
                .addAttribute(AttributeProto.newBuilder().setName("strength").setType(AttributeProto.AttributeType.FLOAT).setF(0.5f))
                .build();
        FunctionProto fn = FunctionProto.newBuilder().setName("Twice").setDomain("com.example")
                .addInput("a").addOutput("b")
                .addNode(TinyModels.node("Add", "twice", new String[] {"a", "a"}, "b"))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).build();
        GraphProto g = base.getGraph().toBuilder().setNode(0, mm).addNode(custom)
                .addValueInfo(TinyModels.value("Y", FLOAT, 1, 3)).setOutput(0, TinyModels.value("Z", FLOAT))
                .setDocString("graph doc").build();
        return base.toBuilder().setGraph(g).setDocString("model doc").setModelVersion(3).setDomain("dev.whittle.test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("com.example").setVersion(1))
                .addFunctions(fn)
                .addMetadataProps(TinyModels.entry("release", "v1"))
                .setUnknownFields(UnknownFieldSet.newBuilder()
                        .addField(999, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8("future")).build())
                        .build())
                .build();
    }
}
