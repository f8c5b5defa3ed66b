package dev.whittle.train;

import dev.whittle.core.onnx.GraphBuilder;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.tensor.Npy;
import dev.whittle.core.tensor.NpyArray;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * Trains the Fashion-MNIST sample models and writes sample-models/. Usage:
 * {@code TrainFashion [--data DIR] [--out DIR] [--only mlp|cnn|data] [--seed N]}.
 * Deterministic: the same seed gives the same bytes.
 */
public final class TrainFashion {
    static final int TEST_COUNT = 2000;
    static final int CALIB_COUNT = 256;
    static final int BATCH = 64;
    static final float LR = 1e-3f;
    static final int MLP_EPOCHS = 8;
    static final int CNN_EPOCHS = 8;

    private TrainFashion() {
    }

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        Path data = FashionMnist.DEFAULT_DIR;
        Path out = Path.of("sample-models");
        String only = "all";
        long seed = 20240607L;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--only" -> only = args[++i];
                case "--seed" -> seed = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("Unknown argument " + args[i]
                        + "; usage: TrainFashion [--data DIR] [--out DIR] [--only mlp|cnn|data] [--seed N]");
            }
        }
        FashionMnist train = FashionMnist.load(data, "train");
        FashionMnist test = FashionMnist.load(data, "t10k");
        System.out.printf("Fashion-MNIST: %d training, %d test images from %s%n", train.count(), test.count(), data);
        if (only.equals("all") || only.equals("data")) {
            writeData(train, test, out);
        }
        if (only.equals("all") || only.equals("mlp")) {
            Net mlp = FashionModels.mlp(new Random(seed), LR);
            train("fashion-mlp", mlp, MLP_EPOCHS, seed, train, test, out);
        }
        if (only.equals("all") || only.equals("cnn")) {
            Net cnn = FashionModels.cnn(new Random(seed), LR);
            train("fashion-cnn", cnn, CNN_EPOCHS, seed, train, test, out);
        }
    }

    private static void writeData(FashionMnist train, FashionMnist test, Path out) {
        Npy.write(out.resolve("fashion-test-x.npy"), NpyArray.ofFloats(test.imageRows(0, TEST_COUNT), TEST_COUNT, 1, 28, 28));
        long[] y = new long[TEST_COUNT];
        for (int i = 0; i < TEST_COUNT; i++) {
            y[i] = test.labels()[i];
        }
        Npy.write(out.resolve("fashion-test-y.npy"), NpyArray.ofLongs(y, TEST_COUNT));
        Npy.write(out.resolve("fashion-calib-x.npy"),
                NpyArray.ofFloats(train.imageRows(0, CALIB_COUNT), CALIB_COUNT, 1, 28, 28));
        System.out.printf("Wrote test set (t10k 0-%d), labels and calibration set (train 0-%d) to %s%n",
                TEST_COUNT - 1, CALIB_COUNT - 1, out);
    }

    private static void train(String name, Net net, int epochs, long seed, FashionMnist train, FashionMnist test,
                              Path out) {
        System.out.printf("Training %s: %d epochs, batch %d, Adam lr %s, seed %d%n", name, epochs, BATCH, LR, seed);
        long t0 = System.nanoTime();
        net.fit(train, epochs, BATCH, new Random(seed + 1), test);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double accSample = net.accuracy(test, 0, TEST_COUNT);
        double accFull = net.accuracy(test, 0, test.count());
        System.out.printf("%s: accuracy %.4f on the committed %d test images, %.4f on all %d; trained in %.0f s%n",
                name, accSample, TEST_COUNT, accFull, test.count(), seconds);
        boolean cnn = name.contains("cnn");
        GraphBuilder g = cnn ? FashionModels.exportCnn(net) : FashionModels.exportMlp(net);
        g.docString((cnn ? "LeNet-style CNN" : "MLP 784-256-128-10") + " trained on Fashion-MNIST by Whittle's"
                        + " sample trainer. Input: float32 [N,1,28,28], pixels scaled x/255. Output: logits [N,10].")
                .metadata("dataset", "Fashion-MNIST (Debian package dataset-fashion-mnist), 60000 training images")
                .metadata("accuracy", String.format("%.4f", accSample))
                .metadata("accuracy_eval_set", "first " + TEST_COUNT + " images of t10k (fashion-test-x.npy)")
                .metadata("accuracy_t10k", String.format("%.4f", accFull))
                .metadata("epochs", String.valueOf(epochs))
                .metadata("seed", String.valueOf(seed))
                .metadata("optimizer", "Adam lr=" + LR + " (x0.5, x0.25 in the last two epochs), batch " + BATCH)
                .metadata("input_scaling", "x/255")
                .metadata("classes", String.join(",", FashionMnist.CLASSES));
        OnnxModel model = g.toModel();
        Path file = out.resolve(name + ".onnx");
        model.save(file);
        System.out.printf("Wrote %s (%d parameters)%n", file, model.graph().params());
    }
}
