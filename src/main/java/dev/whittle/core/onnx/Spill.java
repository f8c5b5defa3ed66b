package dev.whittle.core.onnx;

import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A temporary, append-only file that holds the tensors a transform makes, so that compressing a
 * large model keeps only the layers in flight on the heap, not every new weight until the model
 * is written. A spilled tensor is an ordinary external-data TensorProto whose location is
 * {@code whittle-spill:<id>}; {@link ExternalData} maps it from this file, {@link OnnxWriter}
 * copies it into the output's data file, and models holding such tensors are handed to ONNX
 * Runtime through {@link RuntimeCopy}. The file is deleted once no model refers to it, and at
 * exit. Ids are random and live only in this process, so a file on disk cannot name one.
 */
public final class Spill {
    static final String PREFIX = "whittle-spill:";
    /** Tensors smaller than this stay inline: the graph's small constants are not worth a file. */
    static final int MIN_BYTES = 64 << 10;
    private static final long ALIGN = 64;
    private static final Cleaner CLEANER = Cleaner.create();
    private static final Map<String, WeakReference<Spill>> LIVE = new ConcurrentHashMap<>();
    /** Overrides the model size from which transforms spill (tests force it with 0). */
    private static volatile Long thresholdOverride;

    private final String id;
    private final Path file;
    private final FileChannel channel;
    private long end;

    private Spill(Path file, FileChannel channel) {
        this.id = UUID.randomUUID().toString();
        this.file = file;
        this.channel = channel;
        LIVE.put(id, new WeakReference<>(this));
        String key = id;
        // The cleaning action must not refer to this object, or it would never become unreachable.
        CLEANER.register(this, () -> close(key, file, channel));
    }

    static Spill create() {
        try {
            Path f = Files.createTempFile("whittle-spill-", ".data");
            f.toFile().deleteOnExit();
            return new Spill(f, FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE));
        } catch (IOException e) {
            String why = e instanceof java.nio.file.NoSuchFileException ? "the folder does not exist"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                    : String.valueOf(e.getMessage());
            throw new dev.whittle.core.BadInputException("Cannot create a temporary file for the compressed weights of a"
                    + " large model in " + System.getProperty("java.io.tmpdir") + " (" + why + "); choose another folder"
                    + " with WHITTLE_JAVA_OPTS=-Djava.io.tmpdir=DIR.", e);
        }
    }

    private static void close(String id, Path file, FileChannel channel) {
        LIVE.remove(id);
        try {
            channel.close();
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // deleteOnExit removes it later.
        }
    }

    /**
     * Model weight bytes from which transforms spill their new tensors: an eighth of the heap, so
     * a model that fits comfortably stays in memory (faster, no temporary file).
     */
    public static long threshold() {
        Long o = thresholdOverride;
        if (o != null) {
            return o;
        }
        // -Dwhittle.spillBytes=0 spills every large tensor: the test suite runs that way too (.ci/run)
        String p = System.getProperty("whittle.spillBytes");
        if (p != null && !p.isBlank()) {
            try {
                return Long.parseLong(p.trim());
            } catch (NumberFormatException ignored) {
                // fall through to the default
            }
        }
        return Runtime.getRuntime().maxMemory() / 8;
    }

    /** For tests: spill from {@code bytes} of weights (0: always); null restores the default. */
    public static void overrideThreshold(Long bytes) {
        thresholdOverride = bytes;
    }

    /** Whether edits of {@code model} should spill: its weights are large against the heap. */
    static boolean wanted(OnnxModel model) {
        long t = threshold();
        if (t <= 0) {
            return true;
        }
        long sum = 0;
        for (var c : model.graph().constants()) {
            sum += c.bytes();
            if (sum >= t) {
                return true;
            }
        }
        return false;
    }

    /** Appends {@code bytes} and returns the TensorProto {@code t} pointing at them (its raw data cleared). */
    synchronized TensorProto write(TensorProto.Builder t, ByteBuffer bytes) {
        long offset = (end + ALIGN - 1) / ALIGN * ALIGN;
        end = put(bytes.duplicate(), offset);
        return reference(t, offset, end - offset);
    }

    /**
     * Appends {@code values} encoded as {@code type}, a chunk at a time (no second copy of the
     * tensor on the heap), and returns {@code t} pointing at them.
     */
    synchronized TensorProto writeFloats(TensorProto.Builder t, dev.whittle.core.model.DataType type, float[] values) {
        long offset = (end + ALIGN - 1) / ALIGN * ALIGN;
        long at = offset;
        int chunk = 1 << 18;
        for (int from = 0; from < values.length; from += chunk) {
            float[] part = java.util.Arrays.copyOfRange(values, from, Math.min(values.length, from + chunk));
            at = put(ByteBuffer.wrap(TensorBytes.encodeFloats(type, part)), at);
        }
        end = at;
        return reference(t, offset, at - offset);
    }

    private long put(ByteBuffer b, long at) {
        try {
            while (b.hasRemaining()) {
                at += channel.write(b, at);
            }
            return at;
        } catch (IOException e) {
            throw new dev.whittle.core.BadInputException("Cannot write the compressed weights to the temporary file "
                    + file + ": " + e.getMessage() + " (is the disk full?).", e);
        }
    }

    private TensorProto reference(TensorProto.Builder t, long offset, long length) {
        return t.clearRawData().clearFloatData().clearInt32Data().clearInt64Data().clearDoubleData().clearUint64Data()
                .clearExternalData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(OnnxWriter.entry("location", PREFIX + id))
                .addExternalData(OnnxWriter.entry("offset", Long.toString(offset)))
                .addExternalData(OnnxWriter.entry("length", Long.toString(length))).build();
    }

    /** The spill a location names, or null when it is not a spill location. */
    static Spill of(String location, String tensor, String file) {
        if (location == null || !location.startsWith(PREFIX)) {
            return null;
        }
        WeakReference<Spill> ref = LIVE.get(location.substring(PREFIX.length()));
        Spill s = ref == null ? null : ref.get();
        if (s == null) {
            throw new InvalidModelException(ModelProblem.MISSING_EXTERNAL_DATA, "Tensor '" + tensor + "' in " + file
                    + " refers to external data '" + location + "', which is not a file Whittle is writing.");
        }
        return s;
    }

    static boolean isSpill(TensorProto t) {
        if (t.getDataLocation() != TensorProto.DataLocation.EXTERNAL) {
            return false;
        }
        for (StringStringEntryProto e : t.getExternalDataList()) {
            if (e.getKey().equals("location") && e.getValue().startsWith(PREFIX)) {
                return true;
            }
        }
        return false;
    }

    /** Maps {@code length} bytes at {@code offset} (read-only). */
    synchronized ByteBuffer map(String tensor, long offset, long length) {
        if (offset < 0 || length < 0 || offset > end || length > end - offset) {
            throw new InvalidModelException(ModelProblem.TRUNCATED, "Tensor '" + tensor + "' points past the end of "
                    + "the temporary weights file " + file + ".");
        }
        if (length == 0) {
            return ByteBuffer.allocate(0);
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The values of a tensor this process spilled, decoded to float32. */
    static float[] floats(TensorProto t, dev.whittle.core.model.DataType type, long[] dims) {
        ByteBuffer raw = bytes(t).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        return new dev.whittle.core.model.TensorData(t.getName(), type, dims, dev.whittle.core.model.Storage.EXTERNAL,
                raw, TensorDecoder.rawSource(type, raw)).toFloatArray();
    }

    /** The bytes of a spilled tensor, mapped. */
    static ByteBuffer bytes(TensorProto t) {
        ExternalData.Ref r = ExternalData.Ref.of(t, t.getName(), "the edited model");
        return of(r.location(), t.getName(), "the edited model").map(t.getName(), r.offset(), r.length());
    }

    /** The byte length a spilled tensor's entry gives (spills always write it). */
    static long length(TensorProto t) {
        return ExternalData.Ref.of(t, t.getName(), "the edited model").length();
    }

    /** {@code p} with every spilled tensor back inline (raw data wrapping the mapped file: no copy). */
    static ai.onnx.proto.OnnxMl.ModelProto inline(ai.onnx.proto.OnnxMl.ModelProto p) {
        boolean[] any = {false};
        ai.onnx.proto.OnnxMl.ModelProto out = ProtoWalk.mapEveryTensor(p, t -> {
            if (!isSpill(t)) {
                return t;
            }
            any[0] = true;
            return inline(t);
        });
        return any[0] ? out : p;
    }

    static TensorProto inline(TensorProto t) {
        return t.toBuilder().clearExternalData().clearDataLocation()
                .setRawData(com.google.protobuf.UnsafeByteOperations.unsafeWrap(bytes(t))).build();
    }

    /**
     * How many bytes larger {@code t} serializes inline than as a spill reference, counting its
     * length prefix in the enclosing message: so a spilled model reports the size it is written at.
     */
    static long inlineGrowth(TensorProto t) {
        long raw = length(t);
        int external = t.getSerializedSize();
        long entries = 0;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            entries += com.google.protobuf.CodedOutputStream.computeMessageSize(13, e);
        }
        entries += com.google.protobuf.CodedOutputStream.computeEnumSize(14, TensorProto.DataLocation.EXTERNAL_VALUE);
        long inline = external - entries + 1 + varintSize(raw) + raw;
        return inline + varintSize(inline) - (external + varintSize(external));
    }

    private static int varintSize(long v) {
        return com.google.protobuf.CodedOutputStream.computeUInt64SizeNoTag(v);
    }

    Path file() {
        return file;
    }
}
