package dev.whittle.core.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The identity a data choice caches results under: files with sizes and dates, not batch or limit. */
class DataChoiceTest {
    @TempDir
    Path dir;

    @Test
    void identityFollowsTheFilesButNotBatchOrLimit() throws Exception {
        Path x = Files.write(dir.resolve("x.npy"), new byte[] {1, 2, 3});
        Path y = Files.write(dir.resolve("y.npy"), new byte[] {4});
        DataChoice c = DataChoice.arrays(x, y, 16);
        String id = c.identity();
        assertTrue(id.contains(x.toAbsolutePath().normalize() + ",3,"), id);
        assertEquals(id, c.withBatch(4).withLimit(100).identity());
        assertNotEquals(id, DataChoice.arrays(x, null, 16).identity(), "labels are part of the data");
        Files.setLastModifiedTime(x, FileTime.fromMillis(Files.getLastModifiedTime(x).toMillis() + 5_000));
        assertNotEquals(id, c.identity(), "a rewritten file is other data");
        Files.delete(y);
        BadInputException e = assertThrows(BadInputException.class, c::identity);
        assertTrue(e.getMessage().contains("y.npy"), e.getMessage());
    }

    @Test
    void syntheticIdentityAndSampleCount() {
        DataChoice s = DataChoice.synthetic(64, 16);
        assertEquals("synthetic", s.identity());
        assertEquals(200, s.withSamples(200).samples());
        DataChoice a = DataChoice.arrays(dir.resolve("a.npy"), null, 8);
        assertSame(a, a.withSamples(200), "only synthetic data has a sample count");
    }
}
