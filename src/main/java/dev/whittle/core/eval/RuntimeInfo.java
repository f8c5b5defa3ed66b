package dev.whittle.core.eval;

/**
 * What ran a measurement, recorded in every result.
 *
 * @param ortVersion  ONNX Runtime version, e.g. "1.29.0"
 * @param provider    execution provider actually used: "cpu" or "cuda"
 * @param threads     intra-op threads
 * @param optLevel    graph optimization level: none, basic, extended or all
 * @param numericsPin the session config entry pinning quantized numerics ("key=value"), or null
 * @param cpu         the CPU, with whether it has VNNI (int8 kernels without it can saturate);
 *                    null in results recorded before Whittle reported it
 */
public record RuntimeInfo(String ortVersion, String provider, int threads, String optLevel, String numericsPin,
                          CpuInfo cpu) {
    /** A measurement on this machine's CPU ({@link CpuInfo#host()}). */
    public RuntimeInfo(String ortVersion, String provider, int threads, String optLevel, String numericsPin) {
        this(ortVersion, provider, threads, optLevel, numericsPin, CpuInfo.host());
    }
}
