package dev.whittle.core.eval;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.Dim;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.ValueInfo;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Reads a folder with one sub-folder per class (class index = position in name order) into
 * float32 samples: resized bilinearly, channels as declared, divided by {@code scale}, then
 * (x - mean) / std per channel.
 */
final class ImageFolder {
    private ImageFolder() {
    }

    static Dataset load(Path folder, DatasetSpec.Images spec, ModelGraph model) {
        String input = spec.input() != null ? spec.input() : Datasets.onlyInput(model, "an images spec without 'input'");
        ValueInfo v = InputCheck.feedInputs(model).stream().filter(i -> i.name().equals(input)).findFirst()
                .orElseThrow(() -> new BadInputException(model.fileName() + " has no input '" + input + "'."));
        List<Dim> ds = v.shape();
        if (ds == null || ds.size() != 4) {
            throw new BadInputException("Images feed a 4-D input, but '" + input + "' has shape " + v.shapeText() + ".");
        }
        String layout = spec.layout() != null ? spec.layout().toLowerCase(Locale.ROOT)
                : (ds.get(3).isFixed() && (ds.get(3).value() == 1 || ds.get(3).value() == 3) ? "nhwc" : "nchw");
        boolean nhwc = layout.equals("nhwc");
        Dim cDim = nhwc ? ds.get(3) : ds.get(1);
        String channels = spec.channels() != null ? spec.channels().toLowerCase(Locale.ROOT)
                : (cDim.isFixed() && cDim.value() == 1 ? "gray" : "rgb");
        int c = channels.equals("gray") ? 1 : 3;
        int h = size(spec, 0, nhwc ? ds.get(1) : ds.get(2));
        int w = size(spec, 1, nhwc ? ds.get(2) : ds.get(3));
        double scale = spec.scale() == null ? 255 : spec.scale();
        double[] mean = perChannel(spec.mean(), c, 0, "mean");
        double[] std = perChannel(spec.std(), c, 1, "std");

        List<Path> classes = list(folder).stream().filter(Files::isDirectory).sorted().toList();
        if (classes.isEmpty()) {
            throw new BadInputException("Image folder " + folder + " has no class sub-folders.");
        }
        List<Path> files = new ArrayList<>();
        List<Long> labels = new ArrayList<>();
        for (int k = 0; k < classes.size(); k++) {
            for (Path f : list(classes.get(k)).stream().filter(Files::isRegularFile).sorted().toList()) {
                files.add(f);
                labels.add((long) k);
            }
        }
        if (files.isEmpty()) {
            throw new BadInputException("Image folder " + folder + " has no images in its class sub-folders.");
        }
        int per = c * h * w;
        float[] x = new float[Math.multiplyExact(files.size(), per)];
        for (int i = 0; i < files.size(); i++) {
            BufferedImage img = resize(read(files.get(i)), w, h);
            for (int yy = 0; yy < h; yy++) {
                for (int xx = 0; xx < w; xx++) {
                    int rgb = pixel(img, xx, yy);
                    int r = (rgb >> 16) & 0xff;
                    int g = (rgb >> 8) & 0xff;
                    int b = rgb & 0xff;
                    double[] px = switch (channels) {
                        case "gray" -> new double[] {0.299 * r + 0.587 * g + 0.114 * b};
                        case "bgr" -> new double[] {b, g, r};
                        default -> new double[] {r, g, b};
                    };
                    for (int ch = 0; ch < c; ch++) {
                        int at = nhwc ? ((yy * w + xx) * c + ch) : (ch * h * w + yy * w + xx);
                        x[i * per + at] = (float) ((px[ch] / scale - mean[ch]) / std[ch]);
                    }
                }
            }
        }
        long[] shape = nhwc ? new long[] {files.size(), h, w, c} : new long[] {files.size(), c, h, w};
        List<String> notes = List.of("classes " + classes.stream().map(p -> p.getFileName().toString()).toList()
                + " are labels 0.." + (classes.size() - 1));
        return new Dataset(Map.of(input, HostTensor.ofFloats(shape, x)),
                HostTensor.ofLongs(new long[] {labels.size()}, labels.stream().mapToLong(Long::longValue).toArray()),
                folder.getFileName().toString(), notes);
    }

    private static int size(DatasetSpec.Images spec, int i, Dim d) {
        if (spec.size() != null) {
            return spec.size().get(i);
        }
        if (!d.isFixed()) {
            throw new BadInputException("The model's image size is not fixed; give 'size: [height, width]' in the dataset spec.");
        }
        return Math.toIntExact(d.value());
    }

    private static double[] perChannel(List<Double> v, int c, double dflt, String field) {
        double[] out = new double[c];
        java.util.Arrays.fill(out, dflt);
        if (v == null) {
            return out;
        }
        if (v.size() != 1 && v.size() != c) {
            throw new BadInputException("Dataset spec 'images." + field + "' needs 1 or " + c + " values, got " + v.size() + ".");
        }
        for (int i = 0; i < c; i++) {
            out[i] = v.get(v.size() == 1 ? 0 : i);
        }
        return out;
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        } catch (IOException e) {
            throw new BadInputException("Image folder " + dir + " cannot be listed: " + e.getMessage(), e);
        }
    }

    private static BufferedImage read(Path f) {
        try {
            BufferedImage img = ImageIO.read(f.toFile());
            if (img == null) {
                throw new BadInputException("Image " + f + " is not in a format Java can read (PNG, JPEG, BMP, GIF).");
            }
            return img;
        } catch (IOException e) {
            throw new BadInputException("Image " + f + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Packed RGB; gray images read from the raster, since getRGB would apply a gamma curve. */
    private static int pixel(BufferedImage img, int x, int y) {
        if (img.getType() == BufferedImage.TYPE_BYTE_GRAY) {
            int v = img.getRaster().getSample(x, y, 0);
            return (v << 16) | (v << 8) | v;
        }
        return img.getRGB(x, y);
    }

    private static BufferedImage resize(BufferedImage src, int w, int h) {
        boolean gray = src.getType() == BufferedImage.TYPE_BYTE_GRAY;
        int type = gray ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB;
        if (src.getWidth() == w && src.getHeight() == h && (gray || src.getType() == type)) {
            return src;
        }
        BufferedImage out = new BufferedImage(w, h, type);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, w, h, null);
        g.dispose();
        return out;
    }
}
