package dev.whittle.core.quant;

/**
 * The input layout of {@code com.microsoft::MatMulNBits} for a 4-bit block-wise MatMul weight
 * W [K, N] quantized along K: column n's blocks become rows of the packed tensor
 * B [N, blocks, block / 2] (two codes per byte, lower k in the low nibble), scales are
 * [N * blocks] (column-major over blocks), and zero points, when asymmetric, are packed two per
 * byte in [N * ceil(blocks / 2)]. Symmetric codes in [-7, 7] are stored as code + 8, matching
 * the kernel's default zero point 8 when no zero points are given. A last partial block is
 * padded with the zero point (it dequantizes to 0).
 */
public record NBitsLayout(long k, long n, int block, byte[] packed, float[] scales, byte[] zeroPoints) {
    public static final int BITS = 4;

    public static NBitsLayout of(QuantizedWeight q) {
        Grouping g = q.grouping();
        if (g.granularity() != Granularity.BLOCK || g.axis() != 0 || g.dims().length != 2 || q.spec().bits() != BITS) {
            throw new IllegalArgumentException("MatMulNBits needs 4-bit blocks along axis 0 of a 2-D weight, got " + g);
        }
        int kDim = g.d();
        int nDim = g.inner();
        int block = g.block();
        int blocks = g.blocksAlongAxis();
        boolean sym = q.spec().symmetric();
        int bytesPerBlock = block / 2;
        byte[] packed = new byte[nDim * blocks * bytesPerBlock];
        float[] scales = new float[nDim * blocks];
        byte[] zps = sym ? null : new byte[nDim * ((blocks + 1) / 2)];
        byte[] codes = q.codes();
        for (int col = 0; col < nDim; col++) {
            for (int b = 0; b < blocks; b++) {
                int group = b * nDim + col;
                scales[col * blocks + b] = q.scales()[group];
                int zp = sym ? 8 : q.zeroPoints()[group];
                if (!sym) {
                    int zi = col * ((blocks + 1) / 2) + b / 2;
                    zps[zi] |= (byte) ((zp & 0xf) << ((b & 1) << 2));
                }
                int base = (col * blocks + b) * bytesPerBlock;
                for (int j = 0; j < block; j++) {
                    int row = b * block + j;
                    int v;
                    if (row < kDim) {
                        int c = codes[row * nDim + col];
                        v = sym ? c + 8 : c & 0xff;
                    } else {
                        v = zp;
                    }
                    packed[base + (j >> 1)] |= (byte) ((v & 0xf) << ((j & 1) << 2));
                }
            }
        }
        return new NBitsLayout(kDim, nDim, block, packed, scales, zps);
    }

    public int blocks() {
        return (int) ((k + block - 1) / block);
    }

    /** Bytes the three tensors take in the file. */
    public long bytes() {
        return packed.length + scales.length * 4L + (zeroPoints == null ? 0 : zeroPoints.length);
    }
}
