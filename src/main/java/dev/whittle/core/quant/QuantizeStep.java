package dev.whittle.core.quant;

import dev.whittle.core.BadInputException;
import dev.whittle.core.select.LayerSelector;

/** One recipe step that quantizes: which layers ({@code select}) and how ({@code quantize}). */
public record QuantizeStep(LayerSelector select, QuantizeSpec quantize) {
    public QuantizeStep {
        if (select == null) {
            select = LayerSelector.all();
        }
        if (quantize == null) {
            throw new BadInputException("a quantize step needs its quantize settings.");
        }
    }

    public static QuantizeStep all(QuantizeSpec spec) {
        return new QuantizeStep(LayerSelector.all(), spec);
    }
}
