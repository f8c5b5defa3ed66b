package dev.whittle.testing;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.whittle.core.tensor.Npy;
import dev.whittle.core.tensor.NpyArray;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * openWakeWord's feature pipeline on a {@link VadRecording}: 16 kHz audio (scaled to the int16
 * range) through its melspectrogram model (then x / 10 + 2, as openWakeWord does), windows of
 * 76 mel frames every 8 frames through its embedding model, and windows of 16 embeddings every
 * embedding: the [windows, 16, 96] input of a wake-word model such as hey_jarvis. Writes
 * {@code features.npy} and {@code features.yaml} (a dataset spec) into DIR.
 *
 * <p>{@code java dev.whittle.testing.WakeWordFeatures MELSPEC.onnx EMBEDDING.onnx DIR [recordings] [chunks] [seed]}
 */
public final class WakeWordFeatures {
    private WakeWordFeatures() {
    }

    public static void main(String[] args) throws Exception {
        int recordings = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        int chunks = args.length > 4 ? Integer.parseInt(args[4]) : 250;
        long seed = args.length > 5 ? Long.parseLong(args[5]) : 7; // another seed: other recordings (calibration)
        float[][] audio = VadRecording.audio(recordings, chunks, seed);
        float[] wave = new float[audio.length * VadRecording.CHUNK];
        for (int c = 0; c < audio.length; c++) {
            for (int i = 0; i < VadRecording.CHUNK; i++) {
                wave[c * VadRecording.CHUNK + i] = audio[c][i] * 32767f;
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[][] mel;
        try (OrtSession s = env.createSession(args[0], new OrtSession.SessionOptions());
             OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(wave), new long[] {1, wave.length});
             OrtSession.Result r = s.run(Map.of(s.getInputNames().iterator().next(), x))) {
            OnnxTensor out = (OnnxTensor) r.get(0);
            long[] shape = out.getInfo().getShape(); // [time, 1, frames, 32]
            FloatBuffer fb = out.getFloatBuffer();
            int frames = (int) (shape[0] * shape[1] * shape[2]);
            mel = new float[frames][32];
            for (int f = 0; f < frames; f++) {
                for (int k = 0; k < 32; k++) {
                    mel[f][k] = fb.get(f * 32 + k) / 10f + 2f;
                }
            }
        }
        int windows = (mel.length - 76) / 8 + 1;
        float[] in = new float[windows * 76 * 32];
        for (int w = 0; w < windows; w++) {
            for (int f = 0; f < 76; f++) {
                System.arraycopy(mel[w * 8 + f], 0, in, (w * 76 + f) * 32, 32);
            }
        }
        float[][] emb = new float[windows][96];
        try (OrtSession s = env.createSession(args[1], new OrtSession.SessionOptions());
             OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(in), new long[] {windows, 76, 32, 1});
             OrtSession.Result r = s.run(Map.of(s.getInputNames().iterator().next(), x))) {
            FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
            for (int w = 0; w < windows; w++) {
                for (int k = 0; k < 96; k++) {
                    emb[w][k] = fb.get(w * 96 + k);
                }
            }
        }
        int n = windows - 16 + 1;
        float[] feats = new float[n * 16 * 96];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 16; j++) {
                System.arraycopy(emb[i + j], 0, feats, (i * 16 + j) * 96, 96);
            }
        }
        Path dir = Path.of(args[2]);
        Files.createDirectories(dir);
        Npy.write(dir.resolve("features.npy"), NpyArray.ofFloats(feats, n, 16, 96));
        Files.writeString(dir.resolve("features.yaml"), "# openWakeWord features of a synthetic recording (" + n
                + " windows of 16 embeddings)\ninputs:\n  x.1: features.npy\n");
        System.out.println(dir.resolve("features.yaml") + ": " + n + " windows");
    }
}
