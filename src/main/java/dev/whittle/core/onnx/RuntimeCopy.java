package dev.whittle.core.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.whittle.core.InternalException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model in the form ONNX Runtime loads from bytes: the serialized protobuf and the folder its
 * external data files are in. A model whose compressed weights were spilled ({@link Spill}) gets
 * them inline when they fit in a quarter of the heap; otherwise it is written to a temporary
 * folder with all its external tensors in one data file, since ONNX Runtime resolves external
 * data through a single folder, and closing removes that folder.
 */
public final class RuntimeCopy implements AutoCloseable {
    /** For tests: the spilled bytes above which a written copy is made (-1: a quarter of the heap). */
    static volatile long inlineOverride = -1;

    private final byte[] bytes;
    private final Path folder;
    private final Path temporary;

    private RuntimeCopy(byte[] bytes, Path folder, Path temporary) {
        this.bytes = bytes;
        this.folder = folder;
        this.temporary = temporary;
    }

    public static RuntimeCopy of(OnnxModel model) {
        return of(model.proto(), model);
    }

    /** {@code proto}, a variant of {@code model} (extra outputs, say) with the same tensors. */
    public static RuntimeCopy of(ModelProto proto, OnnxModel model) {
        try {
            return copy(proto, model);
        } finally {
            java.lang.ref.Reference.reachabilityFence(model); // its spills are read until the copy is made
        }
    }

    private static RuntimeCopy copy(ModelProto proto, OnnxModel model) {
        Path source = model.source();
        Path parent = source == null ? null : source.toAbsolutePath().getParent();
        if (!model.spilled()) {
            return new RuntimeCopy(proto.toByteArray(), parent, null);
        }
        // A few spilled layers (a sensitivity trial, one layer of a large model): their bytes go
        // inline, the source's external tensors stay where they are; no copy of the model on disk.
        long inline = OnnxWriter.inlineBytes(proto) + OnnxWriter.spilledBytes(proto);
        long limit = inlineOverride >= 0 ? inlineOverride : Math.min(Runtime.getRuntime().maxMemory() / 4, OnnxWriter.INLINE_LIMIT);
        if (inline <= limit) {
            return new RuntimeCopy(Spill.inline(proto).toByteArray(), parent, null);
        }
        Path dir = null;
        boolean done = false;
        try {
            dir = Files.createTempDirectory("whittle-runtime-");
            Path file = dir.resolve("model.onnx");
            // removed at exit if the process is stopped while the copy exists (last registered, first deleted)
            dir.toFile().deleteOnExit();
            file.toFile().deleteOnExit();
            dir.resolve("model.onnx.data").toFile().deleteOnExit();
            // every weight to the data file: the bytes read back are the graph only
            OnnxWriter.write(proto, file, source, true);
            RuntimeCopy copy = new RuntimeCopy(Files.readAllBytes(file), dir, dir);
            done = true;
            return copy;
        } catch (IOException e) {
            throw new InternalException("Cannot write a temporary copy of the model for ONNX Runtime: " + e.getMessage(), e);
        } finally {
            if (!done) {
                // also on an Error (out of memory): the copy of the weights must not stay behind
                delete(dir);
            }
        }
    }

    /** The serialized model. */
    public byte[] bytes() {
        return bytes;
    }

    /** Where its external data files are, or null when it has none to resolve. */
    public Path folder() {
        return folder;
    }

    @Override
    public void close() {
        delete(temporary);
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // The OS cleans its temporary folder.
        }
    }
}
