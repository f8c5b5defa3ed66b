package dev.whittle.core.quant;

import java.util.Arrays;

/**
 * How a weight tensor splits into quantization groups. The tensor is seen as
 * [outer, d, inner] around {@link #axis()}: for channels the output-channel axis (one group per
 * index along it), for blocks the input axis (one group per run of {@code block} consecutive
 * indices along it, at every position of the other axes), for a tensor a single group.
 *
 * <p>Element (o, k, i) of the view belongs to group {@code o*so + (k/block)*sk + i*si}; groups
 * are numbered in the row-major order of {@link #scaleDims()}, the shape DequantizeLinear
 * expects for its scale (scalar, [C], or the weight's dims with the block axis divided by the
 * block, rounded up).
 */
public record Grouping(Granularity granularity, long[] dims, int axis, int block, int outer, int d, int inner,
                       int groups, long so, long sk, long si) {

    public static Grouping of(long[] dims, Granularity g, int channelAxis, int inputAxis, int block) {
        long n = 1;
        for (long x : dims) {
            n *= x;
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor too large for one array: " + n);
        }
        int size = (int) n;
        switch (g) {
            case TENSOR:
                return new Grouping(g, dims, -1, size, 1, size, 1, 1, 0, 0, 0);
            case CHANNEL: {
                int[] v = view(dims, channelAxis);
                return new Grouping(g, dims, channelAxis, 1, v[0], v[1], v[2], v[1], 0, 1, 0);
            }
            default: {
                int[] v = view(dims, inputAxis);
                int nb = (v[1] + block - 1) / block;
                long groups = (long) v[0] * nb * v[2];
                return new Grouping(g, dims, inputAxis, block, v[0], v[1], v[2], (int) groups,
                        (long) nb * v[2], v[2], 1);
            }
        }
    }

    private static int[] view(long[] dims, int axis) {
        long outer = 1;
        long inner = 1;
        for (int i = 0; i < axis; i++) {
            outer *= dims[i];
        }
        for (int i = axis + 1; i < dims.length; i++) {
            inner *= dims[i];
        }
        return new int[] {(int) outer, (int) dims[axis], (int) inner};
    }

    public int size() {
        return outer * d * inner;
    }

    /** Blocks along the block axis (1 unless {@link Granularity#BLOCK}). */
    public int blocksAlongAxis() {
        return granularity == Granularity.BLOCK ? (d + block - 1) / block : 1;
    }

    /** The shape of the scale and zero-point tensors of DequantizeLinear. */
    public long[] scaleDims() {
        return switch (granularity) {
            case TENSOR -> new long[0];
            case CHANNEL -> new long[] {d};
            case BLOCK -> {
                long[] s = dims.clone();
                s[axis] = blocksAlongAxis();
                yield s;
            }
        };
    }

    /** Group of every element, in the tensor's row-major order. */
    public int[] groupOfElements() {
        int[] out = new int[size()];
        int idx = 0;
        for (int o = 0; o < outer; o++) {
            for (int k = 0; k < d; k++) {
                long base = o * so + (k / block) * sk;
                for (int i = 0; i < inner; i++) {
                    out[idx++] = (int) (base + i * si);
                }
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Grouping g && g.granularity == granularity && g.axis == axis && g.block == block
                && Arrays.equals(g.dims, dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims) * 31 + granularity.hashCode() * 7 + axis * 3 + block;
    }

    @Override
    public String toString() {
        return granularity + (granularity == Granularity.BLOCK ? " " + block : "") + " axis " + axis + " of "
                + Arrays.toString(dims) + " (" + groups + " groups)";
    }
}
