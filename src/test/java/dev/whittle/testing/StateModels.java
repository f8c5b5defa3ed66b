package dev.whittle.testing;

import dev.whittle.core.model.DataType;
import dev.whittle.core.onnx.GraphBuilder;
import dev.whittle.core.onnx.OnnxModel;

/**
 * Small models fed like voice-activity detectors: a chunk input, a recurrent state with the
 * batch on axis 1, and a scalar sample rate; with a Java reference of one step.
 *
 * <pre>
 * g      = state[0]                       [B, 3]
 * h      = tanh(x Wx + g Wh)              [B, 3]
 * out    = sigmoid((h Wo) * sr / 16000)   [B, 1]
 * stateN = [h, g]                         [2, B, 3]
 * </pre>
 */
public final class StateModels {
    public static final float[] WX = {0.5f, -0.3f, 0.8f, 0.2f, 0.4f, -0.6f, -0.7f, 0.1f, 0.3f, 0.9f, -0.2f, 0.5f};
    public static final float[] WH = {0.6f, -0.4f, 0.1f, 0.3f, 0.5f, -0.2f, -0.1f, 0.2f, 0.7f};
    public static final float[] WO = {1.5f, -1.2f, 0.9f};

    private StateModels() {
    }

    /**
     * The model with output weights {@code wo}; the batch dim is named {@code batch} when
     * {@code named}, else left unnamed (as Silero VAD v5 declares it).
     */
    public static OnnxModel vad(float[] wo, boolean named) {
        Object b = named ? "batch" : null;
        return new GraphBuilder("state")
                .input("x", DataType.FLOAT, b, 4)
                .input("state", DataType.FLOAT, 2, b, 3)
                .input("sr", DataType.INT64)
                .initializer("Wx", WX, 4, 3).initializer("Wh", WH, 3, 3).initializer("Wo", wo, 3, 1)
                .initializer("zero", new long[] {0}).initializer("ax0", new long[] {0}, 1)
                .initializer("rate", new float[] {16000f})
                .node("Gather", "state", "zero").name("first").attr("axis", 0L).outputs("g").done()
                .node("MatMul", "x", "Wx").name("inx").outputs("a").done()
                .node("MatMul", "g", "Wh").name("inh").outputs("c").done()
                .node("Add", "a", "c").name("sum").outputs("pre").done()
                .node("Tanh", "pre").name("tanh").outputs("h").done()
                .node("MatMul", "h", "Wo").name("head").outputs("logit").done()
                .node("Cast", "sr").name("srf").attr("to", (long) DataType.FLOAT.code()).outputs("srf").done()
                .node("Div", "srf", "rate").name("scale").outputs("k").done()
                .node("Mul", "logit", "k").name("scaled").outputs("z").done()
                .node("Sigmoid", "z").name("prob").outputs("out").done()
                .node("Unsqueeze", "h", "ax0").name("uh").outputs("h3").done()
                .node("Unsqueeze", "g", "ax0").name("ug").outputs("g3").done()
                .node("Concat", "h3", "g3").name("next").attr("axis", 0L).outputs("stateN").done()
                .output("out", DataType.FLOAT, b, 1)
                .output("stateN", DataType.FLOAT, 2, b, 3)
                .toModel();
    }

    /** One step for one sample: returns {out} and writes the next state {h, g} into {@code next}. */
    public static double step(float[] wo, float[] x, float[][] state, long sr, float[][] next) {
        float[] g = state[0];
        float[] h = new float[3];
        for (int j = 0; j < 3; j++) {
            double s = 0;
            for (int i = 0; i < 4; i++) {
                s += (double) x[i] * WX[i * 3 + j];
            }
            for (int i = 0; i < 3; i++) {
                s += (double) g[i] * WH[i * 3 + j];
            }
            h[j] = (float) Math.tanh(s);
        }
        double logit = 0;
        for (int j = 0; j < 3; j++) {
            logit += (double) h[j] * wo[j];
        }
        next[0] = h;
        next[1] = g.clone();
        return 1 / (1 + Math.exp(-logit * (sr / 16000.0)));
    }

    /** x[B, 4] -> MatMul(Wx) -> y[B, 3] with B fixed to {@code batch}. */
    public static OnnxModel fixedBatch(int batch) {
        return new GraphBuilder("fixed")
                .input("x", DataType.FLOAT, batch, 4)
                .initializer("Wx", WX, 4, 3)
                .node("MatMul", "x", "Wx").name("mm").outputs("y").done()
                .output("y", DataType.FLOAT, batch, 3)
                .toModel();
    }
}
