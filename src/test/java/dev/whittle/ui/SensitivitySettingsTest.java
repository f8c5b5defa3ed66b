package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.analysis.SensitivityMethod;
import dev.whittle.core.quant.ActivationPlacement;
import org.junit.jupiter.api.Test;

/** What each method of the Sensitivity tab sweeps, and a calibrator it cannot read. */
class SensitivitySettingsTest {
    @Test
    void w8a8SweepsEachLayerWithItsInputCalibratedAndTheOthersStayWeightOnly() {
        SensitivityMethod w8a8 = SensitivityViewModel.settings(SensitivityViewModel.W8A8, "entropy");
        assertEquals("quantize", w8a8.name());
        assertEquals("entropy", w8a8.activations().calibration().toString());
        assertEquals(ActivationPlacement.LAYERS, w8a8.activations().placement(), "one layer at a time, as quantize --layers");
        assertEquals(8, w8a8.activations().bits());
        assertNull(SensitivityViewModel.settings("quantize", "entropy").activations(), "the calibrator is W8A8's alone");
        var e = assertThrows(BadInputException.class, () -> SensitivityViewModel.settings(SensitivityViewModel.W8A8, "median"));
        assertTrue(e.getMessage().contains("Calibrator") && e.getMessage().contains("median"), e.getMessage());
    }
}
