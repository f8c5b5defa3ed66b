package dev.whittle.core.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import dev.whittle.core.model.DataType;
import dev.whittle.core.model.Dim;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.ValueInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Opens an .onnx file: memory-maps it, parses it with aliasing (tensor bytes stay in the
 * mapping, not the heap), checks it, and builds the {@link ModelGraph} view. Every failure is
 * an {@link InvalidModelException} whose message names the file and the problem.
 */
public final class OnnxReader {
    /** IR versions Whittle reads: 3 (ONNX 1.0 with opset imports) to 11 (ONNX 1.18+). */
    public static final long MIN_IR = 3;
    public static final long MAX_IR = 11;
    /** Newest default-domain opset Whittle knows. */
    public static final long MAX_OPSET = 25;

    private OnnxReader() {
    }

    /**
     * Opens {@code file}.
     *
     * @throws InvalidModelException (or its subclass {@link UnsafeModelException}) when the file
     *         is missing, not an ONNX model, unsupported, or inconsistent; never another exception
     *         for bad file contents
     */
    public static OnnxModel read(Path file) {
        String name = String.valueOf(file.getFileName());
        long size;
        try {
            if (!Files.exists(file)) {
                throw new InvalidModelException(ModelProblem.NOT_FOUND, "Model file " + file + " does not exist.");
            }
            if (!Files.isRegularFile(file)) {
                // Folders, pipes and devices: opening a pipe would block, so refuse before opening.
                throw new InvalidModelException(ModelProblem.NOT_A_FILE, name + " is "
                        + (Files.isDirectory(file) ? "a folder" : "not a regular file") + ", not an ONNX model file.");
            }
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new InvalidModelException(ModelProblem.NOT_FOUND, "Model file " + file + " does not exist.");
        } catch (IOException e) {
            throw new InvalidModelException(ModelProblem.IO_ERROR, "Model file " + file + " cannot be read: " + e.getMessage(), e);
        }
        if (size == 0) {
            throw new InvalidModelException(ModelProblem.EMPTY, name + " is empty (0 bytes), not an ONNX model.");
        }
        if (size > Integer.MAX_VALUE) {
            throw new InvalidModelException(ModelProblem.TOO_LARGE, name + " is larger than 2 GiB; ONNX models that large"
                    + " must keep their weights in external data files.");
        }
        ByteBuffer mapped;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
        } catch (IOException e) {
            throw new InvalidModelException(ModelProblem.IO_ERROR, "Model file " + name + " cannot be read: " + e.getMessage(), e);
        }
        ModelProto proto = parse(name, mapped);
        if (!proto.hasGraph() && proto.getIrVersion() == 0 && FileSniffer.describe(mapped) != null) {
            throw notProtobuf(name, mapped, null);
        }
        return view(proto, file, size);
    }

    /**
     * Checks a model built in memory (by a transform or the sample trainer) and builds its view.
     * {@code derivedFrom} is the file it was derived from (external data is resolved next to it,
     * and saving refuses to overwrite it), or null for a model built from scratch, which then
     * must not reference external data.
     *
     * @throws InvalidModelException when the model fails the same checks as a file would
     */
    public static OnnxModel fromProto(ModelProto proto, Path derivedFrom) {
        Path file = derivedFrom == null ? Path.of("in-memory.onnx") : derivedFrom;
        // Before anything recursive (even getSerializedSize) walks the graph.
        GraphChecker.checkDepth(String.valueOf(file.getFileName()), proto.getGraph());
        OnnxModel m = view(proto, file, derivedFrom != null, true, proto.getSerializedSize());
        return new OnnxModel(proto, m.graph(), derivedFrom, m.spills());
    }

    private static OnnxModel view(ModelProto proto, Path file, long size) {
        return view(proto, file, true, false, size);
    }

    private static OnnxModel view(ModelProto proto, Path file, boolean hasFolder, boolean allowSpill, long size) {
        String name = String.valueOf(file.getFileName());
        checkHeader(name, proto);
        GraphChecker.checkDepth(name, proto.getGraph());
        new GraphChecker(name).check(proto.getGraph());
        ExternalData external = new ExternalData(file, hasFolder, allowSpill);
        ModelViewBuilder view = new ModelViewBuilder(name, new TensorDecoder(name, external));
        view.walk(proto.getGraph());
        long fileBytes = size + external.totalBytes();
        if (!external.spills().isEmpty() && fileBytes < OnnxWriter.INLINE_LIMIT) {
            // written inline: its size is that of the protobuf with the spilled bytes in place
            // (wrapped, not copied), length prefixes included, plus any source data files
            fileBytes = Spill.inline(proto).getSerializedSize() + external.sourceFileBytes();
        }
        ModelGraph graph = new ModelGraph(file, fileBytes, proto.getIrVersion(),
                proto.getProducerName(), proto.getProducerVersion(), proto.getDocString(), opsets(proto),
                metadata(proto), values(proto.getGraph().getInputList()), values(proto.getGraph().getOutputList()),
                view.nodes, view.constants, view.layers, proto.getFunctionsCount(), view.subgraphs);
        return new OnnxModel(proto, graph, file, external.spills());
    }

    private static ModelProto parse(String name, ByteBuffer bytes) {
        try {
            // Through an immutable ByteString view: CodedInputStream.newInstance(ByteBuffer) takes
            // the buffer as mutable and so copies every byte field, aliasing or not.
            CodedInputStream in = com.google.protobuf.UnsafeByteOperations.unsafeWrap(bytes).newCodedInput();
            in.enableAliasing(true);
            in.setSizeLimit(Integer.MAX_VALUE);
            ModelProto proto = ModelProto.parseFrom(in);
            in.checkLastTagWas(0);
            return proto;
        } catch (InvalidProtocolBufferException e) {
            String msg = String.valueOf(e.getMessage());
            if (msg.contains("too many levels of nesting")) {
                throw new InvalidModelException(ModelProblem.NESTED_TOO_DEEP, name + " nests subgraphs or types deeper than"
                        + " protobuf's limit of 100 message levels, which no real model needs.", e);
            }
            boolean endedEarly = msg.contains("ended unexpectedly") || msg.contains("truncated");
            if (endedEarly && FileSniffer.startsLikeModel(bytes) && FileSniffer.describe(bytes) == null) {
                throw new InvalidModelException(ModelProblem.TRUNCATED, name + " is truncated: the file ends in the middle"
                        + " of the model (was the download or copy cut short?).", e);
            }
            if (FileSniffer.describe(bytes) == null && isProtobuf(bytes)) {
                throw new InvalidModelException(ModelProblem.NOT_A_MODEL, name + " is a protobuf message but not an ONNX"
                        + " model: its fields do not fit ONNX's ModelProto.", e);
            }
            throw notProtobuf(name, bytes, e);
        } catch (IOException e) {
            throw new InvalidModelException(ModelProblem.IO_ERROR, name + " cannot be read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // Hostile bytes can trip the protobuf runtime in ways it does not declare.
            throw notProtobuf(name, bytes, e);
        }
    }

    /** Whether the bytes parse as some protobuf message (fields with valid wire types and lengths). */
    private static boolean isProtobuf(ByteBuffer bytes) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes.duplicate());
            in.enableAliasing(true);
            in.setSizeLimit(Integer.MAX_VALUE);
            UnknownFieldSet.newBuilder().mergeFrom(in);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static InvalidModelException notProtobuf(String name, ByteBuffer bytes, Exception cause) {
        String looks = FileSniffer.describe(bytes);
        return new InvalidModelException(ModelProblem.NOT_PROTOBUF, name + " is not an ONNX model: it is not a valid"
                + " protobuf file" + (looks == null ? "" : " (it looks like " + looks + ")") + ".", cause);
    }

    private static void checkHeader(String name, ModelProto p) {
        if (!p.hasGraph()) {
            throw new InvalidModelException(ModelProblem.NOT_A_MODEL, name + " is a protobuf message but not an ONNX"
                    + " model: it has no graph" + (p.getIrVersion() == 0 ? " and no IR version" : "") + ".");
        }
        if (p.getIrVersion() == 0) {
            throw new InvalidModelException(ModelProblem.UNSUPPORTED_VERSION, name + " declares no IR version, which"
                    + " every ONNX model must (supported: " + MIN_IR + " to " + MAX_IR + ").");
        }
        if (p.getIrVersion() < MIN_IR || p.getIrVersion() > MAX_IR) {
            throw new InvalidModelException(ModelProblem.UNSUPPORTED_VERSION, name + " has IR version " + p.getIrVersion()
                    + ", which Whittle does not support (supported: " + MIN_IR + " to " + MAX_IR + ").");
        }
        if (p.getOpsetImportCount() == 0) {
            throw new InvalidModelException(ModelProblem.UNSUPPORTED_VERSION, name + " imports no opset, so its ops have no meaning.");
        }
        for (OperatorSetIdProto o : p.getOpsetImportList()) {
            boolean onnx = o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx");
            if (onnx && (o.getVersion() < 1 || o.getVersion() > MAX_OPSET)) {
                throw new InvalidModelException(ModelProblem.UNSUPPORTED_VERSION, name + " uses ONNX opset " + o.getVersion()
                        + ", which Whittle does not support (supported: 1 to " + MAX_OPSET + ").");
            }
        }
    }

    private static Map<String, Long> opsets(ModelProto p) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (OperatorSetIdProto o : p.getOpsetImportList()) {
            m.put(o.getDomain().equals("ai.onnx") ? "" : o.getDomain(), o.getVersion());
        }
        return m;
    }

    private static Map<String, String> metadata(ModelProto p) {
        Map<String, String> m = new LinkedHashMap<>();
        for (StringStringEntryProto e : p.getMetadataPropsList()) {
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }

    static List<ValueInfo> values(List<ValueInfoProto> list) {
        List<ValueInfo> out = new ArrayList<>();
        for (ValueInfoProto v : list) {
            TypeProto t = v.getType();
            if (t.hasTensorType()) {
                List<Dim> shape = null;
                if (t.getTensorType().hasShape()) {
                    shape = new ArrayList<>();
                    for (var d : t.getTensorType().getShape().getDimList()) {
                        shape.add(d.hasDimValue() ? Dim.of(d.getDimValue())
                                : d.hasDimParam() ? Dim.symbolic(d.getDimParam()) : Dim.UNKNOWN);
                    }
                }
                DataType dt = DataType.fromCode(t.getTensorType().getElemType()).orElse(null);
                out.add(new ValueInfo(v.getName(), dt, shape, "tensor"));
            } else {
                String kind = t.hasSequenceType() ? "sequence" : t.hasMapType() ? "map"
                        : t.hasOptionalType() ? "optional" : t.hasSparseTensorType() ? "sparse_tensor" : "unknown";
                out.add(new ValueInfo(v.getName(), null, null, kind));
            }
        }
        return out;
    }
}
