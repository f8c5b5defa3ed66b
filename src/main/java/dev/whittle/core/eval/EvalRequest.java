package dev.whittle.core.eval;

import dev.whittle.core.BadInputException;
import dev.whittle.core.onnx.OnnxModel;

/**
 * What to evaluate.
 *
 * @param model    the model under test
 * @param label    name shown in results, or null for the model's file name
 * @param baseline model to compare outputs with, or null for no fidelity metrics
 * @param data     inputs (and labels, for accuracy)
 * @param batch    samples per run, &gt;= 1; the last batch may be smaller
 * @param limit    evaluate only the first {@code limit} samples; 0 = all
 * @param output   output to read, or null for the model's first output
 * @param pool     pooling before cosine similarity (embedding models)
 * @param session  ONNX Runtime settings
 * @param baselineOutput the baseline's output to compare with, or null: the output of the same
 *                 name, else the one at the same position when type and shape agree
 */
public record EvalRequest(OnnxModel model, String label, OnnxModel baseline, Dataset data, int batch, long limit,
                          String output, Pool pool, SessionSpec session, String baselineOutput) {
    public EvalRequest {
        if (model == null || data == null || session == null) {
            throw new BadInputException("An evaluation needs a model, data and session settings.");
        }
        if (batch < 1) {
            throw new BadInputException("batch must be at least 1, got " + batch + ".");
        }
        if (limit < 0) {
            throw new BadInputException("limit must be 0 (all) or positive, got " + limit + ".");
        }
        pool = pool == null ? Pool.NONE : pool;
    }

    /** A request that compares with the baseline's output of the same name (or position). */
    public EvalRequest(OnnxModel model, String label, OnnxModel baseline, Dataset data, int batch, long limit,
                       String output, Pool pool, SessionSpec session) {
        this(model, label, baseline, data, batch, limit, output, pool, session, null);
    }

    public static EvalRequest of(OnnxModel model, Dataset data, int batch) {
        return new EvalRequest(model, null, null, data, batch, 0, null, Pool.NONE, SessionSpec.defaults());
    }

    public EvalRequest withBaseline(OnnxModel b) {
        return new EvalRequest(model, label, b, data, batch, limit, output, pool, session, baselineOutput);
    }

    public EvalRequest withModel(OnnxModel m, String l) {
        return new EvalRequest(m, l, baseline, data, batch, limit, output, pool, session, baselineOutput);
    }
}
