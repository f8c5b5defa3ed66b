package dev.whittle.core.prune;

import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.GraphEditor;
import dev.whittle.core.onnx.GraphNode;

/**
 * Conv, Gemm and MatMul in channel analysis: as consumers, their weight loses the input columns
 * of removed channels; as selected layers, their output channels become a prunable space (weight
 * rows and bias follow it). A depthwise Conv passes channels through.
 */
final class WeightNodes {
    private WeightNodes() {
    }

    static Layout visit(ChannelAnalysis a, GraphEditor ed, int i, GraphNode n, WeightLayer layer, Layout in0, boolean selected) {
        String where = n.op() + " '" + n.name() + "'";
        boolean direct = n.input(1).equals(layer.weight()) && ed.isConstant(layer.weight());
        long[] w = layer.shape();
        if (in0 != null && !direct) {
            a.block(in0, where + " reads its weight through another node");
            in0 = null;
        }
        if (in0 != null && n.op().equals("Conv")) {
            long group = n.intAttr("group", 1);
            if (group != 1 && group == in0.channels() && w[1] == 1 && w[0] == group && in0.perChannel() == 1) {
                return depthwise(a, ed, i, n, layer, in0);
            }
            if (group != 1) {
                a.block(in0, "grouped " + where + " (group " + group + ") reads them");
            } else if (in0.axis() != 1 || in0.perChannel() != 1 || in0.channels() != w[1]) {
                a.block(in0, where + " does not read them as its input channels");
            } else {
                a.slices.add(new ChannelAnalysis.Slice(i, 1, layer.weight(), 1, in0));
            }
        } else if (in0 != null) {
            int axis = n.op().equals("Gemm") && n.intAttr("transB", 0) == 1 ? 1 : 0;
            Layout s = in0.fromEnd() == 0 && w.length == 2 ? ChannelAnalysis.settle(in0, w[axis]) : null;
            if (s == null || (n.op().equals("Gemm") && n.intAttr("transA", 0) != 0)) {
                a.block(in0, where + " does not read them as its input features");
            } else {
                a.slices.add(new ChannelAnalysis.Slice(i, 1, layer.weight(), axis, s));
            }
        }
        int rank = n.op().equals("Conv") ? w.length : n.op().equals("Gemm") ? 2 : -1;
        int channels = (int) layer.outputChannels();
        int space = -1;
        if (selected) {
            space = a.newSpace(layer, channels);
            String why = sourceProblem(ed, n, layer, direct);
            if (why != null) {
                a.spaces.get(space).blocked = why;
            }
        }
        Layout out = Layout.of(space, channels, rank, n.op().equals("Conv") ? rank - 2 : 0);
        if (space >= 0) {
            a.slices.add(new ChannelAnalysis.Slice(i, 1, layer.weight(), layer.axis(), out));
            String bias = n.input(2);
            if (!bias.isEmpty() && ed.isConstant(bias)) {
                long[] d = ed.dims(bias);
                if (d.length > 0 && d[d.length - 1] == channels) {
                    a.slices.add(new ChannelAnalysis.Slice(i, 2, bias, d.length - 1, out));
                } else if (d.length > 0 && d[d.length - 1] != 1) {
                    a.spaces.get(space).blocked = "its bias has shape " + java.util.Arrays.toString(d);
                }
            }
        }
        return out;
    }

    private static String sourceProblem(GraphEditor ed, GraphNode n, WeightLayer layer, boolean direct) {
        if (!direct) {
            return "its weight reaches it through another node";
        }
        if (ed.uses(layer.weight()).size() != 1) {
            return "its weight is shared with other nodes";
        }
        if (n.op().equals("Conv") && n.intAttr("group", 1) != 1) {
            return "it is a grouped Conv (group " + n.intAttr("group", 1) + "), whose filters cannot be removed one by one";
        }
        if (n.op().equals("Gemm") && n.intAttr("transA", 0) != 0) {
            return "Gemm with transA=1 is not supported";
        }
        if (layer.shape().length != 2 && !n.op().equals("Conv")) {
            return "its weight has rank " + layer.shape().length;
        }
        String bias = n.input(2);
        if (!bias.isEmpty() && !ed.isConstant(bias)) {
            return "its bias '" + bias + "' is not a constant";
        }
        return null;
    }

    private static Layout depthwise(ChannelAnalysis a, GraphEditor ed, int i, GraphNode n, WeightLayer layer, Layout in0) {
        if (ed.uses(layer.weight()).size() != 1) {
            return a.block(in0, "depthwise Conv '" + n.name() + "' shares its weight");
        }
        Layout out = in0;
        a.slices.add(new ChannelAnalysis.Slice(i, 1, layer.weight(), 0, out));
        String bias = n.input(2);
        if (!bias.isEmpty()) {
            if (!ed.isConstant(bias)) {
                return a.block(in0, "depthwise Conv '" + n.name() + "' has a non-constant bias");
            }
            a.slices.add(new ChannelAnalysis.Slice(i, 2, bias, 0, out));
        }
        a.groupFixes.put(i, out);
        return out;
    }
}
