package dev.whittle.core.io;

import dev.whittle.core.InternalException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/** SHA-256 digests, lower-case hex: of files (recipes record the model's) and of text (cache keys). */
public final class Hashes {
    // Opening a model in the window hashes it for the run history and the sensitivity cache at
    // once, and export hashes it again: 87 MB of MiniLM cost ~0.2 s of CPU each time, competing with
    // the first layer selection. A file is hashed once per (path, size, modification time, file
    // key); callers asking while it is being hashed wait for that one computation.
    private static final int REMEMBERED = 64;
    private static final Map<FileKey, CompletableFuture<String>> FILES = new ConcurrentHashMap<>();

    private record FileKey(Path path, long size, long modified, Object fileKey) {
    }

    private Hashes() {
    }

    /** SHA-256 of a file's bytes, remembered while the file's size and modification time stay the same. */
    public static String sha256(Path file) {
        FileKey key;
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            key = new FileKey(file.toAbsolutePath().normalize(), a.size(), a.lastModifiedTime().toMillis() * 1000
                    + a.lastModifiedTime().toInstant().getNano() / 1000 % 1000, a.fileKey());
        } catch (IOException e) {
            throw new InternalException("Cannot hash " + file + ": " + e.getMessage(), e);
        }
        CompletableFuture<String> mine = new CompletableFuture<>();
        CompletableFuture<String> known = FILES.putIfAbsent(key, mine);
        if (known == null) {
            try {
                mine.complete(hashNow(file));
            } catch (RuntimeException e) {
                FILES.remove(key, mine);
                mine.completeExceptionally(e);
                throw e;
            }
            if (FILES.size() > REMEMBERED) {
                FILES.keySet().removeIf(k -> !k.equals(key));
            }
            return mine.join();
        }
        try {
            return known.get();
        } catch (ExecutionException e) {
            return hashNow(file);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return hashNow(file);
        }
    }

    private static String hashNow(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = digest();
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new InternalException("Cannot hash " + file + ": " + e.getMessage(), e);
        }
    }

    /** SHA-256 of the text's UTF-8 bytes. */
    public static String sha256(String text) {
        return HexFormat.of().formatHex(digest().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new InternalException("This Java has no SHA-256: " + e.getMessage(), e);
        }
    }
}
