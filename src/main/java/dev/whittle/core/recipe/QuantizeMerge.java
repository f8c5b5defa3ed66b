package dev.whittle.core.recipe;

import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.recipe.RecipePlan.Problem;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the quantize blocks of a recipe's steps combine on each layer: in step order, a later
 * step's {@code weights}, {@code activations} or {@code format} replaces the earlier one (the
 * same merge {@code Quantizer} does), and which step each of the three came from.
 *
 * @param merged      node to its merged spec, in model order
 * @param weightsStep node to the 0-based step whose weights apply (else the last step quantizing it)
 * @param lastStep    node to the last 0-based step quantizing it
 * @param blockSteps  node to the last step setting {weights, activations, format} there (-1: none)
 */
record QuantizeMerge(Map<String, QuantizeSpec> merged, Map<String, Integer> weightsStep, Map<String, Integer> lastStep,
                     Map<String, int[]> blockSteps, Map<Integer, QuantizeSpec> stepSpecs) {

    static QuantizeMerge of(List<Step> steps, List<List<WeightLayer>> chosen, List<WeightLayer> layers) {
        Map<Integer, QuantizeSpec> specs = new LinkedHashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).quantize() != null) {
                specs.put(i, steps.get(i).quantize().spec());
            }
        }
        Map<String, QuantizeSpec> merged = new LinkedHashMap<>();
        Map<String, Integer> weights = new LinkedHashMap<>();
        Map<String, Integer> last = new LinkedHashMap<>();
        Map<String, int[]> blocks = new LinkedHashMap<>();
        for (WeightLayer l : layers) {
            QuantizeSpec m = null;
            int[] b = {-1, -1, -1};
            for (var e : specs.entrySet()) {
                int i = e.getKey();
                if (!chosen.get(i).contains(l)) {
                    continue;
                }
                QuantizeSpec s = e.getValue();
                m = s.over(m);
                last.put(l.node(), i);
                b[0] = s.weights() != null ? i : b[0];
                b[1] = s.activations() != null ? i : b[1];
                b[2] = s.format() != null ? i : b[2];
            }
            if (m != null) {
                merged.put(l.node(), m);
                blocks.put(l.node(), b);
                weights.put(l.node(), b[0] >= 0 ? b[0] : last.get(l.node()));
            }
        }
        return new QuantizeMerge(merged, weights, last, blocks, specs);
    }

    /** The later step (1-based) that replaces every block step {@code step} sets on this layer, or null. */
    Integer overriddenBy(int step, String node) {
        QuantizeSpec s = stepSpecs.get(step);
        int[] b = blockSteps.get(node);
        int by = -1;
        Object[] set = {s.weights(), s.activations(), s.format()};
        for (int k = 0; k < 3; k++) {
            if (set[k] != null) {
                if (b[k] == step) {
                    return null;
                }
                by = Math.max(by, b[k]);
            }
        }
        return by + 1;
    }

    /** Activation quantization needs the recipe's calibration data. */
    Optional<Problem> calibrationProblem(Recipe recipe) {
        if (recipe.calibration() != null && recipe.calibration().data() != null) {
            return Optional.empty();
        }
        for (var e : merged.entrySet()) {
            if (e.getValue().activations() != null) {
                int step = blockSteps.get(e.getKey())[1];
                return Optional.of(new Problem(step + 1, "quantize.activations needs calibration data: add"
                        + " 'calibration: {data: FILE.npy}' at the top of the recipe (relative to the recipe's folder)."));
            }
        }
        return Optional.empty();
    }
}
