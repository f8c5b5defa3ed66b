package dev.whittle.core.eval;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.whittle.core.BadInputException;
import dev.whittle.core.InternalException;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The graph ONNX Runtime runs: its own optimizer's output at a chosen level, written through
 * {@code SessionOptions.setOptimizedModelFilePath} and read back. At the basic level this is the
 * portable rewrite (constant folding, redundant nodes removed, BatchNormalization folded into
 * the Conv before it); at extended and all it holds fusions and layouts for this CPU.
 */
public final class OptimizedGraph {
    private OptimizedGraph() {
    }

    /**
     * ONNX Runtime's optimized graph of {@code model} at {@code level}, on the CPU provider, with
     * the numerics pin of {@code spec}. The result keeps {@code model}'s source as its origin.
     */
    public static OnnxModel optimize(OnnxModel model, SessionSpec spec, SessionSpec.OptLevel level) {
        SessionSpec s = new SessionSpec(SessionSpec.Provider.CPU, spec.threads(), level, spec.numericsPin());
        Path tmp = null;
        try {
            tmp = Files.createTempFile("whittle-optimized-", ".onnx");
            try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
                 dev.whittle.core.onnx.RuntimeCopy copy = dev.whittle.core.onnx.RuntimeCopy.of(model)) {
                EvalSession.configure(o, s);
                o.setOptimizedModelFilePath(tmp.toString());
                // ORT warns that a model saved at level all holds layouts for this CPU: known, and not for users.
                o.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
                if (copy.folder() != null) {
                    o.addConfigEntry("session.model_external_initializers_file_folder_path", copy.folder().toString());
                }
                try (OrtSession ignored = EvalSession.env().createSession(copy.bytes(), o)) {
                    // Creating the session writes the optimized model.
                } catch (OrtException e) {
                    throw new BadInputException("ONNX Runtime cannot load " + model.graph().fileName() + ": "
                            + EvalSession.firstLine(e.getMessage()), e);
                }
            } catch (OrtException e) {
                throw new InternalException("ONNX Runtime session options failed: " + e.getMessage(), e);
            }
            OnnxModel read = OnnxReader.read(tmp);
            return OnnxReader.fromProto(read.proto(), model.source());
        } catch (IOException e) {
            throw new InternalException("Cannot write ONNX Runtime's optimized model to a temporary file: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    tmp.toFile().deleteOnExit();
                }
            }
        }
    }
}
