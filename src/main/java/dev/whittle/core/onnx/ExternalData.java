package dev.whittle.core.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Resolves and memory-maps external tensor data ({@code location}, {@code offset},
 * {@code length}) relative to the model's folder. A location that would leave that folder
 * (absolute, "..", or a symbolic link pointing out) is a security error and is never opened.
 */
final class ExternalData {
    private final Path modelFile;
    private final Path folder;
    private final boolean allowSpill;
    private final Map<Path, Long> sizes = new LinkedHashMap<>();
    /** The spills this model's tensors point into, and the bytes it reads from them. */
    private final java.util.Set<Spill> spills = new java.util.LinkedHashSet<>();
    private long spilledBytes;

    /**
     * @param modelFile the .onnx file; external locations are relative to its folder
     * @param hasFolder false for a model built in memory from scratch, which must not
     *                  reference external data (there is no folder to resolve it against)
     */
    ExternalData(Path modelFile, boolean hasFolder) {
        this(modelFile, hasFolder, false);
    }

    /** @param allowSpill whether {@link Spill} locations resolve: only for models built in this process, never for files read */
    ExternalData(Path modelFile, boolean hasFolder, boolean allowSpill) {
        this.allowSpill = allowSpill;
        this.modelFile = modelFile;
        Path parent = modelFile.toAbsolutePath().normalize().getParent();
        this.folder = !hasFolder ? null : parent == null ? Path.of("/") : parent;
    }

    ExternalData(Path modelFile) {
        this(modelFile, true);
    }

    String fileName() {
        return String.valueOf(modelFile.getFileName());
    }

    /** Sum of the sizes of the distinct external files mapped so far. */
    long totalBytes() {
        return sizes.values().stream().mapToLong(Long::longValue).sum() + spilledBytes;
    }

    /** Sum of the sizes of the distinct external files of the source mapped so far (no spills). */
    long sourceFileBytes() {
        return sizes.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The spills mapped so far (a model keeps them alive while it refers to them). */
    java.util.List<Spill> spills() {
        return java.util.List.copyOf(spills);
    }

    /** A TensorProto's {@code external_data} entries: location, offset (default 0), length (-1: to the end). */
    record Ref(String location, long offset, long length) {
        static Ref of(ai.onnx.proto.OnnxMl.TensorProto t, String tensor, String file) {
            String location = null;
            long offset = 0;
            long length = -1;
            for (ai.onnx.proto.OnnxMl.StringStringEntryProto e : t.getExternalDataList()) {
                try {
                    switch (e.getKey()) {
                        case "location" -> location = e.getValue();
                        case "offset" -> offset = Long.parseLong(e.getValue().trim());
                        case "length" -> length = Long.parseLong(e.getValue().trim());
                        default -> { }
                    }
                } catch (NumberFormatException ex) {
                    throw new InvalidModelException(ModelProblem.BAD_TENSOR_DATA, "Tensor '" + tensor + "' in " + file
                            + " has a non-numeric external-data " + e.getKey() + " '" + e.getValue() + "'.");
                }
            }
            return new Ref(location, offset, length);
        }
    }

    /** Maps the external data a TensorProto's {@code external_data} entries point to. */
    ByteBuffer map(ai.onnx.proto.OnnxMl.TensorProto t, String tensor, long expected) {
        Ref ref = Ref.of(t, tensor, fileName());
        String location = ref.location();
        long offset = ref.offset();
        long length = ref.length();
        Spill spill = allowSpill ? Spill.of(location, tensor, fileName()) : null;
        if (spill != null) {
            if (length != expected) {
                throw new InvalidModelException(ModelProblem.BAD_TENSOR_DATA, "Tensor '" + tensor + "' in " + fileName()
                        + " needs " + expected + " bytes for its dims but its external data holds " + length + ".");
            }
            spills.add(spill);
            // counted as the bytes it adds when written inline, so the model's size is its written size
            spilledBytes += Spill.inlineGrowth(t);
            return spill.map(tensor, offset, length);
        }
        return map(tensor, location, offset, length, expected);
    }

    ByteBuffer map(String tensor, String location, long offset, long length, long expected) {
        String file = modelFile.getFileName().toString();
        if (location == null || location.isEmpty()) {
            throw new InvalidModelException(ModelProblem.MISSING_EXTERNAL_DATA,
                    "Tensor '" + tensor + "' in " + file + " is marked external but names no location.");
        }
        if (offset < 0 || length < -1) {
            throw new InvalidModelException(ModelProblem.BAD_TENSOR_DATA,
                    "Tensor '" + tensor + "' in " + file + " has a negative external-data offset or length.");
        }
        if (folder == null) {
            throw new InvalidModelException(ModelProblem.MISSING_EXTERNAL_DATA, "Tensor '" + tensor + "' in " + file
                    + " refers to external data '" + location + "' but the model was built in memory with no folder.");
        }
        Path data = resolveInside(tensor, location);
        long size;
        try {
            if (!Files.isRegularFile(data)) {
                // Checked before any open: a pipe or device here could block or never end.
                throw new NoSuchFileException(location);
            }
            size = Files.size(data);
        } catch (NoSuchFileException e) {
            throw new InvalidModelException(ModelProblem.MISSING_EXTERNAL_DATA, "External data file '" + location
                    + "' for tensor '" + tensor + "' of " + file + " does not exist or is not a regular file.");
        } catch (IOException e) {
            throw new InvalidModelException(ModelProblem.IO_ERROR,
                    "External data file '" + location + "' of " + file + " cannot be read: " + e.getMessage(), e);
        }
        long len = length == -1 ? Math.max(size - offset, 0) : length;
        // Compared by subtraction so that an offset near Long.MAX_VALUE cannot overflow into acceptance.
        if (offset > size || len > size - offset) {
            throw new InvalidModelException(ModelProblem.TRUNCATED, "External data for tensor '" + tensor + "' of " + file
                    + " ends at byte " + endText(offset, len) + " but '" + location + "' has only " + size + " bytes.");
        }
        if (len != expected) {
            throw new InvalidModelException(ModelProblem.BAD_TENSOR_DATA, "Tensor '" + tensor + "' in " + file
                    + " needs " + expected + " bytes for its dims but its external data holds " + len + ".");
        }
        if (len > Integer.MAX_VALUE) {
            throw new InvalidModelException(ModelProblem.TOO_LARGE, "Tensor '" + tensor + "' in " + file
                    + " is larger than 2 GiB (" + len + " bytes), which Whittle cannot map as one tensor.");
        }
        sizes.putIfAbsent(data, size);
        if (len == 0) {
            return ByteBuffer.allocate(0);
        }
        try (FileChannel ch = FileChannel.open(data, StandardOpenOption.READ)) {
            // The mapping outlives the channel; pages are read only when values are.
            return ch.map(FileChannel.MapMode.READ_ONLY, offset, len);
        } catch (IOException e) {
            throw new InvalidModelException(ModelProblem.IO_ERROR,
                    "External data file '" + location + "' of " + file + " cannot be mapped: " + e.getMessage(), e);
        }
    }

    private static String endText(long offset, long len) {
        long end = offset + len;
        return end < 0 ? new java.math.BigInteger(Long.toString(offset)).add(java.math.BigInteger.valueOf(len)).toString()
                : Long.toString(end);
    }

    private Path resolveInside(String tensor, String location) {
        String file = modelFile.getFileName().toString();
        Path rel;
        try {
            rel = Path.of(location);
        } catch (RuntimeException e) {
            throw new InvalidModelException(ModelProblem.BAD_TENSOR_DATA, "Tensor '" + tensor + "' in " + file
                    + " names an external-data location that is not a valid file name.");
        }
        if (rel.isAbsolute() || location.startsWith("/") || location.startsWith("\\")) {
            throw new UnsafeModelException("Tensor '" + tensor + "' in " + file + " points to external data at the absolute path '"
                    + location + "'; Whittle only reads external data inside the model's folder.");
        }
        Path resolved = folder.resolve(rel).normalize();
        if (!resolved.startsWith(folder)) {
            throw new UnsafeModelException("Tensor '" + tensor + "' in " + file + " points to external data '" + location
                    + "' outside the model's folder; Whittle does not follow it.");
        }
        if (Files.exists(resolved, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Path real = resolved.toRealPath();
                if (!real.startsWith(folder.toRealPath())) {
                    throw new UnsafeModelException("Tensor '" + tensor + "' in " + file + " points to external data '"
                            + location + "', a link leading outside the model's folder; Whittle does not follow it.");
                }
                // Open the checked target itself, not the link, so a swapped link cannot redirect us.
                return real;
            } catch (IOException e) {
                throw new InvalidModelException(ModelProblem.MISSING_EXTERNAL_DATA,
                        "External data file '" + location + "' for tensor '" + tensor + "' of " + file + " cannot be resolved.", e);
            }
        }
        return resolved;
    }
}
