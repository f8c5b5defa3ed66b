package dev.whittle.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.whittle.core.InternalException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HashesTest {
    @TempDir
    Path dir;

    private static String reference(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void aRememberedHashFollowsTheFileWhenItChanges() throws Exception {
        Path f = dir.resolve("m.onnx");
        byte[] one = "first model".getBytes(StandardCharsets.UTF_8);
        Files.write(f, one);
        assertEquals(reference(one), Hashes.sha256(f));
        assertEquals(reference(one), Hashes.sha256(f));

        // Same size, new content, a different modification time: hashed anew.
        byte[] two = "other model".getBytes(StandardCharsets.UTF_8);
        Files.write(f, two);
        Files.setLastModifiedTime(f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis() + 5_000));
        assertEquals(reference(two), Hashes.sha256(f));
        assertNotEquals(reference(one), Hashes.sha256(f));
    }

    @Test
    void callersAtOnceGetTheSameDigest() throws Exception {
        Path f = dir.resolve("big.bin");
        byte[] bytes = new byte[8 << 20];
        new java.util.Random(3).nextBytes(bytes);
        Files.write(f, bytes);
        String expected = reference(bytes);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            var futures = new java.util.ArrayList<Future<String>>();
            for (int i = 0; i < 8; i++) {
                futures.add(pool.submit(() -> Hashes.sha256(f)));
            }
            for (Future<String> r : futures) {
                assertEquals(expected, r.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aMissingFileIsNamed() {
        Path f = dir.resolve("gone.onnx");
        InternalException e = assertThrows(InternalException.class, () -> Hashes.sha256(f));
        assertEquals(true, e.getMessage().contains("gone.onnx"));
    }
}
