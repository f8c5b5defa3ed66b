package dev.whittle.core.analysis;

import dev.whittle.core.eval.EvalRequest;

import dev.whittle.core.BadInputException;
import dev.whittle.core.select.LayerSelector;
import java.util.List;

/**
 * A sensitivity sweep: for each selected layer and each level, compress that layer alone with
 * {@code method} and evaluate the result against the unmodified model.
 *
 * @param eval     the model, the data subset (batch, limit) and session settings; its baseline is ignored
 * @param method   a {@link LayerCompressors} name: prune, quantize, lowrank
 * @param levels   the sweep, in the method's unit (sparsity, bits, rank)
 * @param selector which layers; {@link LayerSelector#all()} for every weight layer
 * @param settings the method's settings besides the level (structure, granularity, format);
 *                 null for the defaults. Every level is checked against it here, before any work.
 * @param calibration the data the activation ranges are calibrated on, when the settings quantize
 *                    activations (required then; unused otherwise)
 */
public record SensitivityRequest(EvalRequest eval, String method, List<Double> levels, LayerSelector selector,
                                 SensitivityMethod settings, CalibrationData calibration) {
    public SensitivityRequest(EvalRequest eval, String method, List<Double> levels, LayerSelector selector,
                              SensitivityMethod settings) {
        this(eval, method, levels, selector, settings, null);
    }

    /** With the method's default settings. */
    public SensitivityRequest(EvalRequest eval, String method, List<Double> levels, LayerSelector selector) {
        this(eval, method, levels, selector, null);
    }

    public SensitivityRequest {
        if (eval == null) {
            throw new BadInputException("A sensitivity sweep needs an evaluation setup.");
        }
        if (levels == null || levels.isEmpty()) {
            throw new BadInputException("A sensitivity sweep needs at least one level.");
        }
        levels = List.copyOf(levels);
        selector = selector == null ? LayerSelector.all() : selector;
        LayerCompressors.get(method);
        settings = settings == null ? SensitivityMethod.of(method) : settings;
        if (!settings.name().equals(method.trim().toLowerCase())) {
            throw new BadInputException("The settings are for method " + settings.name() + ", not " + method + ".");
        }
        for (double level : levels) {
            settings.checkLevel(level);
        }
        if (settings.activations() != null && calibration == null) {
            throw new BadInputException("Quantized activations need calibration data (--calib FILE.npy).");
        }
    }
}
