package dev.whittle.core.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.whittle.core.model.ModelGraph;
import java.nio.file.Path;

/**
 * A loaded model: the protobuf as read (never mutated) and its {@link ModelGraph} view.
 * Transforms build a new ModelProto and wrap it in a new OnnxModel.
 */
public final class OnnxModel {
    private final ModelProto proto;
    private final ModelGraph graph;
    private final Path source;
    /** The temporary files holding tensors this model refers to, kept alive with it. */
    private final java.util.List<Spill> spills;

    OnnxModel(ModelProto proto, ModelGraph graph, Path source, java.util.List<Spill> spills) {
        this.proto = proto;
        this.graph = graph;
        this.source = source;
        this.spills = spills;
    }

    /**
     * Whether some of this model's tensors live in a temporary file of this process (a large
     * model's compressed weights): ONNX Runtime must then get it through {@link RuntimeCopy}.
     */
    public boolean spilled() {
        return !spills.isEmpty();
    }

    java.util.List<Spill> spills() {
        return spills;
    }

    /** The protobuf; for code in {@code core.onnx} and the transforms' ONNX editing helpers. */
    public ModelProto proto() {
        return proto;
    }

    /**
     * The model serialized as an .onnx file's bytes (external tensors stay references to their
     * files), for code outside {@code core.onnx} that hands a model to another library.
     */
    public byte[] toBytes() {
        return proto.toByteArray();
    }

    /**
     * Bytes of the serialized .onnx file (external tensors not counted), or -1 when protobuf
     * cannot serialize it as one message (over 2 GiB).
     */
    public long serializedBytes() {
        int n = proto.getSerializedSize();
        return n < 0 ? -1 : n;
    }

    public ModelGraph graph() {
        return graph;
    }

    /** The file this model was read from, or null for a model built in memory. */
    public Path source() {
        return source;
    }

    /**
     * This model with another producer and {@code metadata_props} (replacing all of them, in the
     * map's order); the graph is unchanged.
     */
    public OnnxModel withProducer(String name, String version, java.util.Map<String, String> metadata) {
        ModelProto.Builder b = proto.toBuilder().setProducerName(name).setProducerVersion(version).clearMetadataProps();
        metadata.forEach((k, v) -> b.addMetadataProps(ai.onnx.proto.OnnxMl.StringStringEntryProto.newBuilder()
                .setKey(k).setValue(v)));
        OnnxModel m = OnnxReader.fromProto(b.build(), source);
        java.lang.ref.Reference.reachabilityFence(this); // its spills, until the new model holds them
        return m;
    }

    /**
     * Writes the model to {@code target} atomically. External tensors are written to
     * {@code <target file name>.data} beside it. Never writes over the source file.
     */
    public void save(Path target) {
        OnnxWriter.write(this, target);
        java.lang.ref.Reference.reachabilityFence(this); // spilled weights are read until the write ends
    }

    /**
     * Writes the model to {@code target} atomically; with {@code externalData}, or when the model
     * would exceed protobuf's 2 GiB limit, every initializer of 1 KiB or more goes to
     * {@code <target file name>.data} (ONNX Runtime's layout: relative location, 4096-byte aligned
     * offsets). Returns whether weights were moved to that file (asked, or over the limit); the
     * source's external tensors always go there and do not count.
     */
    public boolean save(Path target, boolean externalData) {
        boolean moved = OnnxWriter.write(proto, target, source, externalData);
        java.lang.ref.Reference.reachabilityFence(this); // spilled weights are read until the write ends
        return moved;
    }
}
