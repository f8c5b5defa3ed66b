package dev.whittle.ui;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import javafx.application.Platform;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Scene;
import javafx.scene.control.SplitPane;
import javax.imageio.ImageIO;

/** What the screenshot programs share: run on the FX thread, wait for a state, write the scene as PNG. */
final class FxShots {
    private FxShots() {
    }

    /** The window of a screenshot program, opened on a model and left to finish loading. */
    record Window(MainViewModel vm, MainView view, Scene scene) {
    }

    static Window open(Path model) throws Exception {
        Window[] w = new Window[1];
        CountDownLatch up = new CountDownLatch(1);
        Platform.startup(() -> {
            MainViewModel vm = new MainViewModel(Background.forFx(), new RecentFiles(null), JobRunner.forFx());
            MainView view = new MainView(vm);
            javafx.stage.Stage stage = new javafx.stage.Stage();
            Scene scene = new Scene(view, 1280, 800);
            Styles.apply(scene);
            stage.setScene(scene);
            stage.show();
            vm.open(model);
            w[0] = new Window(vm, view, scene);
            up.countDown();
        });
        up.await();
        MainViewModel vm = w[0].vm();
        waitFor(() -> vm.graphProperty().get() != null && !vm.loadingProperty().get() && vm.jobs().running().isEmpty(), 120);
        return w[0];
    }

    static void fx(Runnable r) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        Platform.runLater(() -> {
            try {
                r.run();
            } finally {
                done.countDown();
            }
        });
        done.await();
    }

    static void waitFor(BooleanSupplier ready, int seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            boolean[] ok = new boolean[1];
            fx(() -> ok[0] = ready.getAsBoolean());
            if (ok[0]) {
                Thread.sleep(800); // a few pulses: layout and canvas redraws with the new data
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("timed out");
    }

    static void shoot(MainView view, Scene scene, Path file) throws Exception {
        fx(() -> ((SplitPane) view.lookup("#centre")).setDividerPositions(0.36));
        Thread.sleep(800);
        java.awt.image.BufferedImage[] img = new java.awt.image.BufferedImage[1];
        fx(() -> img[0] = SwingFXUtils.fromFXImage(scene.snapshot(null), null));
        Files.createDirectories(file.toAbsolutePath().getParent());
        ImageIO.write(img[0], "png", file.toFile());
        System.out.println("wrote " + file);
    }
}
