package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppOptionsTest {
    @TempDir
    Path dir;

    @Test
    void parsesTheModelAndTheScreenshotOptions() {
        AppOptions o = AppOptions.parse(List.of("m.onnx", "--screenshot", "out.png", "--select", "fc", "--log-counts"));
        assertEquals(Path.of("m.onnx"), o.model());
        assertEquals(Path.of("out.png"), o.screenshot());
        assertEquals("fc", o.select());
        assertTrue(o.logCounts());
        assertNull(AppOptions.parse(List.of()).model());
        assertThrows(IllegalArgumentException.class, () -> AppOptions.parse(List.of("--screenshot")));
        assertThrows(IllegalArgumentException.class, () -> AppOptions.parse(List.of("--bogus")));
    }

    @Test
    void parsesTheRecipeTabAndSizeForTunedScreenshots() {
        AppOptions o = AppOptions.parse(List.of("m.onnx", "--recipe", "r.yaml", "--tab", "Low-rank", "--size", "1280x800"));
        assertEquals(Path.of("r.yaml"), o.recipe());
        assertEquals("lowrank", o.tab());
        assertEquals(1280, o.size()[0]);
        assertEquals(800, o.size()[1]);
        IllegalArgumentException tab = assertThrows(IllegalArgumentException.class,
                () -> AppOptions.parse(List.of("--tab", "pareto")));
        assertEquals("--tab must be one of histogram, prune, quantize, lowrank, weights, got pareto", tab.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AppOptions.parse(List.of("--size", "big")));
    }

    @Test
    void threadsDefaultToOneCoreFewerAndAreCheckedWhenGiven() {
        assertEquals(1, AppOptions.parse(List.of()).computeThreads(2));
        assertEquals(7, AppOptions.parse(List.of()).computeThreads(8));
        assertEquals(1, AppOptions.parse(List.of()).computeThreads(1));
        assertEquals(2, AppOptions.parse(List.of("--threads", "2")).computeThreads(2));
        assertEquals(4, AppOptions.parse(List.of("--threads", "16")).computeThreads(4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AppOptions.parse(List.of("--threads", "zero")));
        assertTrue(e.getMessage().contains("--threads") && e.getMessage().contains("zero"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AppOptions.parse(List.of("--threads", "0")));
    }

    @Test
    void anExistingModelIsOpenedAsIs() throws IOException {
        Path m = Files.writeString(dir.resolve("m.onnx"), "x");
        assertEquals(new AppOptions.Startup(m, null), AppOptions.startup(m, dir));
    }

    @Test
    void aMissingModelFallsBackToTheMiniLmSampleWithANote() throws IOException {
        Path sample = dir.resolve(AppOptions.FALLBACK_SAMPLE);
        Files.createDirectories(sample.getParent());
        Files.writeString(sample, "x");
        AppOptions.Startup s = AppOptions.startup(Path.of("sample-models/not-there.onnx"), dir);
        assertEquals(sample, s.file());
        assertEquals("sample-models/not-there.onnx does not exist; opened the MiniLM sample instead.", s.note());
    }

    @Test
    void withoutAnyModelTheWindowStartsEmpty() {
        AppOptions.Startup s = AppOptions.startup(Path.of("nope.onnx"), dir);
        assertNull(s.file());
        assertEquals("nope.onnx does not exist.", s.note());
        assertEquals(new AppOptions.Startup(null, null), AppOptions.startup(null, dir));
    }
}
