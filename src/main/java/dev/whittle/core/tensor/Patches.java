package dev.whittle.core.tensor;

/**
 * The im2col view of a 1-D or 2-D convolution's input: one row per output position of one
 * sample, one column per weight element of a group, in the weight's own order (input channel of
 * the group, then kernel row, then kernel column), so that a group's output is
 * {@code rows x W_gᵀ}. Padding reads zeros. Used to collect a Conv layer's input statistics as
 * for a MatMul.
 *
 * @param channels  input channels of the whole input
 * @param group     ONNX's {@code group}: channels / group input channels per group
 * @param in        input spatial size {H, W} (1-D: {1, L})
 * @param kernel    {kh, kw}
 * @param stride    {sh, sw}
 * @param pad       {top, left} (the ends are implied by the output size)
 * @param dilation  {dh, dw}
 */
public record Patches(int channels, int group, int[] in, int[] kernel, int[] stride, int[] pad, int[] dilation) {
    public Patches {
        if (group < 1 || channels % group != 0) {
            throw new IllegalArgumentException("group " + group + " does not divide " + channels + " input channels");
        }
    }

    /** Weight elements per group: the width of a row. */
    public int width() {
        return channels / group * kernel[0] * kernel[1];
    }

    /** Output spatial size {H', W'}, as ONNX computes it for explicit pads {@code pad} + {@code padEnd}. */
    public static int outSize(int in, int k, int s, int padBegin, int padEnd, int d) {
        return (in + padBegin + padEnd - d * (k - 1) - 1) / s + 1;
    }

    /**
     * Writes the rows of group {@code g} of one sample into {@code out} (row-major, {@link #width}
     * columns, {@code outH x outW} rows), reading the sample at {@code offset} of {@code x}
     * (channels x H x W).
     */
    public void rows(float[] x, int offset, int g, int outH, int outW, float[] out) {
        int cg = channels / group;
        int kh = kernel[0];
        int kw = kernel[1];
        int h = in[0];
        int w = in[1];
        int width = width();
        for (int oy = 0; oy < outH; oy++) {
            for (int ox = 0; ox < outW; ox++) {
                int row = (oy * outW + ox) * width;
                int col = 0;
                for (int c = 0; c < cg; c++) {
                    int base = offset + (g * cg + c) * h * w;
                    for (int ky = 0; ky < kh; ky++) {
                        int y = oy * stride[0] - pad[0] + ky * dilation[0];
                        for (int kx = 0; kx < kw; kx++, col++) {
                            int xx = ox * stride[1] - pad[1] + kx * dilation[1];
                            out[row + col] = y < 0 || y >= h || xx < 0 || xx >= w ? 0f : x[base + y * w + xx];
                        }
                    }
                }
            }
        }
    }
}
