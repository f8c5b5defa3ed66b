package dev.whittle.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Temporary files of unfinished writes are removed on error and when the JVM is stopped (SIGTERM). */
class UnfinishedWritesTest {
    @TempDir
    Path dir;

    /** Starts a write and never finishes it: prints the temporary file's name, then waits to be killed. */
    public static void main(String[] args) throws Exception {
        Path tmp = AtomicWrite.temporaryBeside(Path.of(args[0]).resolve("model.onnx"), ".onnx.tmp");
        Files.write(tmp, new byte[1 << 20]);
        System.out.println(tmp);
        System.out.flush();
        Thread.sleep(60_000);
    }

    @Test
    void sigtermRemovesTheTemporaryFile() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), UnfinishedWritesTest.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            Path tmp = Path.of(r.readLine());
            assertTrue(Files.exists(tmp), "the write is under way: " + tmp);
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
            assertFalse(Files.exists(tmp), "the shutdown hook removed " + tmp);
        } finally {
            p.destroyForcibly();
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.toList());
        }
    }

    @Test
    void aFailedWriteLeavesNothingAndFinishedWritesAreForgotten() throws Exception {
        Path target = dir.resolve("out.txt");
        try {
            AtomicWrite.write(target, out -> {
                out.write(1);
                throw new java.io.IOException("disk full");
            });
        } catch (dev.whittle.core.BadInputException expected) {
            assertTrue(expected.getMessage().contains("disk full"));
        }
        AtomicWrite.text(dir.resolve("ok.txt"), "done");
        try (var files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("ok.txt")), files.toList());
        }
        assertTrue(AtomicWrite.unfinished().stream().noneMatch(f -> f.startsWith(dir)), "nothing left registered");
    }
}
