package dev.whittle.core.tensor;

/**
 * What a 1-D or 2-D ONNX Conv computes, from its weight shape and attributes: enough to build
 * the im2col view of its input ({@link Patches}) for any input size. A 1-D convolution is a 2-D
 * one of height 1. Weight columns of one group are ordered as the weight stores them (input
 * channel of the group, kernel row, kernel column); across the whole input, column
 * {@code g * width() + j} is column j of group g, which is also the weight's flattened inner
 * index of input channel {@code g * C/group + c}.
 *
 * @param channels input channels of the whole input
 * @param groups   ONNX's {@code group}
 * @param outputs  output channels
 * @param twoD     2-D (weight rank 4) or 1-D (rank 3)
 * @param kernel   {kh, kw} (1-D: {1, k})
 * @param stride   {sh, sw}
 * @param dilation {dh, dw}
 * @param pads     ONNX's {@code pads} (begins, then ends), or null
 * @param autoPad  ONNX's {@code auto_pad}
 */
public record ConvGeometry(int channels, int groups, int outputs, boolean twoD, int[] kernel, int[] stride, int[] dilation,
                           long[] pads, String autoPad) {

    /**
     * From the weight's dims [M, C/group, k...] and the node's attributes (null when absent).
     *
     * @throws IllegalArgumentException for a rank other than 3 or 4, or a group that does not divide M
     */
    public static ConvGeometry of(long[] wDims, long group, long[] strides, long[] dilations, long[] pads, String autoPad) {
        if (wDims.length != 3 && wDims.length != 4) {
            throw new IllegalArgumentException("only 1-D and 2-D convolutions are supported, this weight has rank " + wDims.length);
        }
        if (group < 1 || wDims[0] % group != 0) {
            throw new IllegalArgumentException("group " + group + " does not divide " + wDims[0] + " output channels");
        }
        boolean twoD = wDims.length == 4;
        int[] kernel = twoD ? new int[] {(int) wDims[2], (int) wDims[3]} : new int[] {1, (int) wDims[2]};
        return new ConvGeometry((int) (wDims[1] * group), (int) group, (int) wDims[0], twoD, kernel,
                spatial(strides, twoD), spatial(dilations, twoD), pads, autoPad == null ? "NOTSET" : autoPad);
    }

    private static int[] spatial(long[] v, boolean twoD) {
        if (v == null || v.length == 0) {
            return new int[] {1, 1};
        }
        return twoD ? new int[] {(int) v[0], (int) v[1]} : new int[] {1, (int) v[0]};
    }

    /** Weight elements per group: the width of an im2col row. */
    public int width() {
        return channels / groups * kernel[0] * kernel[1];
    }

    /** Begin paddings {top, left} for an input of spatial size {h, w}. */
    public int[] padBegin(int h, int w) {
        return pad(h, w, false);
    }

    /** Output spatial size {H', W'} for an input of spatial size {h, w}. */
    public int[] outSize(int h, int w) {
        int[] in = {h, w};
        int[] begin = pad(h, w, false);
        int[] end = pad(h, w, true);
        int[] out = new int[2];
        for (int a = 0; a < 2; a++) {
            out[a] = Patches.outSize(in[a], kernel[a], stride[a], begin[a], end[a], dilation[a]);
        }
        return out;
    }

    /** The im2col view of an input of spatial size {h, w}. */
    public Patches patches(int h, int w) {
        return new Patches(channels, groups, new int[] {h, w}, kernel, stride, padBegin(h, w), dilation);
    }

    /**
     * The input's spatial size {h, w} from its shape [N, C, (H,) W].
     *
     * @throws IllegalArgumentException when the shape is not a batch of {@link #channels} channels
     */
    public int[] inputSize(long[] shape) {
        if (shape.length != (twoD ? 4 : 3) || shape[1] != channels) {
            throw new IllegalArgumentException("the input has shape " + java.util.Arrays.toString(shape) + ", expected [N, "
                    + channels + (twoD ? ", H, W]" : ", L]"));
        }
        return new int[] {twoD ? (int) shape[2] : 1, (int) shape[shape.length - 1]};
    }

    private int[] pad(int h, int w, boolean end) {
        int[] in = {h, w};
        int[] out = new int[2];
        for (int a = twoD ? 0 : 1; a < 2; a++) {
            if (autoPad.equals("SAME_UPPER") || autoPad.equals("SAME_LOWER")) {
                int o = (in[a] + stride[a] - 1) / stride[a];
                int total = Math.max(0, (o - 1) * stride[a] + (kernel[a] - 1) * dilation[a] + 1 - in[a]);
                int small = total / 2;
                boolean upper = autoPad.equals("SAME_UPPER");
                // SAME_UPPER puts the extra padding at the end, SAME_LOWER at the beginning.
                out[a] = end == upper ? total - small : small;
            } else if (pads != null && pads.length > 0 && !autoPad.equals("VALID")) {
                int sp = twoD ? 2 : 1;
                int axis = twoD ? a : 0;
                out[a] = (int) pads[end ? sp + axis : axis];
            }
        }
        return out;
    }
}
