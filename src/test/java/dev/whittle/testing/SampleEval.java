package dev.whittle.testing;

import dev.whittle.core.eval.Dataset;
import dev.whittle.core.eval.Datasets;
import dev.whittle.core.eval.EvalRequest;
import dev.whittle.core.eval.EvalResult;
import dev.whittle.core.eval.Evaluator;
import dev.whittle.core.eval.Pool;
import dev.whittle.core.eval.SessionSpec;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Evaluates models made from the samples with core.eval (ONNX Runtime CPU, all optimizations,
 * weight-only quantized MatMuls pinned to float32 numerics): Fashion-MNIST top-1 accuracy, and
 * MiniLM's mean-pooled sentence embeddings against the fp32 model's (cosine similarity). The
 * data and the fp32 MiniLM are loaded once, so its outputs are computed once (baseline cache).
 */
public final class SampleEval {
    public static final Path DIR = Path.of("sample-models");
    public static final Path MINILM = DIR.resolve("minilm/all-minilm-l6-v2.onnx");
    private static final Evaluator EVALUATOR = new Evaluator();
    private static Dataset fashion;
    private static Dataset miniLmData;
    private static OnnxModel miniLm;

    private SampleEval() {
    }

    /** Top-1 accuracy (fraction) on the first {@code limit} committed Fashion-MNIST test images. */
    public static synchronized double fashionAccuracy(Path model, int limit) {
        OnnxModel m = OnnxReader.read(model);
        if (fashion == null) {
            Map<String, String> in = new LinkedHashMap<>();
            in.put(null, DIR.resolve("fashion-test-x.npy").toString());
            fashion = Datasets.fromFiles(in, DIR.resolve("fashion-test-y.npy").toString(), m.graph(), "fashion-test");
        }
        return evaluate(new EvalRequest(m, null, null, fashion, 100, limit, null, Pool.NONE, SessionSpec.defaults()))
                .accuracy();
    }

    /** {mean, min} cosine similarity of the 64 committed sentences' mean-pooled embeddings to the fp32 MiniLM's. */
    public static synchronized double[] miniLmCosine(Path model) {
        if (miniLm == null) {
            miniLm = OnnxReader.read(MINILM);
            Map<String, String> in = new LinkedHashMap<>();
            for (String name : new String[] {"input_ids", "attention_mask", "token_type_ids"}) {
                in.put(name, DIR.resolve("minilm-" + name + ".npy").toString());
            }
            miniLmData = Datasets.fromFiles(in, null, miniLm.graph(), "minilm sentences");
        }
        EvalResult r = evaluate(new EvalRequest(OnnxReader.read(model), null, miniLm, miniLmData, 16, 0, "output_0",
                Pool.MEAN, SessionSpec.defaults()));
        return new double[] {r.meanCosine(), r.minCosine()};
    }

    private static EvalResult evaluate(EvalRequest r) {
        return EVALUATOR.evaluate(r, ProgressSink.NONE, CancelToken.none());
    }
}
