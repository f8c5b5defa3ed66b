package dev.whittle.core.onnx;

import dev.whittle.core.io.AtomicWrite;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.whittle.core.BadInputException;
import dev.whittle.core.model.DataType;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes models atomically: to a temporary file in the target's folder, flushed to disk, then
 * renamed over the target. Refuses to write over the file a model was loaded from or any of
 * its external data files. External tensors are copied into {@code <target>.data}, each at a
 * 4096-byte aligned offset, so the output never depends on the source folder. When asked, or
 * when the model would exceed protobuf's 2 GiB limit, the inline initializers of 1 KiB or more
 * go to that file too (as ONNX's {@code convert_model_to_external_data} does).
 */
public final class OnnxWriter {
    private static final long ALIGN = 4096;
    /** Initializers smaller than this stay inline when weights are moved out (ONNX's default threshold). */
    static final int EXTERNAL_THRESHOLD = 1024;
    /** Inline bytes above which the model goes to external data: 2 GiB less room for the graph itself. */
    static final long INLINE_LIMIT = (2L << 30) - (64L << 20);

    private OnnxWriter() {
    }

    static void write(OnnxModel model, Path target) {
        write(model.proto(), target, model.source());
        java.lang.ref.Reference.reachabilityFence(model);
    }

    /**
     * Writes {@code proto} to {@code target}. Tensors stored externally are read from the folder
     * of {@code source} and written to {@code <target>.data}, so the output is self-contained.
     *
     * @throws BadInputException when the target is the source (by any spelling or link) or one
     *         of its data files, or cannot be written; an existing target is then left untouched
     * @throws InvalidModelException when the source's external data is gone or inconsistent
     */
    public static void write(ModelProto proto, Path target, Path source) {
        write(proto, target, source, false);
    }

    /**
     * As {@link #write(ModelProto, Path, Path)}; with {@code externalData}, or when the inline
     * tensors would exceed protobuf's 2 GiB limit, initializers of 1 KiB or more are written to
     * {@code <target>.data} as well. Returns whether inline weights were moved to that file (a
     * source's external tensors always go there, and do not count).
     */
    public static boolean write(ModelProto proto, Path target, Path source, boolean externalData) {
        return write(proto, target, source, externalData, INLINE_LIMIT);
    }

    /** As above, with the inline size that sends weights to external data given (for tests). */
    static boolean write(ModelProto proto, Path target, Path source, boolean externalData, long inlineLimit) {
        Path out = target.toAbsolutePath().normalize();
        Path dir = out.getParent();
        Path dataFile = dir.resolve(out.getFileName() + ".data");
        boolean moveOut = externalData || inlineBytes(proto) + spilledBytes(proto) > inlineLimit;
        if (!moveOut) {
            // Compressed weights spilled to this process's temporary file are written inline, as
            // they would have been kept in memory: wrapped, not copied onto the heap.
            proto = Spill.inline(proto);
        }
        boolean fromSource = hasExternal(proto);
        boolean external = fromSource || moveOut;
        List<Path> sources = sourceFiles(proto, source, fromSource);
        refuse(out, sources);
        if (external) {
            refuse(dataFile, sources);
        }
        if (Files.isDirectory(out)) {
            throw new BadInputException("Cannot save the model as " + out + ": that is a folder.");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new BadInputException("Cannot create folder " + dir + ": " + reason(e) + ".", e);
        }
        Path dataTmp = null;
        Path modelTmp = null;
        try {
            ModelProto toWrite = proto;
            if (external) {
                if (fromSource && source == null && hasExternal(proto, false)) {
                    throw new BadInputException("The model has external tensors but no source folder to read them from.");
                }
                dataTmp = AtomicWrite.temporaryBeside(out, ".data.tmp");
                toWrite = relocateExternal(proto, source, dataTmp, dataFile.getFileName().toString(),
                        moveOut ? initializerNames(proto) : java.util.Set.of());
            }
            if (toWrite.getSerializedSize() < 0) {
                throw new BadInputException("The model is larger than 2 GiB; protobuf cannot write it as one file.");
            }
            modelTmp = AtomicWrite.temporaryBeside(out, ".onnx.tmp");
            try (FileChannel ch = FileChannel.open(modelTmp, StandardOpenOption.WRITE);
                 OutputStream os = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                toWrite.writeTo(os);
                os.flush();
                ch.force(true);
            }
            if (dataTmp != null) {
                AtomicWrite.moveOver(dataTmp, dataFile);
                dataTmp = null;
            }
            AtomicWrite.moveOver(modelTmp, out);
            modelTmp = null;
            return moveOut;
        } catch (IOException e) {
            throw new BadInputException("Cannot write " + out + ": " + reason(e) + ".", e);
        } finally {
            AtomicWrite.deleteQuietly(dataTmp);
            AtomicWrite.deleteQuietly(modelTmp);
        }
    }

    /** The source model file and the external data files it reads, which a save must never replace. */
    private static List<Path> sourceFiles(ModelProto proto, Path source, boolean external) {
        List<Path> files = new ArrayList<>();
        if (source == null) {
            return files;
        }
        files.add(source.toAbsolutePath().normalize());
        if (external) {
            Path folder = files.get(0).getParent();
            ProtoWalk.mapEveryTensor(proto, t -> {
                for (StringStringEntryProto e : t.getExternalDataList()) {
                    if (e.getKey().equals("location") && t.getDataLocation() == TensorProto.DataLocation.EXTERNAL
                            && !e.getValue().startsWith(Spill.PREFIX)) {
                        try {
                            files.add(folder.resolve(e.getValue()).normalize());
                        } catch (RuntimeException ignored) {
                            // An unusable location fails properly when the data is mapped.
                        }
                    }
                }
                return t;
            });
        }
        return files;
    }

    private static void refuse(Path out, List<Path> sources) {
        for (Path src : sources) {
            boolean same = src.equals(out);
            try {
                same |= Files.exists(out) && Files.exists(src) && Files.isSameFile(src, out);
            } catch (IOException ignored) {
                // If we cannot tell, the path comparison above decides.
            }
            if (same) {
                boolean model = src.equals(sources.get(0));
                throw new BadInputException("Refusing to write over " + (model ? "the source model " : "the source model's data file ")
                        + src.getFileName() + "; choose another output file.");
            }
        }
    }

    private static boolean hasExternal(ModelProto p) {
        return hasExternal(p, true);
    }

    /** Whether a tensor is stored externally; spilled tensors ({@link Spill}) count only when asked. */
    private static boolean hasExternal(ModelProto p, boolean spilled) {
        boolean[] found = {false};
        ProtoWalk.mapEveryTensor(p, t -> {
            found[0] |= t.getDataLocation() == TensorProto.DataLocation.EXTERNAL && (spilled || !Spill.isSpill(t));
            return t;
        });
        return found[0];
    }

    /** Bytes of the tensors stored inline (raw or typed fields), summed as a long: protobuf's own int size overflows. */
    static long inlineBytes(ModelProto p) {
        long[] sum = {0};
        ProtoWalk.mapEveryTensor(p, t -> {
            if (t.getDataLocation() != TensorProto.DataLocation.EXTERNAL) {
                sum[0] += t.getRawData().size() + 8L * (t.getFloatDataCount() + t.getInt32DataCount()
                        + t.getInt64DataCount() + t.getDoubleDataCount() + t.getUint64DataCount());
            }
            return t;
        });
        return sum[0];
    }

    /** Bytes of the tensors spilled to this process's temporary files ({@link Spill}). */
    static long spilledBytes(ModelProto p) {
        long[] sum = {0};
        ProtoWalk.mapEveryTensor(p, t -> {
            if (Spill.isSpill(t)) {
                sum[0] += Spill.length(t);
            }
            return t;
        });
        return sum[0];
    }

    /** Names of the initializers of the main graph and its subgraphs: the tensors moved out. */
    private static java.util.Set<String> initializerNames(ModelProto p) {
        java.util.Set<String> names = new java.util.HashSet<>();
        collectInitializers(p.getGraph(), names);
        return names;
    }

    private static void collectInitializers(ai.onnx.proto.OnnxMl.GraphProto g, java.util.Set<String> names) {
        g.getInitializerList().forEach(t -> names.add(t.getName()));
        for (ai.onnx.proto.OnnxMl.NodeProto n : g.getNodeList()) {
            for (ai.onnx.proto.OnnxMl.AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    collectInitializers(a.getG(), names);
                }
                a.getGraphsList().forEach(s -> collectInitializers(s, names));
            }
        }
    }

    /**
     * Writes the external tensors (read from {@code source}'s data files) and the inline tensors
     * named in {@code moveOut} that hold at least {@link #EXTERNAL_THRESHOLD} raw bytes into one
     * data file, each at an aligned offset, and points the tensors at it.
     */
    private static ModelProto relocateExternal(ModelProto p, Path source, Path dataTmp, String dataName,
                                               java.util.Set<String> moveOut) throws IOException {
        // Spilled tensors resolve whether or not the model has a source folder.
        ExternalData ext = new ExternalData(source == null ? Path.of("in-memory.onnx") : source, source != null, true);
        try (FileChannel out = FileChannel.open(dataTmp, StandardOpenOption.WRITE)) {
            long[] pos = {0};
            ModelProto relocated = ProtoWalk.mapEveryTensor(p, t -> {
                boolean inline = t.getDataLocation() != TensorProto.DataLocation.EXTERNAL;
                if (inline && !(moveOut.contains(t.getName()) && t.getRawData().size() >= EXTERNAL_THRESHOLD)) {
                    return t;
                }
                ByteBuffer bytes = inline ? t.getRawData().asReadOnlyByteBuffer() : bytes(ext, t);
                long offset = (pos[0] + ALIGN - 1) / ALIGN * ALIGN;
                try {
                    ByteBuffer b = bytes.duplicate();
                    long at = offset;
                    while (b.hasRemaining()) {
                        at += out.write(b, at);
                    }
                    pos[0] = at;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return t.toBuilder().clearExternalData().clearRawData()
                        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                        .addExternalData(entry("location", dataName))
                        .addExternalData(entry("offset", Long.toString(offset)))
                        .addExternalData(entry("length", Long.toString(bytes.remaining())))
                        .build();
            });
            out.force(true);
            return relocated;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** The tensor's bytes in the source's external data, checked exactly as the reader checks them. */
    private static ByteBuffer bytes(ExternalData ext, TensorProto t) {
        String file = ext.fileName();
        DataType type = DataType.fromCode(t.getDataType()).orElseThrow(() -> new InvalidModelException(
                ModelProblem.BAD_TENSOR_DATA, "Tensor '" + t.getName() + "' in " + file + " has an unknown data type."));
        long count = 1;
        for (long d : t.getDimsList()) {
            if (d < 0 || (d > 0 && count > TensorDecoder.MAX_ELEMENTS / d)) {
                throw new InvalidModelException(ModelProblem.BAD_DIMS, "Tensor '" + t.getName() + "' in " + file
                        + " has negative or absurd dims " + t.getDimsList() + ".");
            }
            count *= d;
        }
        return ext.map(t, t.getName(), type.storageBytes(count));
    }

    /** The operating system's reason ("No space left on device"), without the paths it repeats. */
    private static String reason(IOException e) {
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
    }

    static StringStringEntryProto entry(String k, String v) {
        return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }


}
