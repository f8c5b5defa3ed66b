package dev.whittle.core.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.FunctionProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.function.UnaryOperator;

/** Rewrites every dense constant tensor of a graph (initializers, Constant values, subgraphs). */
public final class ProtoWalk {
    private ProtoWalk() {
    }

    /** Maps initializers and tensor attributes of {@code g} and its subgraphs; sparse tensors are left alone. */
    public static GraphProto mapTensors(GraphProto g, UnaryOperator<TensorProto> f) {
        return mapGraph(g, f, false);
    }

    /**
     * Maps every stored tensor of the model: dense ones as {@link #mapTensors} does, plus the
     * values and indices of sparse initializers and sparse attributes, and tensors inside
     * function bodies. Used where every byte of data matters (relocating external data).
     */
    static ModelProto mapEveryTensor(ModelProto p, UnaryOperator<TensorProto> f) {
        ModelProto.Builder b = p.toBuilder().setGraph(mapGraph(p.getGraph(), f, true));
        for (int i = 0; i < b.getFunctionsCount(); i++) {
            FunctionProto fn = b.getFunctions(i);
            FunctionProto.Builder fb = fn.toBuilder();
            for (int n = 0; n < fn.getNodeCount(); n++) {
                fb.setNode(n, mapNode(fn.getNode(n), f, true));
            }
            b.setFunctions(i, fb);
        }
        return b.build();
    }

    private static GraphProto mapGraph(GraphProto g, UnaryOperator<TensorProto> f, boolean every) {
        GraphProto.Builder b = g.toBuilder();
        for (int i = 0; i < b.getInitializerCount(); i++) {
            b.setInitializer(i, f.apply(b.getInitializer(i)));
        }
        if (every) {
            for (int i = 0; i < b.getSparseInitializerCount(); i++) {
                b.setSparseInitializer(i, mapSparse(b.getSparseInitializer(i), f));
            }
        }
        for (int i = 0; i < b.getNodeCount(); i++) {
            NodeProto n = b.getNode(i);
            NodeProto mapped = mapNode(n, f, every);
            if (mapped != n) {
                b.setNode(i, mapped);
            }
        }
        return b.build();
    }

    private static NodeProto mapNode(NodeProto n, UnaryOperator<TensorProto> f, boolean every) {
        NodeProto.Builder nb = null;
        for (int a = 0; a < n.getAttributeCount(); a++) {
            AttributeProto attr = n.getAttribute(a);
            AttributeProto mapped = mapAttribute(attr, f, every);
            if (mapped != attr) {
                if (nb == null) {
                    nb = n.toBuilder();
                }
                nb.setAttribute(a, mapped);
            }
        }
        return nb == null ? n : nb.build();
    }

    private static SparseTensorProto mapSparse(SparseTensorProto s, UnaryOperator<TensorProto> f) {
        return s.toBuilder().setValues(f.apply(s.getValues())).setIndices(f.apply(s.getIndices())).build();
    }

    private static AttributeProto mapAttribute(AttributeProto a, UnaryOperator<TensorProto> f, boolean every) {
        boolean sparse = every && (a.hasSparseTensor() || a.getSparseTensorsCount() > 0);
        boolean touches = a.hasT() || a.hasG() || a.getGraphsCount() > 0 || a.getTensorsCount() > 0 || sparse;
        if (!touches) {
            return a;
        }
        AttributeProto.Builder b = a.toBuilder();
        if (a.hasT()) {
            b.setT(f.apply(a.getT()));
        }
        for (int i = 0; i < a.getTensorsCount(); i++) {
            b.setTensors(i, f.apply(a.getTensors(i)));
        }
        if (a.hasG()) {
            b.setG(mapGraph(a.getG(), f, every));
        }
        for (int i = 0; i < a.getGraphsCount(); i++) {
            b.setGraphs(i, mapGraph(a.getGraphs(i), f, every));
        }
        if (sparse) {
            if (a.hasSparseTensor()) {
                b.setSparseTensor(mapSparse(a.getSparseTensor(), f));
            }
            for (int i = 0; i < a.getSparseTensorsCount(); i++) {
                b.setSparseTensors(i, mapSparse(a.getSparseTensors(i), f));
            }
        }
        return b.build();
    }
}
