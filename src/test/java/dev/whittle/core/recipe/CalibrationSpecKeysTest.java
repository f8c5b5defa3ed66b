package dev.whittle.core.recipe;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.testing.StateModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Calibration reads arrays along axis 0: the evaluation-only spec keys are refused, not ignored. */
class CalibrationSpecKeysTest {
    @TempDir
    Path dir;

    @Test
    void aCalibrationSpecWithAxesOrStreamIsRefusedNamingTheKeys() throws Exception {
        Files.writeString(dir.resolve("axes.yaml"), "inputs:\n  x: x.npy\naxes:\n  state: 1\n");
        Files.writeString(dir.resolve("stream.yaml"), "inputs:\n  x: x.npy\nstream:\n  carry: {state: stateN}\n");
        for (String f : new String[] {"axes.yaml", "stream.yaml"}) {
            BadInputException e = assertThrows(BadInputException.class, () ->
                    CalibrationSource.load(new Calibration(f, null), dir, StateModels.vad(StateModels.WO, true).graph()));
            assertTrue(e.getMessage().contains("'axes' and 'stream' are for evaluation only") && e.getMessage().contains(f),
                    e.getMessage());
        }
    }
}
