package dev.whittle.testing;

import dev.whittle.core.tensor.Npy;
import dev.whittle.core.tensor.NpyArray;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes the generated streaming model of {@link StateModels} (state [2, batch, 3] with the
 * batch on axis 1, unnamed dims; a scalar sample rate) with 240 seeded chunks, and two
 * calibration specs for comparing calibration with the state carried against the state held at
 * zeros: {@code state.onnx}, {@code x.npy}, {@code sr.npy}, {@code zeros.npy},
 * {@code stream.yaml} (4 recordings of 60 chunks, state carried) and {@code zero-state.yaml}.
 *
 * <p>{@code java dev.whittle.testing.StateStreamFiles DIR} (test classes on the class path).
 */
public final class StateStreamFiles {
    private StateStreamFiles() {
    }

    public static void main(String[] args) throws Exception {
        Path d = Path.of(args[0]);
        Files.createDirectories(d);
        Files.write(d.resolve("state.onnx"), StateModels.vad(StateModels.WO, false).proto().toByteArray());
        Random r = new Random(3);
        int n = 240;
        float[] x = new float[n * 4];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 0.8 + 0.3 * Math.sin(i / 40.0));
        }
        Npy.write(d.resolve("x.npy"), NpyArray.ofFloats(x, n, 4));
        Npy.write(d.resolve("sr.npy"), NpyArray.ofLongs(new long[] {16000}));
        Npy.write(d.resolve("zeros.npy"), NpyArray.ofFloats(new float[6], 2, 1, 3));
        Files.writeString(d.resolve("stream.yaml"), "inputs: {x: x.npy, sr: sr.npy}\n"
                + "stream: {carry: {state: stateN}, reset: 60}\n");
        Files.writeString(d.resolve("zero-state.yaml"), "# the same chunks as independent samples, state at zeros\n"
                + "inputs: {x: x.npy, sr: sr.npy, state: zeros.npy}\naxes: {state: none}\n");
    }
}
