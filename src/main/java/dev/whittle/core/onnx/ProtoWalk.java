package dev.whittle.core.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.function.UnaryOperator;

/** Rewrites every dense constant tensor of a graph (initializers, Constant values, subgraphs). */
public final class ProtoWalk {
    private ProtoWalk() {
    }

    public static GraphProto mapTensors(GraphProto g, UnaryOperator<TensorProto> f) {
        GraphProto.Builder b = g.toBuilder();
        for (int i = 0; i < b.getInitializerCount(); i++) {
            b.setInitializer(i, f.apply(b.getInitializer(i)));
        }
        for (int i = 0; i < b.getNodeCount(); i++) {
            NodeProto n = b.getNode(i);
            NodeProto.Builder nb = null;
            for (int a = 0; a < n.getAttributeCount(); a++) {
                AttributeProto attr = n.getAttribute(a);
                AttributeProto mapped = mapAttribute(attr, f);
                if (mapped != attr) {
                    if (nb == null) {
                        nb = n.toBuilder();
                    }
                    nb.setAttribute(a, mapped);
                }
            }
            if (nb != null) {
                b.setNode(i, nb);
            }
        }
        return b.build();
    }

    private static AttributeProto mapAttribute(AttributeProto a, UnaryOperator<TensorProto> f) {
        boolean touches = a.hasT() || a.hasG() || a.getGraphsCount() > 0 || a.getTensorsCount() > 0;
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
            b.setG(mapTensors(a.getG(), f));
        }
        for (int i = 0; i < a.getGraphsCount(); i++) {
            b.setGraphs(i, mapTensors(a.getGraphs(i), f));
        }
        return b.build();
    }
}
