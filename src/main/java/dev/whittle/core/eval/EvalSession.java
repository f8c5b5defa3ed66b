package dev.whittle.core.eval;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.whittle.core.BadInputException;
import dev.whittle.core.InternalException;
import dev.whittle.core.model.DataType;
import dev.whittle.core.onnx.OnnxModel;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One ONNX Runtime session over a model, with the settings of a {@link SessionSpec}. Always
 * close it (try-with-resources): it owns native memory and a thread pool.
 * {@link #openSessions()} counts sessions not yet closed, so tests can prove none leak.
 */
public final class EvalSession implements AutoCloseable {
    private static final AtomicInteger OPEN = new AtomicInteger();

    private final OrtSession session;
    private final RuntimeInfo runtime;
    private final List<String> inputNames;
    private final List<String> outputNames;
    private boolean closed;
    private Set<String> lastRequested;

    private EvalSession(OrtSession session, RuntimeInfo runtime) {
        this.session = session;
        this.runtime = runtime;
        this.inputNames = List.copyOf(session.getInputNames());
        this.outputNames = List.copyOf(session.getOutputNames());
        OPEN.incrementAndGet();
    }

    /** The process-wide ONNX Runtime environment, with its usage telemetry switched off. */
    static OrtEnvironment env() {
        return Env.ENV;
    }

    private static final class Env {
        static final OrtEnvironment ENV = create();

        /** The stack of the thread that creates the environment: room for command lines of about 250 KB. */
        static final long STACK = 64L << 20;

        private static OrtEnvironment create() {
            OrtEnvironment env = onBigStack();
            try {
                // A workbench has no business reporting its users' runs anywhere.
                env.setTelemetry(false);
            } catch (ai.onnxruntime.OrtException e) {
                // Builds without telemetry refuse the call; nothing to switch off then.
            }
            return env;
        }

        /**
         * ONNX Runtime 1.29 creates its environment with a recursion about three native frames
         * deep per character of the process's command line (seen in a core dump: 11,900 frames
         * under OrtEnvironment.createHandle with a 4,100-character -cp). On a Java thread's
         * default 1 MB stack a long -cp overflows it: SIGSEGV, no hs_err file (the JVM's handler
         * has no stack left). So the environment, one per process, is created on a thread of its
         * own with a large stack, whichever thread asks first (a job thread, the CLI's main).
         */
        private static OrtEnvironment onBigStack() {
            // Not a lambda: its body would be a method of this class, whose initialization the
            // caller is in, and the new thread would wait for that initialization for ever.
            Starter starter = new Starter();
            Thread t = new Thread(null, starter, "whittle-ort-environment", STACK);
            t.setDaemon(true);
            t.start();
            boolean interrupted = false;
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true; // the environment is needed either way; the interrupt is kept
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            Object r = starter.out;
            if (r instanceof RuntimeException e) {
                throw e;
            }
            if (r instanceof Error e) {
                throw e;
            }
            if (r instanceof Throwable e) {
                throw new IllegalStateException("ONNX Runtime's environment could not be created: " + e, e);
            }
            return (OrtEnvironment) r;
        }
    }

    /** Creates the environment on the thread it runs on; {@code out} is the environment or what was thrown. */
    private static final class Starter implements Runnable {
        volatile Object out;

        @Override
        public void run() {
            try {
                out = OrtEnvironment.getEnvironment();
            } catch (Throwable e) {
                out = e;
            }
        }
    }

    /** The ONNX Runtime version on the class path, e.g. "1.29.0". */
    public static String ortVersion() {
        return env().getVersion();
    }

    /** Whether this ONNX Runtime build has the CUDA provider (the GPU jar); says nothing of a working GPU. */
    public static boolean cudaInBuild() {
        return OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
    }

    /** Sessions opened and not yet closed, in this JVM. */
    public static int openSessions() {
        return OPEN.get();
    }

    /**
     * Opens a session on {@code model}. With {@link SessionSpec.Provider#AUTO} CUDA is tried
     * first; if it cannot be used, {@code notices} gets one sentence saying so and the session
     * runs on the CPU.
     *
     * @throws BadInputException when CUDA was demanded but is unusable, or ONNX Runtime rejects the model
     */
    public static EvalSession open(OnnxModel model, SessionSpec spec, Consumer<String> notices) {
        return open(model, spec, notices, null);
    }

    /**
     * {@link #open}, with ONNX Runtime's profiler on when {@code profile} is not null: the trace
     * is written to a file whose name starts with {@code profile} when {@link #endProfiling} is
     * called (see {@link NodeProfiler}).
     */
    static EvalSession open(OnnxModel model, SessionSpec spec, Consumer<String> notices, java.nio.file.Path profile) {
        try (dev.whittle.core.onnx.RuntimeCopy copy = dev.whittle.core.onnx.RuntimeCopy.of(model)) {
            return open(model, copy, spec, notices, profile);
        }
    }

    private static EvalSession open(OnnxModel model, dev.whittle.core.onnx.RuntimeCopy bytes, SessionSpec spec,
                                    Consumer<String> notices, java.nio.file.Path profile) {
        // AUTO skips CUDA when this ONNX Runtime build has none (the CPU jar): nothing to fall back from.
        boolean tryCuda = spec.provider() == SessionSpec.Provider.CUDA || (spec.provider() == SessionSpec.Provider.AUTO
                && cudaInBuild());
        if (tryCuda) {
            try {
                return create(model, bytes, spec, true, profile);
            } catch (CudaUnavailable e) {
                if (spec.provider() == SessionSpec.Provider.CUDA) {
                    throw new BadInputException("CUDA was requested but cannot be used: " + e.getMessage()
                            + " (build with -Pgpu on a machine with CUDA 12, or use --provider cpu).", e);
                }
                notices.accept("CUDA is not usable (" + e.getMessage() + "); running on the CPU.");
            }
        }
        EvalSession s = create(model, bytes, spec, false, profile);
        Int8Numerics.warning(model.graph(), s.runtime()).ifPresent(notices);
        return s;
    }

    /** Threads, optimization level and the numerics pin: every session Whittle opens uses these. */
    static void configure(OrtSession.SessionOptions o, SessionSpec spec) throws ai.onnxruntime.OrtException {
        o.setIntraOpNumThreads(spec.effectiveThreads());
        o.setInterOpNumThreads(1);
        o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        o.setOptimizationLevel(switch (spec.optLevel()) {
            case NONE -> OrtSession.SessionOptions.OptLevel.NO_OPT;
            case BASIC -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
            case EXTENDED -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
            case ALL -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
        });
        if (spec.numericsPin()) {
            o.addConfigEntry(SessionSpec.NUMERICS_PIN_KEY, "1");
        }
    }

    // ONNX Runtime copies the bytes (a heap array, not a direct buffer that would hold native
    // memory until some later collection) and reads external data while the session is created.
    private static EvalSession create(OnnxModel model, dev.whittle.core.onnx.RuntimeCopy copy, SessionSpec spec, boolean cuda,
                                      java.nio.file.Path profile) {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            configure(o, spec);
            if (profile != null) {
                o.enableProfiling(profile.toString());
            }
            if (copy.folder() != null) {
                // From bytes, ONNX Runtime resolves external data only through this folder (STACK.md 7).
                o.addConfigEntry("session.model_external_initializers_file_folder_path", copy.folder().toString());
            }
            if (cuda) {
                try {
                    o.addCUDA(0);
                } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
                    throw new CudaUnavailable(String.valueOf(e.getMessage()), e);
                }
            }
            OrtSession s;
            try {
                s = env().createSession(copy.bytes(), o);
            } catch (OrtException e) {
                if (cuda) {
                    throw new CudaUnavailable(String.valueOf(e.getMessage()), e);
                }
                throw new BadInputException("ONNX Runtime cannot load " + model.graph().fileName() + ": "
                        + firstLine(e.getMessage()), e);
            }
            RuntimeInfo info = new RuntimeInfo(ortVersion(), cuda ? "cuda" : "cpu", spec.effectiveThreads(),
                    spec.optLevel().name().toLowerCase(), spec.numericsPin() ? SessionSpec.NUMERICS_PIN_KEY + "=1" : null);
            return new EvalSession(s, info);
        } catch (OrtException e) {
            throw new InternalException("ONNX Runtime session options failed: " + e.getMessage(), e);
        }
    }

    public RuntimeInfo runtime() {
        return runtime;
    }

    public List<String> inputNames() {
        return inputNames;
    }

    public List<String> outputNames() {
        return outputNames;
    }

    /**
     * Runs one batch and returns the named output as floats. Input tensors are created over the
     * host bytes without copying, and closed before returning, as is every output.
     *
     * @throws OrtException when ONNX Runtime fails, including a run stopped by {@code terminator}
     */
    Output run(Map<String, HostTensor> inputs, String output, Terminator terminator) throws OrtException {
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>(inputs.size() * 2);
        try {
            for (var e : inputs.entrySet()) {
                HostTensor t = e.getValue();
                feeds.put(e.getKey(), OnnxTensor.createTensor(env(), t.nativeBytes(), t.shape(), javaType(t.type())));
            }
            return runTensors(feeds, output, terminator);
        } finally {
            for (OnnxTensor t : feeds.values()) {
                t.close();
            }
        }
    }

    /**
     * Runs one batch on input tensors the caller owns (and closes) and returns the named output
     * as floats; the output tensor is closed before returning.
     *
     * @throws OrtException when ONNX Runtime fails, including a run stopped by {@code terminator}
     */
    Output runTensors(Map<String, OnnxTensor> feeds, String output, Terminator terminator) throws OrtException {
        try (OrtSession.Result r = session.run(feeds, requested(output), terminator.options())) {
            OnnxValue v = r.get(0);
            if (!(v instanceof OnnxTensor tensor)) {
                throw new BadInputException("Output '" + output + "' is a " + v.getType() + ", not a tensor.");
            }
            TensorInfo info = tensor.getInfo();
            return new Output(floats(tensor, info, output), info.getShape(), info.type == OnnxJavaType.FLOAT);
        }
    }

    /**
     * Runs one step of a stream: returns output {@code output} as floats and copies each output
     * named in {@code carry}'s values into {@code carried} (by output name) as host tensors; every
     * output tensor is closed before returning.
     *
     * @throws OrtException when ONNX Runtime fails, including a run stopped by {@code terminator}
     */
    Output runCarrying(Map<String, OnnxTensor> feeds, String output, java.util.Collection<String> carry,
                       Map<String, HostTensor> carried, Terminator terminator) throws OrtException {
        Set<String> wanted = new java.util.LinkedHashSet<>();
        wanted.add(output);
        wanted.addAll(carry);
        try (OrtSession.Result r = session.run(feeds, wanted, terminator.options())) {
            Output out = null;
            for (var e : r) {
                if (!(e.getValue() instanceof OnnxTensor tensor)) {
                    throw new BadInputException("Output '" + e.getKey() + "' is a " + e.getValue().getType() + ", not a tensor.");
                }
                TensorInfo info = tensor.getInfo();
                if (e.getKey().equals(output)) {
                    out = new Output(floats(tensor, info, output), info.getShape(), info.type == OnnxJavaType.FLOAT);
                }
                if (carry.contains(e.getKey())) {
                    carried.put(e.getKey(), hostCopy(tensor, info, e.getKey()));
                }
            }
            return out;
        }
    }

    static HostTensor hostCopy(OnnxTensor t, TensorInfo info, String name) {
        DataType type = switch (info.type) {
            case FLOAT -> DataType.FLOAT;
            case DOUBLE -> DataType.DOUBLE;
            case FLOAT16 -> DataType.FLOAT16;
            case BFLOAT16 -> DataType.BFLOAT16;
            case INT64 -> DataType.INT64;
            case INT32 -> DataType.INT32;
            case INT16 -> DataType.INT16;
            case INT8 -> DataType.INT8;
            case UINT8 -> DataType.UINT8;
            case BOOL -> DataType.BOOL;
            default -> throw new BadInputException("Output '" + name + "' has type " + info.type + ", which cannot be carried"
                    + " into an input.");
        };
        java.nio.ByteBuffer src = t.getByteBuffer();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(src.remaining()).order(java.nio.ByteOrder.nativeOrder());
        b.put(src).flip();
        return new HostTensor(type, info.getShape(), b);
    }

    /**
     * Runs one batch writing each output named in {@code pinned} into that caller-owned tensor,
     * which must have the output's exact shape and type; nothing is allocated for the outputs.
     *
     * @throws OrtException when ONNX Runtime fails, refuses a pinned tensor (shape or type), or
     *                      is stopped by {@code terminator}
     */
    void runInto(Map<String, OnnxTensor> feeds, Map<String, OnnxTensor> pinned, Terminator terminator) throws OrtException {
        session.run(feeds, Set.of(), pinned, terminator.options()).close();
    }

    private Set<String> requested(String output) {
        Set<String> r = lastRequested;
        if (r == null || !r.contains(output)) {
            r = Set.of(output);
            lastRequested = r;
        }
        return r;
    }

    private static float[] floats(OnnxTensor t, TensorInfo info, String name) {
        OnnxJavaType type = info.type;
        switch (type) {
            case FLOAT, FLOAT16, BFLOAT16 -> {
                FloatBuffer fb = t.getFloatBuffer();
                if (fb.hasArray() && fb.arrayOffset() == 0 && fb.position() == 0 && fb.array().length == fb.remaining()) {
                    return fb.array(); // already a fresh copy; a second one would only cost time
                }
                float[] out = new float[fb.remaining()];
                fb.get(out);
                return out;
            }
            case DOUBLE -> {
                var db = t.getDoubleBuffer();
                float[] out = new float[db.remaining()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) db.get(i);
                }
                return out;
            }
            case INT64 -> {
                var lb = t.getLongBuffer();
                float[] out = new float[lb.remaining()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = lb.get(i);
                }
                return out;
            }
            case INT32 -> {
                var ib = t.getIntBuffer();
                float[] out = new float[ib.remaining()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = ib.get(i);
                }
                return out;
            }
            default -> throw new BadInputException("Output '" + name + "' has type " + type
                    + "; evaluation reads float, double, int32 and int64 outputs.");
        }
    }

    static OnnxJavaType javaType(DataType t) {
        return switch (t) {
            case FLOAT -> OnnxJavaType.FLOAT;
            case DOUBLE -> OnnxJavaType.DOUBLE;
            case FLOAT16 -> OnnxJavaType.FLOAT16;
            case BFLOAT16 -> OnnxJavaType.BFLOAT16;
            case INT64 -> OnnxJavaType.INT64;
            case INT32 -> OnnxJavaType.INT32;
            case INT16 -> OnnxJavaType.INT16;
            case INT8 -> OnnxJavaType.INT8;
            case UINT8 -> OnnxJavaType.UINT8;
            case BOOL -> OnnxJavaType.BOOL;
            default -> throw new BadInputException("ONNX Runtime's Java API cannot take " + t + " inputs.");
        };
    }

    static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Stops ONNX Runtime's profiler and returns the trace file it wrote (the session was opened profiling). */
    java.nio.file.Path endProfiling() {
        try {
            return java.nio.file.Path.of(session.endProfiling());
        } catch (OrtException e) {
            throw new InternalException("ONNX Runtime could not end profiling: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        OPEN.decrementAndGet();
        try {
            session.close();
        } catch (OrtException e) {
            throw new InternalException("Closing the ONNX Runtime session failed: " + e.getMessage(), e);
        }
    }

    /**
     * One output of a run: values as float32, row-major, and the shape ONNX Runtime reported.
     * Both may be reused by the next batch of the same loop (see {@link OutputPins}): copy what
     * you keep, and never modify them.
     *
     * @param float32 whether the output itself is float32 (not converted from another type)
     */
    record Output(float[] values, long[] shape, boolean float32) {
    }

    /** CUDA could not be added or used; the message is ONNX Runtime's. */
    private static final class CudaUnavailable extends RuntimeException {
        CudaUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static List<String> names(Map<String, ?> m) {
        return new ArrayList<>(m.keySet());
    }
}
