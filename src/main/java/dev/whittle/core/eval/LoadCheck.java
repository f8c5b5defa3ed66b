package dev.whittle.core.eval;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.whittle.core.BadInputException;
import dev.whittle.core.onnx.OnnxModel;

/**
 * Checks, before a compressed model is written, that ONNX Runtime loads it: the graph is
 * resolved against ONNX's operator schemas (types and shapes) and kernels are assigned. Only a
 * missing CPU kernel is accepted (ONNX Runtime's CPU build has no bfloat16 MatMul or Conv, so a
 * bfloat16 model never gets a CPU session although its graph is valid). Optimizations are off:
 * the check is about loading, not speed.
 */
public final class LoadCheck {
    /**
     * Models larger than this (inline plus external bytes, or inline bytes over a quarter of the
     * heap) are not checked: a session would hold a second copy of the weights.
     */
    static final long MAX_CHECKED_BYTES = 1L << 30;

    private LoadCheck() {
    }

    /** What the check did. */
    public enum Outcome { LOADED, TYPES_ONLY, NOT_CHECKED }

    /**
     * Loads {@code model} in ONNX Runtime (CPU) and returns how far it got.
     *
     * @throws BadInputException naming {@code what} when ONNX Runtime refuses the model
     */
    public static Outcome require(OnnxModel model, String what) {
        long size = model.serializedBytes();
        long external = 0;
        for (dev.whittle.core.model.TensorData t : model.graph().constants()) {
            if (t.storage() == dev.whittle.core.model.Storage.EXTERNAL) {
                external += t.bytes();
            }
        }
        // The serialized copy is on the heap: leave room for the rest of the work.
        long limit = Math.min(MAX_CHECKED_BYTES, Runtime.getRuntime().maxMemory() / 4);
        if (size < 0 || size > limit || size + external > MAX_CHECKED_BYTES) {
            return Outcome.NOT_CHECKED;
        }
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
             dev.whittle.core.onnx.RuntimeCopy copy = dev.whittle.core.onnx.RuntimeCopy.of(model)) {
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            if (copy.folder() != null) {
                o.addConfigEntry("session.model_external_initializers_file_folder_path", copy.folder().toString());
            }
            try (OrtSession s = EvalSession.env().createSession(copy.bytes(), o)) {
                return Outcome.LOADED;
            } catch (OrtException e) {
                String msg = String.valueOf(e.getMessage());
                if (msg.contains("Could not find an implementation for")) {
                    return Outcome.TYPES_ONLY;
                }
                throw new BadInputException("ONNX Runtime would not load " + what + ", so it was not written: "
                        + EvalSession.firstLine(msg), e);
            }
        } catch (OrtException e) {
            throw new dev.whittle.core.InternalException("ONNX Runtime session options failed: " + e.getMessage(), e);
        }
    }
}
