package dev.whittle.core.io;

import dev.whittle.core.BadInputException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes a file so that readers see either the old file or the complete new one: the bytes go
 * to a hidden temporary file beside the target ({@code .whittle-*.tmp}), are flushed to disk,
 * and the temporary file is renamed over the target. On failure the target is untouched and
 * the temporary file is removed; on Ctrl+C or SIGTERM a shutdown hook removes every temporary
 * file of an unfinished write (the writing thread's {@code finally} never runs then).
 */
public final class AtomicWrite {
    /** Writes the content to the stream it is given; the stream is closed afterwards. */
    @FunctionalInterface
    public interface Body {
        void write(OutputStream out) throws IOException;
    }

    /** Temporary files of writes in progress, removed by the shutdown hook if the JVM stops first. */
    private static final java.util.Set<Path> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(AtomicWrite::removeUnfinished, "whittle-remove-unfinished-writes"));
    }

    private AtomicWrite() {
    }

    /** Removes the temporary files of writes that have not finished; the shutdown hook calls it. */
    static void removeUnfinished() {
        for (Path p : LIVE) {
            deleteQuietly(p);
        }
    }

    /** Temporary files of writes in progress (for tests). */
    static java.util.Set<Path> unfinished() {
        return java.util.Set.copyOf(LIVE);
    }

    public static void text(Path target, String text) {
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** @throws BadInputException naming the file when it cannot be written */
    public static void write(Path target, Body body) {
        Path file = target.toAbsolutePath().normalize();
        Path tmp = null;
        try {
            Files.createDirectories(file.getParent());
            tmp = temporaryBeside(file, ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                body.write(out);
                out.flush();
                ch.force(true);
            }
            moveOver(tmp, file);
            tmp = null;
        } catch (IOException e) {
            throw new BadInputException("Cannot write " + file + ": " + e.getMessage() + ".", e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /**
     * A new empty hidden file {@code .whittle-*SUFFIX} in the target's folder, readable by others
     * like any saved file.
     */
    public static Path temporaryBeside(Path target, String suffix) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), ".whittle-", suffix);
        LIVE.add(tmp);
        // createTempFile makes it owner-only (0600); that would stick to the renamed result.
        if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        }
        return tmp;
    }

    /** Renames {@code from} over {@code to}, atomically where the file system can. */
    public static void moveOver(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
        LIVE.remove(from);
    }

    public static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
                LIVE.remove(p);
            } catch (IOException ignored) {
                // A stray hidden .whittle-*.tmp file is harmless; the target was not touched.
            }
        }
    }
}
