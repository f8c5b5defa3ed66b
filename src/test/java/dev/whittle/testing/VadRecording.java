package dev.whittle.testing;

import dev.whittle.core.tensor.Npy;
import dev.whittle.core.tensor.NpyArray;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A synthetic voice-activity recording for streaming evaluations: 16 kHz audio of tone bursts
 * (a fundamental of 120-300 Hz with four harmonics, like voiced speech) over low noise, cut into
 * chunks of 512 samples. Writes {@code audio.npy} [chunks, 512] float32, {@code sr.npy} (an int64
 * scalar: 16000), {@code labels.npy} [chunks] int64 (1 where a burst covers at least half the
 * chunk) and {@code stream.yaml}, a dataset spec that feeds the chunks in order carrying the
 * model's state. Seeded, so the same arguments write the same files.
 *
 * <p>From a shell (test classes on the class path):
 * {@code java dev.whittle.testing.VadRecording DIR [recordings] [chunksPerRecording] [input=output ...]}
 * with the default carry {@code state=stateN} (Silero VAD v5; {@code h=hn c=cn} for the legacy model).
 */
public final class VadRecording {
    public static final int RATE = 16_000;
    public static final int CHUNK = 512;

    private VadRecording() {
    }

    /** The audio, [recordings * chunks][512]. */
    public static float[][] audio(int recordings, int chunks, long seed) {
        Random rnd = new Random(seed);
        float[][] out = new float[recordings * chunks][CHUNK];
        for (int r = 0; r < recordings; r++) {
            float[] wave = new float[chunks * CHUNK];
            for (int i = 0; i < wave.length; i++) {
                wave[i] = (float) (0.005 * rnd.nextGaussian());
            }
            int at = rnd.nextInt(RATE / 4);
            while (at < wave.length) {
                int len = RATE / 4 + rnd.nextInt(RATE);  // 0.25 to 1.25 s bursts
                double f0 = 120 + 180 * rnd.nextDouble();
                double amp = 0.1 + 0.3 * rnd.nextDouble();
                for (int i = at; i < Math.min(wave.length, at + len); i++) {
                    double t = (double) (i - at) / RATE;
                    double env = Math.min(1, Math.min(i - at, at + len - i) / 400.0);
                    double v = 0;
                    for (int h = 1; h <= 5; h++) {
                        v += Math.sin(2 * Math.PI * f0 * h * t) / h;
                    }
                    wave[i] += (float) (amp * env * v);
                }
                at += len + RATE / 4 + rnd.nextInt(RATE);  // 0.25 to 1.25 s of silence
            }
            for (int c = 0; c < chunks; c++) {
                System.arraycopy(wave, c * CHUNK, out[r * chunks + c], 0, CHUNK);
            }
        }
        return out;
    }

    /** 1 for chunks where the tone is at least half the energy-bearing samples (|x| &gt; 0.05). */
    public static long[] labels(float[][] audio) {
        long[] y = new long[audio.length];
        for (int c = 0; c < audio.length; c++) {
            int loud = 0;
            for (float v : audio[c]) {
                if (Math.abs(v) > 0.05f) {
                    loud++;
                }
            }
            y[c] = loud >= CHUNK / 4 ? 1 : 0;
        }
        return y;
    }

    /** Writes the four files into {@code dir} and returns the spec's path. */
    public static Path write(Path dir, int recordings, int chunks, Map<String, String> carry) {
        return write(dir, recordings, chunks, carry, 7);
    }

    /** As above, the recordings drawn with {@code seed} (another seed: other recordings, e.g. for calibration). */
    public static Path write(Path dir, int recordings, int chunks, Map<String, String> carry, long seed) {
        float[][] a = audio(recordings, chunks, seed);
        float[] flat = new float[a.length * CHUNK];
        for (int c = 0; c < a.length; c++) {
            System.arraycopy(a[c], 0, flat, c * CHUNK, CHUNK);
        }
        try {
            Files.createDirectories(dir);
            Npy.write(dir.resolve("audio.npy"), NpyArray.ofFloats(flat, a.length, CHUNK));
            Npy.write(dir.resolve("sr.npy"), NpyArray.ofLongs(new long[] {RATE}));
            Npy.write(dir.resolve("labels.npy"), NpyArray.ofLongs(labels(a), a.length));
            StringBuilder yaml = new StringBuilder("# " + recordings + " synthetic recordings of " + chunks
                    + " chunks (512 samples at 16 kHz)\ninputs:\n  input: audio.npy\n  sr: sr.npy\nlabels: labels.npy\n"
                    + "stream:\n  carry:\n");
            carry.forEach((in, out) -> yaml.append("    ").append(in).append(": ").append(out).append('\n'));
            yaml.append("  initial: zeros\n  threshold: 0.5\n  reset: ").append(chunks).append('\n');
            Path spec = dir.resolve("stream.yaml");
            Files.writeString(spec, yaml);
            return spec;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: VadRecording DIR [recordings] [chunksPerRecording] [input=output ...] [seed=N]");
            System.exit(2);
        }
        int recordings = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int chunks = args.length > 2 ? Integer.parseInt(args[2]) : 250;
        Map<String, String> carry = new LinkedHashMap<>();
        long seed = 7;
        for (int i = 3; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            if (kv[0].equals("seed")) {
                seed = Long.parseLong(kv[1]);
            } else {
                carry.put(kv[0], kv[1]);
            }
        }
        if (carry.isEmpty()) {
            carry.put("state", "stateN");
        }
        System.out.println(write(Path.of(args[0]), recordings, chunks, carry, seed));
    }
}
