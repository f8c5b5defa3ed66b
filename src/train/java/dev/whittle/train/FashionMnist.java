package dev.whittle.train;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST from its gzipped IDX files (Debian package dataset-fashion-mnist).
 * Images are scaled to [0, 1] by x/255 (no mean/std normalization), one 784-float row per image.
 */
record FashionMnist(float[] images, int[] labels, int count) {
    static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    static final int PIXELS = 28 * 28;
    static final String[] CLASSES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
        "Sneaker", "Bag", "Ankle boot"};

    /** {@code split} is "train" or "t10k". */
    static FashionMnist load(Path dir, String split) throws IOException {
        Path images = dir.resolve(split + "-images-idx3-ubyte.gz");
        Path labels = dir.resolve(split + "-labels-idx1-ubyte.gz");
        for (Path p : new Path[] {images, labels}) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalStateException("Fashion-MNIST file " + p + " is missing: install the Debian package"
                        + " dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or pass --data DIR.");
            }
        }
        byte[] px = readIdx(images, 0x803, 3);
        byte[] lb = readIdx(labels, 0x801, 1);
        int n = lb.length;
        if (px.length != n * PIXELS) {
            throw new IllegalStateException(images + " holds " + px.length / PIXELS + " images but " + labels
                    + " holds " + n + " labels.");
        }
        float[] x = new float[px.length];
        for (int i = 0; i < px.length; i++) {
            x[i] = (px[i] & 0xff) / 255f;
        }
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = lb[i];
        }
        return new FashionMnist(x, y, n);
    }

    private static byte[] readIdx(Path file, int magic, int rank) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new GZIPInputStream(raw, 1 << 16))) {
            int m = in.readInt();
            if (m != magic) {
                throw new IllegalStateException(file + " is not an IDX file of rank " + rank + " (magic " + m + ").");
            }
            long total = 1;
            for (int i = 0; i < rank; i++) {
                total *= in.readInt();
            }
            if (total <= 0 || total > 100_000_000) {
                throw new IllegalStateException(file + " has an impossible IDX size " + total + ".");
            }
            byte[] data = in.readNBytes((int) total);
            if (data.length != total) {
                throw new IllegalStateException(file + " is truncated.");
            }
            return data;
        }
    }

    /** Images [from, from+n) as a new array. */
    float[] imageRows(int from, int n) {
        float[] out = new float[n * PIXELS];
        System.arraycopy(images, from * PIXELS, out, 0, n * PIXELS);
        return out;
    }
}
