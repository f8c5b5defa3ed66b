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
 * 4096-byte aligned offset, so the output never depends on the source folder.
 */
public final class OnnxWriter {
    private static final long ALIGN = 4096;

    private OnnxWriter() {
    }

    static void write(OnnxModel model, Path target) {
        write(model.proto(), target, model.source());
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
        Path out = target.toAbsolutePath().normalize();
        Path dir = out.getParent();
        Path dataFile = dir.resolve(out.getFileName() + ".data");
        boolean external = hasExternal(proto);
        List<Path> sources = sourceFiles(proto, source, external);
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
                if (source == null) {
                    throw new BadInputException("The model has external tensors but no source folder to read them from.");
                }
                dataTmp = AtomicWrite.temporaryBeside(out, ".data.tmp");
                toWrite = relocateExternal(proto, source, dataTmp, dataFile.getFileName().toString());
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
                    if (e.getKey().equals("location") && t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
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
        boolean[] found = {false};
        ProtoWalk.mapEveryTensor(p, t -> {
            found[0] |= t.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
            return t;
        });
        return found[0];
    }

    private static ModelProto relocateExternal(ModelProto p, Path source, Path dataTmp, String dataName) throws IOException {
        ExternalData ext = new ExternalData(source);
        try (FileChannel out = FileChannel.open(dataTmp, StandardOpenOption.WRITE)) {
            long[] pos = {0};
            ModelProto relocated = ProtoWalk.mapEveryTensor(p, t -> {
                if (t.getDataLocation() != TensorProto.DataLocation.EXTERNAL) {
                    return t;
                }
                ByteBuffer bytes = bytes(ext, t);
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
                return t.toBuilder().clearExternalData()
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

    private static StringStringEntryProto entry(String k, String v) {
        return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }


}
