package dev.whittle.core.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import dev.whittle.core.model.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small fluent builder for ONNX models, used by the sample trainer and by tests that need
 * tiny graphs with fixed weights. Defaults: IR version 8, default-domain opset 13.
 *
 * <pre>{@code
 * OnnxModel m = new GraphBuilder("tiny")
 *     .input("x", DataType.FLOAT, "N", 4)
 *     .initializer("w", new float[12], 4, 3)           // dims [4, 3]
 *     .node("MatMul", "x", "w").outputs("y").done()
 *     .output("y", DataType.FLOAT, "N", 3)
 *     .toModel();                                     // checked by OnnxReader.fromProto
 * }</pre>
 *
 * <p>Dims of inputs and outputs are given as numbers (fixed size), strings (symbolic, such as the
 * batch dim "N") or null (unknown). Initializer data is stored little-endian in {@code raw_data}.
 * Argument mistakes (data length that disagrees with dims, a node without outputs) throw
 * {@link IllegalArgumentException} or {@link IllegalStateException}: they are programming errors.
 */
public final class GraphBuilder {
    private final String graphName;
    private final List<ValueInfoProto> inputs = new ArrayList<>();
    private final List<ValueInfoProto> outputs = new ArrayList<>();
    private final List<TensorProto> initializers = new ArrayList<>();
    private final List<NodeBuilder> nodes = new ArrayList<>();
    private final Map<String, Long> opsets = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private long irVersion = 8;
    private String producerName = "whittle";
    private String producerVersion = "";
    private String docString = "";

    public GraphBuilder(String graphName) {
        this.graphName = graphName;
        opsets.put("", 13L);
    }

    /** Sets the default-domain opset version (13 unless set). */
    public GraphBuilder opset(long version) {
        return opset("", version);
    }

    /** Imports {@code domain} (e.g. "com.microsoft") at {@code version}; "" is the default domain. */
    public GraphBuilder opset(String domain, long version) {
        opsets.put(domain, version);
        return this;
    }

    public GraphBuilder irVersion(long version) {
        this.irVersion = version;
        return this;
    }

    public GraphBuilder producer(String name, String version) {
        this.producerName = name;
        this.producerVersion = version;
        return this;
    }

    /** The model's doc_string. */
    public GraphBuilder docString(String doc) {
        this.docString = doc;
        return this;
    }

    /** Adds a metadata_props entry; later calls with the same key replace the value. */
    public GraphBuilder metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public GraphBuilder input(String name, DataType type, Object... dims) {
        inputs.add(valueInfo(name, type, dims));
        return this;
    }

    public GraphBuilder output(String name, DataType type, Object... dims) {
        outputs.add(valueInfo(name, type, dims));
        return this;
    }

    /** A float32 initializer; {@code values} are in C order and must have product(dims) elements. */
    public GraphBuilder initializer(String name, float[] values, long... dims) {
        initializers.add(floatTensor(name, values, dims));
        return this;
    }

    /** An int64 initializer (shapes, axes, indices); {@code values} in C order. */
    public GraphBuilder initializer(String name, long[] values, long... dims) {
        initializers.add(longTensor(name, values, dims));
        return this;
    }

    /** An initializer of any type from its little-endian bytes (for int8, uint8, float16, ...). */
    public GraphBuilder initializer(String name, DataType type, ByteBuffer littleEndian, long... dims) {
        initializers.add(rawTensor(name, type, littleEndian, dims));
        return this;
    }

    /**
     * An initializer whose data is in an external file beside the model ({@code location}
     * relative to the model's folder), at [offset, offset + length): for models written without
     * holding their weights in memory.
     */
    public GraphBuilder externalInitializer(String name, DataType type, String location, long offset, long length,
                                            long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.code())
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue(Long.toString(offset)))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue(Long.toString(length)));
        for (long d : dims) {
            t.addDims(d);
        }
        initializers.add(t.build());
        return this;
    }

    /** Writes the model file as built, without checks (its external data must already be in place). */
    public void writeTo(java.nio.file.Path file) throws java.io.IOException {
        java.nio.file.Files.write(file, buildProto().toByteArray());
    }

    /** Adds a node reading {@code inputs} ("" for an omitted optional input); set outputs on the result. */
    public NodeBuilder node(String opType, String... inputs) {
        NodeBuilder n = new NodeBuilder(this, opType, inputs);
        nodes.add(n);
        return n;
    }

    /** The ModelProto, without checks. */
    public ModelProto buildProto() {
        GraphProto.Builder g = GraphProto.newBuilder().setName(graphName)
                .addAllInput(inputs).addAllOutput(outputs).addAllInitializer(initializers);
        for (NodeBuilder n : nodes) {
            g.addNode(n.build());
        }
        ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(irVersion).setProducerName(producerName)
                .setProducerVersion(producerVersion).setDocString(docString).setGraph(g);
        opsets.forEach((d, v) -> m.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(d).setVersion(v)));
        metadata.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return m.build();
    }

    /** The model, checked and viewed by {@link OnnxReader#fromProto}; save it with {@code save(path)}. */
    public OnnxModel toModel() {
        return OnnxReader.fromProto(buildProto(), null);
    }

    public static TensorProto floatTensor(String name, float[] values, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return rawTensor(name, DataType.FLOAT, b, dims);
    }

    public static TensorProto longTensor(String name, long[] values, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return rawTensor(name, DataType.INT64, b, dims);
    }

    public static TensorProto rawTensor(String name, DataType type, ByteBuffer littleEndian, long... dims) {
        long count = 1;
        for (long d : dims) {
            count *= d;
        }
        if (type.bits() == 0 || type.storageBytes(count) != littleEndian.remaining()) {
            throw new IllegalArgumentException("Tensor " + name + ": dims " + Arrays.toString(dims) + " of " + type
                    + " need " + type.storageBytes(count) + " bytes, got " + littleEndian.remaining() + ".");
        }
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.code())
                .setRawData(ByteString.copyFrom(littleEndian.duplicate()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    private static ValueInfoProto valueInfo(String name, DataType type, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof Number n) {
                dim.setDimValue(n.longValue());
            } else if (d instanceof String s) {
                dim.setDimParam(s);
            } else if (d != null) {
                throw new IllegalArgumentException("Dim " + d + " of " + name + " is not a number, a string or null.");
            }
            shape.addDim(dim);
        }
        TypeProto.Tensor.Builder tensor = TypeProto.Tensor.newBuilder().setElemType(type.code()).setShape(shape);
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tensor)).build();
    }

    /** One node under construction; {@link #done()} returns to the graph. */
    public static final class NodeBuilder {
        private final GraphBuilder graph;
        private final NodeProto.Builder node;

        private NodeBuilder(GraphBuilder graph, String opType, String... inputs) {
            this.graph = graph;
            this.node = NodeProto.newBuilder().setOpType(opType).addAllInput(Arrays.asList(inputs));
        }

        public NodeBuilder name(String name) {
            node.setName(name);
            return this;
        }

        public NodeBuilder domain(String domain) {
            node.setDomain(domain);
            return this;
        }

        public NodeBuilder outputs(String... names) {
            node.clearOutput().addAllOutput(Arrays.asList(names));
            return this;
        }

        public NodeBuilder attr(String name, long value) {
            return add(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value));
        }

        public NodeBuilder attr(String name, float value) {
            return add(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value));
        }

        public NodeBuilder attr(String name, String value) {
            return add(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                    .setS(ByteString.copyFromUtf8(value)));
        }

        public NodeBuilder attrInts(String name, long... values) {
            AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
            for (long v : values) {
                a.addInts(v);
            }
            return add(a);
        }

        public NodeBuilder attrFloats(String name, float... values) {
            AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOATS);
            for (float v : values) {
                a.addFloats(v);
            }
            return add(a);
        }

        /** A float32 tensor attribute, as the {@code value} of a Constant node. */
        public NodeBuilder attrTensor(String name, float[] values, long... dims) {
            return add(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR)
                    .setT(floatTensor("", values, dims)));
        }

        private NodeBuilder add(AttributeProto.Builder a) {
            node.addAttribute(a);
            return this;
        }

        /** Back to the graph, to add more. */
        public GraphBuilder done() {
            return graph;
        }

        private NodeProto build() {
            if (node.getOutputCount() == 0) {
                throw new IllegalStateException(node.getOpType() + " node '" + node.getName() + "' has no outputs.");
            }
            return node.build();
        }
    }
}
