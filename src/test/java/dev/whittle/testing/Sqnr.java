package dev.whittle.testing;

/** Signal-to-quantization-noise ratio of a compressed model's output against the float one's. */
public final class Sqnr {
    private Sqnr() {
    }

    /** 10 log10 of the reference's energy over the error's, in dB. */
    public static double db(float[] reference, float[] got) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < reference.length; i++) {
            double d = reference[i] - (double) got[i];
            num += d * d;
            den += reference[i] * (double) reference[i];
        }
        return 10 * Math.log10(den / num);
    }
}
