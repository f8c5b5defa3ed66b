package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainViewModelTest {
    @TempDir
    Path dir;

    private final List<ErrorReport> errors = new ArrayList<>();

    private MainViewModel vm(Background background) {
        MainViewModel vm = new MainViewModel(background, new RecentFiles(dir.resolve("recent.json")));
        vm.setErrorHandler(errors::add);
        return vm;
    }

    @Test
    void openingAModelShowsItsLayersSelectsTheFirstAndRemembersTheFile() {
        MainViewModel vm = vm(Background.direct());
        Path file = WorkbenchModels.save(dir, "tiny.onnx");
        vm.open(file);
        assertEquals("tiny.onnx", vm.graphProperty().get().fileName());
        assertEquals(3, vm.layers().visibleLayers().size());
        assertEquals(WorkbenchModels.CONV, vm.layers().selectedProperty().get().node());
        assertEquals(18, vm.detail().statsProperty().get().count());
        assertEquals(List.of(file.toAbsolutePath().normalize()), vm.recentFiles().files());
        assertFalse(vm.loadingProperty().get());
        assertTrue(vm.statusProperty().get().startsWith("Opened tiny.onnx"), vm.statusProperty().get());
        assertEquals("tiny.onnx - Whittle", vm.titleProperty().get());
        assertTrue(errors.isEmpty());
    }

    @Test
    void aBadFileReportsOneSentenceAndKeepsThePreviousModel() throws IOException {
        MainViewModel vm = vm(Background.direct());
        vm.open(WorkbenchModels.save(dir, "tiny.onnx"));
        Path empty = WorkbenchModels.emptyFile(dir);
        vm.open(empty);
        assertEquals(1, errors.size());
        assertEquals("empty.onnx is empty (0 bytes), not an ONNX model.", errors.get(0).message());
        assertTrue(errors.get(0).details().contains("InvalidModelException"));
        assertEquals("tiny.onnx", vm.graphProperty().get().fileName());
        assertEquals(3, vm.layers().visibleLayers().size());
        assertTrue(vm.statusProperty().get().contains("tiny.onnx is still open"), vm.statusProperty().get());
        assertEquals(1, vm.recentFiles().files().size(), "a file that failed to open is not remembered");

        Path text = Files.writeString(dir.resolve("notes.onnx"), "these are not weights\n");
        vm.open(text);
        assertEquals(2, errors.size());
        assertTrue(errors.get(1).message().contains("not an ONNX model"), errors.get(1).message());
    }

    @Test
    void aLoadThatFinishesAfterALaterOpenIsDropped() {
        QueuedExecutor worker = new QueuedExecutor();
        MainViewModel vm = vm(new Background(worker, Runnable::run));
        Path first = WorkbenchModels.save(dir, "first.onnx");
        Path second = WorkbenchModels.save(dir, "second.onnx");
        vm.open(first);
        vm.open(second);
        assertTrue(vm.loadingProperty().get());
        worker.run(1); // second.onnx loads first (statistics of its first layer are queued behind)
        worker.run(0); // first.onnx arrives late
        worker.runAll();
        assertEquals("second.onnx", vm.graphProperty().get().fileName());
        assertEquals(List.of(second.toAbsolutePath().normalize()), vm.recentFiles().files());
        assertFalse(vm.loadingProperty().get());
    }

    @Test
    void openingAMissingRecentFileRemovesItWithANote() throws IOException {
        MainViewModel vm = vm(Background.direct());
        Path file = WorkbenchModels.save(dir, "gone.onnx");
        vm.open(file);
        Files.delete(file);
        vm.openRecent(file);
        assertTrue(vm.recentFiles().files().isEmpty());
        assertEquals("gone.onnx no longer exists; removed it from Open Recent.", vm.statusProperty().get());
        assertTrue(errors.isEmpty());
    }

    @Test
    void missingRecentFilesArePrunedWithANote() throws IOException {
        MainViewModel vm = vm(Background.direct());
        Path kept = WorkbenchModels.save(dir, "kept.onnx");
        Path gone = WorkbenchModels.save(dir, "gone.onnx");
        vm.open(gone);
        vm.open(kept);
        Files.delete(gone);
        vm.removeMissingRecentFiles();
        assertEquals(List.of(kept.toAbsolutePath().normalize()), vm.recentFiles().files());
        assertTrue(vm.statusProperty().get().contains("gone.onnx"), vm.statusProperty().get());
    }

    @Test
    void closingClearsTheModelTheTableAndTheDetail() {
        MainViewModel vm = vm(Background.direct());
        vm.open(WorkbenchModels.save(dir, "tiny.onnx"));
        assertNotNull(vm.detail().statsProperty().get());
        vm.close();
        assertNull(vm.graphProperty().get());
        assertTrue(vm.layers().visibleLayers().isEmpty());
        assertNull(vm.detail().statsProperty().get());
        assertEquals("Whittle", vm.titleProperty().get());
        assertEquals("Closed tiny.onnx.", vm.statusProperty().get());
    }
}
