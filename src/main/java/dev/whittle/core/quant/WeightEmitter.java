package dev.whittle.core.quant;

import dev.whittle.core.model.DataType;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.QdqEditor;
import dev.whittle.core.onnx.TensorBytes;

/** Writes one quantized weight into the model in the chosen format; returns the bytes it stored. */
final class WeightEmitter {
    private WeightEmitter() {
    }

    static DataType codeType(int bits, boolean symmetric) {
        if (bits == 4) {
            return symmetric ? DataType.INT4 : DataType.UINT4;
        }
        return symmetric ? DataType.INT8 : DataType.UINT8;
    }

    /** Adds the DequantizeLinear form; returns its output name. */
    static String qdq(QdqEditor ed, WeightLayer l, QuantizedWeight q) {
        Grouping g = q.grouping();
        DataType t = codeType(q.spec().bits(), !q.spec().unsignedCodes());
        long[] sd = g.scaleDims();
        boolean flat = !java.util.Arrays.equals(g.dims(), l.shape());
        String out = ed.dequantizeWeight(l.weight(), TensorBytes.codes(t, g.dims(), q.codes()),
                TensorBytes.floats(scaleType(l), sd, q.scales()), TensorBytes.codes(t, sd, zeroPointBytes(q)),
                Math.max(g.axis(), 0), g.granularity() == Granularity.BLOCK ? g.block() : 0, flat ? l.shape() : null);
        ed.setInput(l.graphNode(), OpRules.weightInput(l), out);
        return out;
    }

    /**
     * The DequantizeLinear form written in place of a float initializer that several bodies read
     * from an enclosing graph ({@link QdqEditor#dequantizeWeightInPlace}); {@code ed} edits that graph.
     */
    static void qdqInPlace(QdqEditor ed, WeightLayer l, QuantizedWeight q) {
        Grouping g = q.grouping();
        DataType t = codeType(q.spec().bits(), !q.spec().unsignedCodes());
        long[] sd = g.scaleDims();
        boolean flat = !java.util.Arrays.equals(g.dims(), l.shape());
        ed.dequantizeWeightInPlace(l.weight(), TensorBytes.codes(t, g.dims(), q.codes()),
                TensorBytes.floats(scaleType(l), sd, q.scales()), TensorBytes.codes(t, sd, zeroPointBytes(q)),
                Math.max(g.axis(), 0), g.granularity() == Granularity.BLOCK ? g.block() : 0, flat ? l.shape() : null);
    }

    /**
     * Whether a Gather table is written as codes gathered then dequantized ({@link
     * QdqEditor#gatherDequantized}): 8-bit, one scale per row of a rank-2 table that Gather reads
     * along axis 0, and read by that Gather alone. Other tables keep DequantizeLinear in front.
     */
    static boolean gathersCodes(QdqEditor ed, WeightLayer l, QuantizedWeight q) {
        Grouping g = q.grouping();
        return l.op().equals("Gather") && l.graphPath().isEmpty() && q.spec().bits() == 8 && l.shape().length == 2
                && g.granularity() == Granularity.CHANNEL && g.axis() == 0
                && java.util.Arrays.equals(g.dims(), l.shape())
                && ed.readersOf(ed.input(l.graphNode(), 0)).size() == 1 && ed.intAttr(l.graphNode(), "axis", 0) == 0;
    }

    /** The Gather form of {@link #gathersCodes}; returns the bytes it stored. */
    static long gatherCodes(QdqEditor ed, WeightLayer l, QuantizedWeight q) {
        DataType t = codeType(8, !q.spec().unsignedCodes());
        int rows = (int) l.shape()[0];
        float[] zp = new float[rows];
        boolean anyZp = false;
        for (int i = 0; i < rows; i++) {
            zp[i] = q.zeroPoints()[i];
            anyZp |= zp[i] != 0;
        }
        DataType ft = scaleType(l);
        ed.gatherDequantized(l.graphNode(), TensorBytes.codes(t, l.shape(), q.codes()),
                TensorBytes.floats(ft, new long[] {rows, 1}, q.scales()),
                anyZp ? TensorBytes.floats(ft, new long[] {rows, 1}, zp) : null, l.dtype());
        return q.codeBytes() + (long) ft.storageBytes(rows) * (anyZp ? 2 : 1);
    }

    static long qdqBytes(QuantizedWeight q) {
        DataType t = codeType(q.spec().bits(), !q.spec().unsignedCodes());
        return q.codeBytes() + 4L * q.scales().length + t.storageBytes(q.zeroPoints().length);
    }

    /** As {@link #qdqBytes(QuantizedWeight)} with the scales in {@code l}'s scale type (2 bytes for float16). */
    static long qdqBytes(WeightLayer l, QuantizedWeight q) {
        return qdqBytes(q) - (4L - scaleType(l).storageBytes(1)) * q.scales().length;
    }

    /**
     * The type of a weight's scales: the graph's float type where the dequantized weight (or
     * MatMulNBits' T1) must match it, float32 otherwise.
     */
    static DataType scaleType(WeightLayer l) {
        return l.dtype() == DataType.FLOAT16 || l.dtype() == DataType.BFLOAT16 ? l.dtype() : DataType.FLOAT;
    }

    static long matMulNBits(QdqEditor ed, WeightLayer l, QuantizedWeight q) {
        NBitsLayout lay = NBitsLayout.of(q);
        int blocks = lay.blocks();
        ed.matMulNBits(l.node(),
                new TensorBytes(DataType.UINT8, new long[] {lay.n(), blocks, lay.block() / 2}, lay.packed()),
                TensorBytes.floats(scaleType(l), new long[] {lay.n() * blocks}, lay.scales()),
                lay.zeroPoints() == null ? null
                        : new TensorBytes(DataType.UINT8, new long[] {lay.zeroPoints().length}, lay.zeroPoints()),
                lay.k(), lay.n(), NBitsLayout.BITS, lay.block());
        return lay.bytes() - (4L - scaleType(l).storageBytes(1)) * lay.scales().length;
    }

    static long dynamic(QdqEditor ed, WeightLayer l, QuantizedWeight q) {
        DataType t = codeType(8, !q.spec().unsignedCodes());
        long[] sd = q.grouping().scaleDims();
        ed.dynamicMatMul(l.node(), TensorBytes.codes(t, l.shape(), q.codes()),
                TensorBytes.codes(t, sd, zeroPointBytes(q)), TensorBytes.floats(sd, q.scales()), l.dtype());
        return qdqBytes(q);
    }

    private static byte[] zeroPointBytes(QuantizedWeight q) {
        byte[] z = new byte[q.zeroPoints().length];
        for (int i = 0; i < z.length; i++) {
            z[i] = (byte) q.zeroPoints()[i];
        }
        return z;
    }
}
