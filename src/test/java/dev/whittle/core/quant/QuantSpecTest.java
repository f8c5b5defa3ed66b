package dev.whittle.core.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import org.junit.jupiter.api.Test;

class QuantSpecTest {
    @Test
    void invalidSettingsAreRejectedWithTheFieldAndTheValue() {
        assertMessage("weights.bits must be 8 or 4, got 3", () -> new WeightSpec(3, true, Granularity.TENSOR, 0, null));
        assertMessage("weights.block must be between 16 and 256, got 8", () -> new WeightSpec(4, true, Granularity.BLOCK, 8, null));
        assertMessage("weights.block is needed", () -> new WeightSpec(4, true, Granularity.BLOCK, 0, null));
        assertMessage("activations.bits must be 8 or 4, got 16", () -> new ActivationSpec(16, false, Calibration.ENTROPY, false, null));
        assertMessage("percentile must be in (0, 100], got 120", () -> new RangeSpec.Percentile(120));
        assertMessage("must contain 0", () -> new RangeSpec.Explicit(0.1, 0.5));
        assertMessage("granularity must be tensor, channel or block, got 'row'", () -> Granularity.parse("granularity", "row"));
        QuantizeSpec nbits8 = new QuantizeSpec(WeightSpec.blocks(8, 32), null, QuantFormat.MATMULNBITS);
        assertMessage("format matmulnbits needs weights.bits 4, got 8", () -> nbits8.validate("step 1"));
        QuantizeSpec nbits48 = new QuantizeSpec(WeightSpec.blocks(4, 48), null, QuantFormat.MATMULNBITS);
        assertMessage("power-of-two block", () -> nbits48.validate("step 1"));
        QuantizeSpec dynAct = new QuantizeSpec(WeightSpec.of(8, Granularity.CHANNEL), ActivationSpec.of(Calibration.MINMAX), QuantFormat.DYNAMIC);
        assertMessage("activations can only be quantized with format qdq", () -> dynAct.validate("step 2"));
    }

    @Test
    void rangesAndCalibrationsParseTheirRecipeSpellings() {
        assertEquals(RangeSpec.MINMAX, RangeSpec.parse("range", "minmax"));
        assertEquals(new RangeSpec.Percentile(99.9), RangeSpec.parse("range", "percentile:99.9"));
        assertEquals(new RangeSpec.Explicit(-0.25, 0.25), RangeSpec.parse("range", "[-0.25, 0.25]"));
        assertEquals(new RangeSpec.Explicit(-0.41, 0.38), RangeSpec.parse("range", "-0.41,0.38"));
        assertEquals("percentile:99.99", Calibration.parse("c", "percentile:99.99").toString());
        assertEquals(Calibration.ENTROPY, Calibration.parse("c", "entropy"));
        assertMessage("'abc' in 'percentile:abc' is not a number", () -> RangeSpec.parse("range", "percentile:abc"));
    }

    @Test
    void aLaterStepReplacesOnlyTheSettingsItSets() {
        QuantizeSpec general = new QuantizeSpec(WeightSpec.of(8, Granularity.CHANNEL), ActivationSpec.of(Calibration.ENTROPY), null);
        QuantizeSpec perLayer = new QuantizeSpec(WeightSpec.of(4, Granularity.TENSOR), null, null);
        QuantizeSpec merged = perLayer.over(general);
        assertEquals(4, merged.weights().bits());
        assertEquals(Calibration.ENTROPY, merged.activations().calibration());
        assertEquals(QuantFormat.QDQ, merged.formatOrDefault());
    }

    @Test
    void recipeBlocksBuildTheSameSpecsAsTheRecords() {
        QuantizeSpec s = QuantizeSpecs.fromMap(java.util.Map.of(
                "weights", java.util.Map.of("bits", 8, "symmetric", true, "granularity", "tensor", "range", java.util.List.of(-0.41, 0.38)),
                "activations", java.util.Map.of("calibration", "percentile:99.99", "overrides",
                        java.util.Map.of("conv1", java.util.Map.of("range", java.util.List.of(0, 6), "bits", 4)))), "steps[1].quantize");
        assertEquals(new WeightSpec(8, true, Granularity.TENSOR, 0, new RangeSpec.Explicit(-0.41, 0.38)), s.weights());
        assertEquals(new Calibration.Percentile(99.99), s.activations().calibration());
        assertEquals(new ActivationOverride(false, 0.0, 6.0, 4), s.activations().overrides().get("conv1"));
        QuantizeSpec nbits = QuantizeSpecs.fromMap(java.util.Map.of("weights", java.util.Map.of(), "format", "matmulnbits"), "q");
        assertEquals(WeightSpec.blocks(4, 32), nbits.weights());
        assertMessage("steps[1].quantize.weights has an unknown key 'bitz' (known: bits, block, granularity, int8Layout, method, range, symmetric)",
                () -> QuantizeSpecs.fromMap(java.util.Map.of("weights", java.util.Map.of("bitz", 8)), "steps[1].quantize"));
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable e) {
        BadInputException ex = assertThrows(BadInputException.class, e);
        assertTrue(ex.getMessage().contains(part), ex.getMessage());
    }
}
