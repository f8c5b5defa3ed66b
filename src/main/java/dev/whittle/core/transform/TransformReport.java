package dev.whittle.core.transform;

import java.util.ArrayList;
import java.util.List;

/**
 * Per-layer results of one or more transforms, plus the serialized model size before and after
 * (bytes of the .onnx protobuf, external data included when the model has some).
 */
public record TransformReport(List<LayerReport> layers, long modelBytesBefore, long modelBytesAfter) {
    public TransformReport {
        layers = List.copyOf(layers);
    }

    public long paramsBefore() {
        return layers.stream().mapToLong(LayerReport::paramsBefore).sum();
    }

    public long paramsAfter() {
        return layers.stream().mapToLong(LayerReport::paramsAfter).sum();
    }

    /** modelBytesAfter / modelBytesBefore. */
    public double sizeRatio() {
        return modelBytesBefore == 0 ? 1 : (double) modelBytesAfter / modelBytesBefore;
    }

    /** This report followed by {@code next} (a later step), sizes from first before to last after. */
    public TransformReport then(TransformReport next) {
        List<LayerReport> all = new ArrayList<>(layers);
        all.addAll(next.layers);
        return new TransformReport(all, modelBytesBefore, next.modelBytesAfter);
    }
}
