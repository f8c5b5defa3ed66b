package dev.whittle.testing;

import static dev.whittle.testing.BodyModels.floats;
import static dev.whittle.testing.BodyModels.graph;
import static dev.whittle.testing.BodyModels.node;
import static dev.whittle.testing.BodyModels.value;
import static dev.whittle.testing.BodyModels.w;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.whittle.core.onnx.OnnxModel;
import java.util.ArrayList;
import java.util.List;

/**
 * LSTMs whose W and R are computed in the graph from PyTorch-layout constants, as Silero VAD v5
 * (spox) writes them: W = Unsqueeze(Concat(Slice(w_ih, i), Slice(w_ih, o), Slice(w_ih, f..c)))
 * reorders PyTorch's gate blocks (i, f, g, o) into ONNX's (i, o, f, c); R = Reshape(Transpose(r_t))
 * from a transposed copy. Each comes with a twin that holds the same W and R as plain
 * initializers, which every method must treat identically.
 */
public final class ComputedLstm {
    public static final int HIDDEN = 4;
    public static final int INPUTS = 3;
    private static final int ROWS = 4 * HIDDEN;

    private ComputedLstm() {
    }

    /** w_ih [4H, inputs] in PyTorch gate order. */
    public static float[] wIh() {
        return w(51, ROWS * INPUTS);
    }

    /** r_t [H, 4H]: the transpose of R's rows. */
    public static float[] rT() {
        return w(52, HIDDEN * ROWS);
    }

    /** W [1, 4H, inputs] in ONNX gate order: rows i, o, f, c of w_ih. */
    public static float[] expectedW() {
        float[] src = wIh();
        float[] out = new float[src.length];
        int[] blocks = {0, 3, 1, 2};
        for (int b = 0; b < 4; b++) {
            System.arraycopy(src, blocks[b] * HIDDEN * INPUTS, out, b * HIDDEN * INPUTS, HIDDEN * INPUTS);
        }
        return out;
    }

    /** R [1, 4H, H] = transpose of r_t. */
    public static float[] expectedR() {
        float[] t = rT();
        float[] out = new float[t.length];
        for (int g = 0; g < ROWS; g++) {
            for (int h = 0; h < HIDDEN; h++) {
                out[g * HIDDEN + h] = t[h * ROWS + g];
            }
        }
        return out;
    }

    /** x [5, 2, 3] -> Y, with the computed LSTM in the main graph ({@code computed}) or its plain twin. */
    public static OnnxModel main(boolean computed) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("computed_lstm").addInput(value("x", 5, 2, INPUTS));
        g.addInitializer(floats("B", w(53, 8 * HIDDEN), 1, 8 * HIDDEN));
        lstm(g, "", computed, true);
        g.addOutput(value("Y", 5, 1, 2, HIDDEN));
        return BodyModels.model(g.build());
    }

    /**
     * x [5, 2, 3], s [1] -> Y: If(s > 0) with an LSTM in each branch (then_lstm, else_lstm), both
     * computed from the same w_ih and r_t, which live in the main graph (outer scope), as in
     * Silero v5's two decoder branches; or the plain twin, W and R initializers in each branch.
     */
    public static OnnxModel inIf(boolean computed) {
        GraphProto.Builder main = GraphProto.newBuilder().setName("if_lstm")
                .addInput(value("x", 5, 2, INPUTS)).addInput(value("s", 1))
                .addInitializer(floats("zero", new float[] {0f}, 1))
                .addInitializer(floats("B", w(53, 8 * HIDDEN), 1, 8 * HIDDEN));
        if (computed) {
            sources(main);
        }
        List<GraphProto> branches = new ArrayList<>();
        for (String b : List.of("then", "else")) {
            GraphProto.Builder body = GraphProto.newBuilder().setName(b);
            lstm(body, b + "_", computed, false);
            branches.add(body.addOutput(value(b + "_Y", 5, 1, 2, HIDDEN)).build());
        }
        main.addNode(node("Greater", "gt", "cond", "s", "zero"))
                .addNode(NodeProto.newBuilder().setOpType("If").setName("If_0").addInput("cond").addOutput("Y")
                        .addAttribute(graph("then_branch", branches.get(0))).addAttribute(graph("else_branch", branches.get(1))))
                .addOutput(value("Y", 5, 1, 2, HIDDEN));
        return BodyModels.model(main.build());
    }

    /**
     * As {@link #inIf}, one level down: the main graph's If (s > 0) has in its then branch the
     * sources and an inner If over the same condition with a computed LSTM in each branch (so
     * the shared weights live in a body), and in its else branch a plain LSTM.
     */
    public static OnnxModel nested(boolean computed) {
        GraphProto.Builder outerThen = GraphProto.newBuilder().setName("outer_then");
        if (computed) {
            sources(outerThen);
        }
        List<GraphProto> inner = new ArrayList<>();
        for (String b : List.of("then", "else")) {
            GraphProto.Builder body = GraphProto.newBuilder().setName(b);
            lstm(body, "in_" + b + "_", computed, false);
            inner.add(body.addOutput(value("in_" + b + "_Y", 5, 1, 2, HIDDEN)).build());
        }
        outerThen.addNode(NodeProto.newBuilder().setOpType("If").setName("If_inner").addInput("cond").addOutput("inner_Y")
                        .addAttribute(graph("then_branch", inner.get(0))).addAttribute(graph("else_branch", inner.get(1))))
                .addOutput(value("inner_Y", 5, 1, 2, HIDDEN));
        GraphProto.Builder outerElse = GraphProto.newBuilder().setName("outer_else");
        lstm(outerElse, "plain_", false, false);
        outerElse.addOutput(value("plain_Y", 5, 1, 2, HIDDEN));
        GraphProto.Builder main = GraphProto.newBuilder().setName("nested_lstm")
                .addInput(value("x", 5, 2, INPUTS)).addInput(value("s", 1))
                .addInitializer(floats("zero", new float[] {0f}, 1))
                .addInitializer(floats("B", w(53, 8 * HIDDEN), 1, 8 * HIDDEN))
                .addNode(node("Greater", "gt", "cond", "s", "zero"))
                .addNode(NodeProto.newBuilder().setOpType("If").setName("If_outer").addInput("cond").addOutput("Y")
                        .addAttribute(graph("then_branch", outerThen.build())).addAttribute(graph("else_branch", outerElse.build())))
                .addOutput(value("Y", 5, 1, 2, HIDDEN));
        return BodyModels.model(main.build());
    }

    private static void sources(GraphProto.Builder g) {
        g.addInitializer(floats("w_ih", wIh(), ROWS, INPUTS));
        g.addInitializer(floats("r_t", rT(), HIDDEN, ROWS));
    }

    private static void lstm(GraphProto.Builder g, String p, boolean computed, boolean withSources) {
        String wIn = p + "W";
        String rIn = p + "R";
        if (computed) {
            if (withSources) {
                sources(g);
            }
            // i: rows [0, H); o: rows [3H, end) with an INT64_MAX end; f..c: rows [-3H, -H) counted from the end
            slice(g, p + "s_i", "w_ih", 0, HIDDEN);
            slice(g, p + "s_o", "w_ih", 3 * HIDDEN, Long.MAX_VALUE);
            slice(g, p + "s_fc", "w_ih", -3 * HIDDEN, -HIDDEN);
            g.addNode(NodeProto.newBuilder().setOpType("Concat").setName(p + "cat").addInput(p + "s_i").addInput(p + "s_o")
                    .addInput(p + "s_fc").addOutput(p + "w_cat")
                    .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(0)));
            g.addInitializer(ints64(p + "ax0", 0));
            g.addNode(node("Unsqueeze", p + "unsq", wIn, p + "w_cat", p + "ax0"));
            g.addNode(NodeProto.newBuilder().setOpType("Transpose").setName(p + "tr").addInput("r_t").addOutput(p + "r_rows")
                    .addAttribute(ints("perm", 1, 0)));
            g.addInitializer(ints64(p + "r_shape", 1, ROWS, -1));
            g.addNode(node("Reshape", p + "resh", rIn, p + "r_rows", p + "r_shape"));
        } else {
            g.addInitializer(floats(wIn, expectedW(), 1, ROWS, INPUTS));
            g.addInitializer(floats(rIn, expectedR(), 1, ROWS, HIDDEN));
        }
        g.addNode(NodeProto.newBuilder().setOpType("LSTM").setName(p + "lstm").addInput("x").addInput(wIn).addInput(rIn)
                .addInput("B").addOutput(p + "Y")
                .addAttribute(AttributeProto.newBuilder().setName("hidden_size").setType(AttributeProto.AttributeType.INT).setI(HIDDEN)));
    }

    private static void slice(GraphProto.Builder g, String out, String src, long start, long end) {
        g.addInitializer(ints64(out + "_start", start));
        g.addInitializer(ints64(out + "_end", end));
        g.addInitializer(ints64(out + "_axes", 0));
        g.addNode(node("Slice", out, out, src, out + "_start", out + "_end", out + "_axes"));
    }

    private static TensorProto ints64(String name, long... v) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(7).addDims(v.length);
        for (long x : v) {
            t.addInt64Data(x);
        }
        return t.build();
    }

    private static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }
}
