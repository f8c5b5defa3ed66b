package dev.whittle.core.eval;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.whittle.core.BadInputException;
import java.util.List;
import java.util.Map;

/**
 * The dataset spec file (YAML): which files feed which model inputs, labels, batching. Exactly
 * one of {@code inputs}, {@code csv} and {@code images}. Paths are relative to the spec file.
 * Format and examples: docs/evaluation.md.
 *
 * @param inputs model input name to an array file: {@code x.npy} or {@code archive.npz:key}
 * @param labels integer labels [samples] as {@code .npy} / {@code .npz:key}; ignored for images
 * @param batch  samples per run (the command line's --batch wins)
 * @param limit  first samples only (the command line's --limit wins)
 * @param pool   pooling for embedding outputs: none, mean or cls
 * @param axes   per input, its sample axis (a number) or {@code none} for an input passed whole
 *               to every run; inputs left out get theirs from the model ({@link SampleAxes})
 * @param stream feed the samples in order as chunks of a stream, carrying outputs into inputs
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record DatasetSpec(Map<String, String> inputs, String labels, Integer batch, Long limit, String pool,
                          Csv csv, Images images, Map<String, String> axes, StreamSpec stream) {
    public DatasetSpec {
        int sources = (inputs != null && !inputs.isEmpty() ? 1 : 0) + (csv != null ? 1 : 0) + (images != null ? 1 : 0);
        if (sources != 1) {
            throw new BadInputException("A dataset spec needs exactly one of 'inputs', 'csv' and 'images' (it has " + sources + ").");
        }
        if (batch != null && batch < 1) {
            throw new BadInputException("Dataset spec 'batch' must be at least 1, got " + batch + ".");
        }
        if (limit != null && limit < 0) {
            throw new BadInputException("Dataset spec 'limit' must be 0 (all) or positive, got " + limit + ".");
        }
        Pool.parse(pool);
        if (axes != null) {
            axes.forEach(SampleAxes::parse);
        }
    }

    /**
     * A CSV file, one sample per line: a label column plus the values.
     *
     * @param file        the CSV file
     * @param input       model input to feed; default: the model's only input
     * @param labelColumn the label column, as a 0-based index or a header name; default 0;
     *                    "none" for no labels
     * @param header      whether the first line is a header; default: when it is not numeric
     * @param shape       per-sample shape the values are reshaped to; default: [values per line]
     */
    public record Csv(String file, String input, String labelColumn, Boolean header, List<Long> shape) {
        public Csv {
            if (file == null || file.isBlank()) {
                throw new BadInputException("Dataset spec 'csv' needs a 'file'.");
            }
        }
    }

    /**
     * A folder with one sub-folder of images per class (classes sorted by folder name).
     *
     * @param size     [height, width] images are resized to; default: the input's fixed dims
     * @param channels gray, rgb or bgr; default from the input's channel dim (1 gray, 3 rgb)
     * @param layout   nchw or nhwc; default: nchw unless the input's last dim is 1 or 3
     * @param scale    pixel values 0..255 are divided by this; default 255
     * @param mean     per-channel mean subtracted after scaling; default 0
     * @param std      per-channel std divided by after that; default 1
     */
    public record Images(String folder, String input, List<Integer> size, String channels, String layout, Double scale,
                         List<Double> mean, List<Double> std) {
        public Images {
            if (folder == null || folder.isBlank()) {
                throw new BadInputException("Dataset spec 'images' needs a 'folder'.");
            }
            if (channels != null && !List.of("gray", "rgb", "bgr").contains(channels.toLowerCase())) {
                throw new BadInputException("Dataset spec 'images.channels' must be gray, rgb or bgr, got '" + channels + "'.");
            }
            if (layout != null && !List.of("nchw", "nhwc").contains(layout.toLowerCase())) {
                throw new BadInputException("Dataset spec 'images.layout' must be nchw or nhwc, got '" + layout + "'.");
            }
            if (size != null && (size.size() != 2 || size.stream().anyMatch(v -> v == null || v < 1))) {
                throw new BadInputException("Dataset spec 'images.size' must be [height, width], got " + size + ".");
            }
            if (scale != null && scale == 0) {
                throw new BadInputException("Dataset spec 'images.scale' must not be 0.");
            }
            if (std != null && std.stream().anyMatch(v -> v == null || v == 0)) {
                throw new BadInputException("Dataset spec 'images.std' must not contain 0, got " + std + ".");
            }
        }
    }
}
