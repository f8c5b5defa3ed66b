package dev.whittle.core.tensor;

/** Bit-level conversions of the small float formats ONNX stores (IEEE half, bfloat16, float8). */
public final class Numerics {
    private Numerics() {
    }

    /** IEEE 754 binary16 bits to float (Float.float16ToFloat exists only from Java 20). */
    public static float halfToFloat(int bits) {
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** Float to IEEE binary16 bits, rounding to nearest even. */
    public static int floatToHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) {
            return sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0);
        }
        int e = exp - 127 + 15;
        if (e >= 0x1f) {
            return sign | 0x7c00;
        }
        if (e <= 0) {
            if (e < -10) {
                return sign;
            }
            mant |= 0x800000;
            int shift = 14 - e;
            int half = mant >>> shift;
            int rem = mant & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rem > mid || (rem == mid && (half & 1) != 0)) {
                half++;
            }
            return sign | half;
        }
        int half = (e << 10) | (mant >>> 13);
        int rem = mant & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) {
            half++;
        }
        return sign | half;
    }

    public static float bfloat16ToFloat(int bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** Float to bfloat16 bits, rounding to nearest even (NaN stays a quiet NaN). */
    public static int floatToBfloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return ((bits >>> 16) | 0x40) & 0xffff;
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return ((bits + rounding) >>> 16) & 0xffff;
    }

    /** float8 E4M3FN: no infinities, 0x7f/0xff are NaN. */
    public static float e4m3fnToFloat(int b) {
        return fp8(b, 4, 3, 7, (b & 0x7f) == 0x7f, false);
    }

    /** float8 E4M3FNUZ: bias 8, only 0x80 is NaN, no negative zero. */
    public static float e4m3fnuzToFloat(int b) {
        return fp8(b, 4, 3, 8, (b & 0xff) == 0x80, false);
    }

    /** float8 E5M2: IEEE-like with infinities. */
    public static float e5m2ToFloat(int b) {
        int exp = (b >>> 2) & 0x1f;
        if (exp == 0x1f) {
            if ((b & 3) == 0) {
                return (b & 0x80) != 0 ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
            }
            return Float.NaN;
        }
        return fp8(b, 5, 2, 15, false, false);
    }

    /** float8 E5M2FNUZ: bias 16, only 0x80 is NaN. */
    public static float e5m2fnuzToFloat(int b) {
        return fp8(b, 5, 2, 16, (b & 0xff) == 0x80, false);
    }

    private static float fp8(int b, int expBits, int mantBits, int bias, boolean nan, boolean unused) {
        if (nan) {
            return Float.NaN;
        }
        boolean negative = (b & 0x80) != 0;
        int exp = (b >>> mantBits) & ((1 << expBits) - 1);
        int mant = b & ((1 << mantBits) - 1);
        float v;
        if (exp == 0) {
            v = (float) (mant * Math.pow(2, 1 - bias - mantBits));
        } else {
            v = (float) ((1 + mant / (double) (1 << mantBits)) * Math.pow(2, exp - bias));
        }
        return negative ? -v : v;
    }
}
