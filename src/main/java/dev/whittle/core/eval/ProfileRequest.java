package dev.whittle.core.eval;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.onnx.OnnxModel;
import java.util.Map;

/**
 * A per-node profile: {@code warmup} untimed runs, then {@code runs} profiled runs of one batch.
 *
 * @param model      the model to run
 * @param reference  the model whose layers the times are reported against (the original when
 *                   {@code model} is a compressed copy of it), or null for {@code model} itself
 * @param data       inputs (the first {@code batch} samples), or null for synthetic inputs
 * @param batch      samples per run, &gt;= 1
 * @param dims       values for unfixed non-batch dimensions of synthetic inputs, by symbol
 * @param defaultDim value for other unfixed dimensions of synthetic inputs
 */
public record ProfileRequest(OnnxModel model, ModelGraph reference, Dataset data, int batch, int warmup, int runs,
                             Map<String, Long> dims, long defaultDim, SessionSpec session) {
    public ProfileRequest {
        if (model == null || session == null) {
            throw new BadInputException("A profile needs a model and session settings.");
        }
        if (batch < 1) {
            throw new BadInputException("The batch must be at least 1, got " + batch + ".");
        }
        if (warmup < 0 || runs < 1) {
            throw new BadInputException("A profile needs warm-up runs >= 0 and profiled runs >= 1, got " + warmup + " and "
                    + runs + ".");
        }
        if (defaultDim < 1) {
            throw new BadInputException("The default dimension must be at least 1, got " + defaultDim + ".");
        }
        dims = Map.copyOf(dims == null ? Map.of() : dims);
        reference = reference == null ? model.graph() : reference;
    }

    /** Synthetic inputs, default dimensions, default session settings. */
    public static ProfileRequest of(OnnxModel model, int batch, int warmup, int runs) {
        return new ProfileRequest(model, null, null, batch, warmup, runs, Map.of(), SyntheticInputs.DEFAULT_DIM,
                SessionSpec.defaults());
    }

    /** The same settings on another model, reported against {@code reference}. */
    public ProfileRequest withModel(OnnxModel m, ModelGraph ref) {
        return new ProfileRequest(m, ref, data, batch, warmup, runs, dims, defaultDim, session);
    }
}
