package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecentFilesTest {
    @TempDir
    Path dir;

    private Path file(String name) throws IOException {
        return Files.writeString(dir.resolve(name), "x");
    }

    @Test
    void theNewestFileComesFirstAndReopeningMovesItToTheTop() throws IOException {
        RecentFiles r = new RecentFiles(dir.resolve("cfg/recent.json"));
        Path a = file("a.onnx");
        Path b = file("b.onnx");
        r.add(a);
        r.add(b);
        r.add(a);
        assertEquals(List.of(a, b), r.files());
    }

    @Test
    void theListKeepsAtMostTenFiles() throws IOException {
        RecentFiles r = new RecentFiles(null);
        for (int i = 0; i < 12; i++) {
            r.add(file("m" + i + ".onnx"));
        }
        assertEquals(RecentFiles.MAX, r.files().size());
        assertEquals(dir.resolve("m11.onnx"), r.files().get(0));
        assertEquals(dir.resolve("m2.onnx"), r.files().get(9));
    }

    @Test
    void theListSurvivesARestart() throws IOException {
        Path store = dir.resolve("cfg/recent.json");
        RecentFiles r = new RecentFiles(store);
        r.add(file("a.onnx"));
        r.add(file("b.onnx"));
        assertEquals(List.of(dir.resolve("b.onnx"), dir.resolve("a.onnx")), new RecentFiles(store).files());
        r.clear();
        assertTrue(new RecentFiles(store).files().isEmpty());
    }

    @Test
    void missingFilesAreRemovedAndReported() throws IOException {
        Path store = dir.resolve("recent.json");
        RecentFiles r = new RecentFiles(store);
        Path a = file("a.onnx");
        Path b = file("b.onnx");
        r.add(a);
        r.add(b);
        Files.delete(a);
        assertEquals(List.of(a), r.removeMissing());
        assertEquals(List.of(b), r.files());
        assertEquals(List.of(b), new RecentFiles(store).files());
    }

    @Test
    void anUnreadableStoreGivesAnEmptyList() throws IOException {
        Path store = Files.writeString(dir.resolve("recent.json"), "{ not json");
        RecentFiles r = new RecentFiles(store);
        assertTrue(r.files().isEmpty());
        r.add(file("a.onnx"));
        assertEquals(1, new RecentFiles(store).files().size(), "the next save repairs the store");
    }
}
