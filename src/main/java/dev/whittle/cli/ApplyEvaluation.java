package dev.whittle.cli;

import dev.whittle.core.eval.Dataset;
import dev.whittle.core.eval.DatasetSpec;
import dev.whittle.core.eval.Datasets;
import dev.whittle.core.eval.EvalRequest;
import dev.whittle.core.eval.EvalResult;
import dev.whittle.core.eval.Evaluator;
import dev.whittle.core.eval.Pool;
import dev.whittle.core.eval.SessionSpec;
import dev.whittle.core.onnx.OnnxModel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code apply --eval-data SPEC.yaml}: evaluates the written model on a dataset spec
 * (docs/evaluation.md) with ONNX Runtime (CPU, all optimizations, quantized MatMul numerics
 * pinned to float32), against the original model as the baseline: top-1 accuracy of both when
 * the spec has labels, agreement and output fidelity always. The metrics go into the report
 * and the saved recipe's provenance.
 */
final class ApplyEvaluation {
    static final int DEFAULT_BATCH = 32;

    private ApplyEvaluation() {
    }

    /** Metric name to value, in a fixed order; fractions as fractions. */
    static Map<String, Object> run(Path specFile, Long limitOption, OnnxModel original, OnnxModel result) {
        DatasetSpec spec = Datasets.readSpec(specFile);
        Dataset data = Datasets.load(specFile, spec, original.graph());
        long limit = limitOption != null ? limitOption : spec.limit() != null ? spec.limit() : 0;
        int batch = spec.batch() != null ? spec.batch() : DEFAULT_BATCH;
        Pool pool = Pool.parse(spec.pool());
        Evaluator ev = new Evaluator();
        SessionSpec session = SessionSpec.defaults();
        EvalResult r = CliJobs.run(ev.job(new EvalRequest(result, "compressed", original, data, batch, limit, null, pool, session)));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", String.valueOf(specFile.getFileName()));
        m.put("samples", r.samples());
        if (r.accuracy() != null) {
            EvalResult base = CliJobs.run(ev.job(new EvalRequest(original, "original", null, data, batch, limit, null, pool,
                    session)));
            m.put("accuracy", r.accuracy());
            m.put("accuracyBefore", base.accuracy());
        }
        if (r.streamed()) {
            m.put("threshold", r.threshold()); // agreement of decisions, cosines of output tracks
        }
        m.put("agreement", r.agreement());
        m.put("meanCosine", r.meanCosine());
        m.put("minCosine", r.minCosine());
        m.put("outputSqnrDb", r.outputSqnrDb() == null || r.outputSqnrDb().isInfinite() ? null : r.outputSqnrDb());
        m.put("numericsPin", r.runtime().numericsPin());
        return m;
    }

    static String text(Map<String, Object> m) {
        boolean streamed = m.get("threshold") != null;
        StringBuilder sb = new StringBuilder("evaluation on " + m.get("data") + " (" + m.get("samples")
                + (streamed ? " chunks, streamed" : " samples") + "):");
        if (m.get("accuracy") != null) {
            sb.append(String.format(Locale.ROOT, " accuracy %.2f%% (original %.2f%%),", 100 * (double) m.get("accuracy"),
                    100 * (double) m.get("accuracyBefore")));
        }
        if (m.get("agreement") != null) {
            sb.append(streamed ? String.format(Locale.ROOT, " decision agreement %.2f%% (> %s),", 100 * (double) m.get("agreement"),
                    m.get("threshold")) : String.format(Locale.ROOT, " top-1 agreement %.2f%%,", 100 * (double) m.get("agreement")));
        }
        if (m.get("meanCosine") != null) {
            sb.append(String.format(Locale.ROOT, streamed ? " track cosine to the original %.4f (min %.4f)"
                    : " cosine to the original %.4f (min %.4f)", (double) m.get("meanCosine"),
                    (double) m.get("minCosine")));
        }
        String s = sb.toString();
        return (s.endsWith(",") ? s.substring(0, s.length() - 1) : s) + "\n";
    }
}
