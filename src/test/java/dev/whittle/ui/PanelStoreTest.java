package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Panel layouts per model in a JSON file: kept across instances, the 50 most recent, bad files ignored. */
class PanelStoreTest {
    @TempDir
    Path dir;

    private static PanelStore.State state(double split, int tab, double width) {
        return new PanelStore.State(Map.of("workbench", new double[] {split, 0.8}, "left", new double[] {0.3}), tab,
                Map.of("nameColumn", width));
    }

    @Test
    void aLayoutComesBackInTheNextSessionPerModel() {
        Path file = dir.resolve("config/panels.json");
        PanelStore a = new PanelStore(file);
        a.put(Path.of("/models/a.onnx"), state(0.25, 2, 140));
        a.put(dir.resolve("b.onnx"), state(0.5, 4, 90));
        assertTrue(Files.isRegularFile(file));

        PanelStore next = new PanelStore(file);
        PanelStore.State s = next.get(Path.of("/models/a.onnx")).orElseThrow();
        assertArrayEquals(new double[] {0.25, 0.8}, s.splits().get("workbench"));
        assertArrayEquals(new double[] {0.3}, s.splits().get("left"));
        assertEquals(2, s.tab());
        assertEquals(140, s.columns().get("nameColumn"));
        assertEquals(4, next.get(dir.resolve("x/../b.onnx")).orElseThrow().tab(), "keyed by the normalized absolute path");
        assertTrue(next.get(Path.of("/models/other.onnx")).isEmpty());
    }

    @Test
    void onlyTheFiftyModelsUsedLastAreKept() {
        Path file = dir.resolve("panels.json");
        PanelStore s = new PanelStore(file);
        for (int i = 0; i < PanelStore.MAX; i++) {
            s.put(Path.of("/m/" + i + ".onnx"), state(0.1, i % 5, 100));
        }
        s.get(Path.of("/m/0.onnx")); // used again: now the most recent
        s.put(Path.of("/m/new.onnx"), state(0.2, 1, 100));
        assertEquals(PanelStore.MAX, s.size());
        PanelStore read = new PanelStore(file);
        assertEquals(PanelStore.MAX, read.size());
        assertTrue(read.get(Path.of("/m/0.onnx")).isPresent(), "the one used again stays");
        assertTrue(read.get(Path.of("/m/1.onnx")).isEmpty(), "the least recently used went");
        assertTrue(read.get(Path.of("/m/new.onnx")).isPresent());
    }

    @Test
    void anUnreadableFileGivesTheDefaultLayoutAndIsReplacedOnTheNextSave() throws Exception {
        Path file = dir.resolve("panels.json");
        Files.writeString(file, "{ not json");
        PanelStore s = new PanelStore(file);
        assertEquals(0, s.size());
        s.put(Path.of("/m/a.onnx"), state(0.4, 1, 100));
        assertEquals(1, new PanelStore(file).size());
        // Out-of-range positions are clamped rather than trusted.
        Files.writeString(file, "{\"models\":[{\"path\":\"/m/a.onnx\",\"splits\":{\"left\":[7]},\"tab\":1,\"columns\":{}}]}");
        assertArrayEquals(new double[] {1}, new PanelStore(file).get(Path.of("/m/a.onnx")).orElseThrow().splits().get("left"));
    }

    @Test
    void aFolderThatCannotBeWrittenKeepsTheLayoutsForTheSession() throws Exception {
        Path blocker = dir.resolve("file");
        Files.writeString(blocker, "x");
        PanelStore s = new PanelStore(blocker.resolve("panels.json")); // its parent is a file
        s.put(Path.of("/m/a.onnx"), state(0.4, 3, 100));
        assertEquals(3, s.get(Path.of("/m/a.onnx")).orElseThrow().tab());
    }
}
