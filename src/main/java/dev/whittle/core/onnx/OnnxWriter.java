package dev.whittle.core.onnx;

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
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes models atomically: to a temporary file in the target's folder, flushed to disk, then
 * renamed over the target. Refuses to write over the file a model was loaded from.
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
     */
    public static void write(ModelProto proto, Path target, Path source) {
        Path out = target.toAbsolutePath().normalize();
        refuseSource(out, source);
        Path dir = out.getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new BadInputException("Cannot create folder " + dir + ": " + e.getMessage(), e);
        }
        Path dataTmp = null;
        Path modelTmp = null;
        try {
            ModelProto toWrite = proto;
            if (hasExternal(proto)) {
                if (source == null) {
                    throw new BadInputException("The model has external tensors but no source folder to read them from.");
                }
                Path dataFile = dir.resolve(out.getFileName() + ".data");
                dataTmp = Files.createTempFile(dir, ".whittle-", ".data.tmp");
                toWrite = relocateExternal(proto, source, dataTmp, dataFile.getFileName().toString());
            }
            if (toWrite.getSerializedSize() < 0) {
                throw new BadInputException("The model is larger than 2 GiB; protobuf cannot write it as one file.");
            }
            modelTmp = Files.createTempFile(dir, ".whittle-", ".onnx.tmp");
            try (FileChannel ch = FileChannel.open(modelTmp, StandardOpenOption.WRITE);
                 OutputStream os = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 16)) {
                toWrite.writeTo(os);
                os.flush();
                ch.force(true);
            }
            if (dataTmp != null) {
                move(dataTmp, dir.resolve(out.getFileName() + ".data"));
                dataTmp = null;
            }
            move(modelTmp, out);
            modelTmp = null;
        } catch (IOException e) {
            throw new BadInputException("Cannot write " + out + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(dataTmp);
            deleteQuietly(modelTmp);
        }
    }

    private static void refuseSource(Path out, Path source) {
        if (source == null) {
            return;
        }
        Path src = source.toAbsolutePath().normalize();
        boolean same = src.equals(out);
        try {
            same |= Files.exists(out) && Files.exists(src) && Files.isSameFile(src, out);
        } catch (IOException ignored) {
            // If we cannot tell, the path comparison above decides.
        }
        if (same) {
            throw new BadInputException("Refusing to write over the source model " + src.getFileName()
                    + "; choose another output file.");
        }
    }

    private static boolean hasExternal(ModelProto p) {
        boolean[] found = {false};
        ProtoWalk.mapTensors(p.getGraph(), t -> {
            found[0] |= t.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
            return t;
        });
        return found[0];
    }

    private static ModelProto relocateExternal(ModelProto p, Path source, Path dataTmp, String dataName) throws IOException {
        ExternalData ext = new ExternalData(source);
        String file = String.valueOf(source.getFileName());
        try (FileChannel out = FileChannel.open(dataTmp, StandardOpenOption.WRITE)) {
            long[] pos = {0};
            var graph = ProtoWalk.mapTensors(p.getGraph(), t -> {
                if (t.getDataLocation() != TensorProto.DataLocation.EXTERNAL) {
                    return t;
                }
                DataType type = DataType.fromCode(t.getDataType()).orElseThrow(() ->
                        new InvalidModelException(ModelProblem.BAD_TENSOR_DATA, "Tensor '" + t.getName() + "' has an unknown type."));
                long count = t.getDimsList().stream().mapToLong(Long::longValue).reduce(1, Math::multiplyExact);
                TensorData bytes = bytes(ext, t, type.storageBytes(count), file);
                long offset = (pos[0] + ALIGN - 1) / ALIGN * ALIGN;
                try {
                    ByteBuffer b = bytes.buffer.duplicate();
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
                        .addExternalData(entry("length", Long.toString(bytes.buffer.remaining())))
                        .build();
            });
            out.force(true);
            return p.toBuilder().setGraph(graph).build();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private record TensorData(ByteBuffer buffer) {
    }

    private static TensorData bytes(ExternalData ext, TensorProto t, long expected, String file) {
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = Long.parseLong(e.getValue().trim());
                case "length" -> length = Long.parseLong(e.getValue().trim());
                default -> { }
            }
        }
        return new TensorData(ext.map(t.getName(), location, offset, length, expected));
    }

    private static StringStringEntryProto entry(String k, String v) {
        return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // A stray temporary file is harmless; the real target was not touched.
            }
        }
    }
}
