package dev.whittle.cli;

import dev.whittle.core.eval.SessionSpec;
import picocli.CommandLine.Option;

/** ONNX Runtime settings shared by eval, bench and sensitivity. */
final class RuntimeOptions {
    @Option(names = "--provider", paramLabel = "cpu|cuda|auto", defaultValue = "auto",
            description = "Execution provider (default: ${DEFAULT-VALUE}: CUDA when the GPU build can use it, else CPU).")
    String provider;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Intra-op threads; 0 = all cores (default).")
    int threads;

    @Option(names = "--opt-level", paramLabel = "none|basic|extended|all", defaultValue = "all",
            description = "ONNX Runtime graph optimization level (default: ${DEFAULT-VALUE}).")
    String optLevel;

    @Option(names = "--no-numerics-pin", description = "Let ONNX Runtime run weight-only quantized MatMuls with int8"
            + " activations (faster, less exact); by default they run in float32.")
    boolean noPin;

    SessionSpec spec() {
        return new SessionSpec(SessionSpec.Provider.parse(provider), threads, SessionSpec.OptLevel.parse(optLevel), !noPin);
    }
}
