package dev.whittle.core.eval;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.whittle.core.BadInputException;
import dev.whittle.core.InternalException;
import dev.whittle.core.model.ModelGraph;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleConsumer;

/**
 * Runs a model in ONNX Runtime batch by batch and hands the values of chosen intermediate
 * tensors to a sink, one batch at a time, so calibration memory does not grow with the data.
 * The model bytes must already expose those tensors as graph outputs; tensors that are graph
 * inputs are served from the batch itself. Cancellation is checked before every batch and
 * {@link #cancel()} (any thread) also stops a running batch. Close it to free the session.
 */
public final class ActivationCollector implements AutoCloseable {
    /**
     * One model input for a batch (or a whole data set, first dimension = samples): float32
     * values in {@code floats} or int64 values in {@code longs}, row-major.
     */
    public record Input(long[] shape, float[] floats, long[] longs) {
        public Input {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            long have = floats != null ? floats.length : longs != null ? longs.length : -1;
            if (have != n) {
                throw new BadInputException("calibration input of shape " + Arrays.toString(shape) + " needs " + n
                        + " values, has " + have + ".");
            }
            shape = shape.clone();
        }

        /** A copy of the shape (the value arrays are shared: do not modify them). */
        @Override
        public long[] shape() {
            return shape.clone();
        }

        public static Input floats(long[] shape, float[] v) {
            return new Input(shape, v, null);
        }

        public static Input longs(long[] shape, long[] v) {
            return new Input(shape, null, v);
        }

        /** Rows [from, from + count) of the first dimension. */
        public Input slice(int from, int count) {
            long row = 1;
            for (int i = 1; i < shape.length; i++) {
                row *= shape[i];
            }
            long[] s = shape.clone();
            s[0] = count;
            int a = (int) (from * row);
            int b = (int) ((from + count) * row);
            return floats != null ? floats(s, Arrays.copyOfRange(floats, a, b)) : longs(s, Arrays.copyOfRange(longs, a, b));
        }

        public long rows() {
            return shape.length == 0 ? 1 : shape[0];
        }
    }

    /** Receives one tensor of one batch; the buffer is valid only during the call. */
    @FunctionalInterface
    public interface Sink {
        void accept(String tensor, FloatBuffer values);

        /** The same with the tensor's shape (a convolution's statistics need it); by default the shape is dropped. */
        default void accept(String tensor, FloatBuffer values, long[] shape) {
            accept(tensor, values);
        }
    }

    private final OrtEnvironment env = EvalSession.env();
    private final OrtSession session;
    /**
     * Output tensors over direct buffers that ORT writes into (pinned outputs), made after the
     * first batch shows the shapes and reused for every batch of the same size, so activations
     * never get copied onto the Java heap.
     */
    private final Map<String, OnnxTensor> pinned = new HashMap<>();
    private final Map<String, FloatBuffer> pinnedBuffers = new HashMap<>();
    private long pinnedRows = -1;
    private boolean pinning = true;
    private volatile OrtSession.RunOptions running;
    private volatile boolean cancelled;

    /**
     * @param model            the model bytes, with the tensors to collect as graph outputs
     * @param externalDataDir  folder of the model's external data files, or null if it has none
     */
    public ActivationCollector(byte[] model, Path externalDataDir) {
        this(model, null, externalDataDir);
    }

    /** From a model file (external data, if any, is found next to it). */
    public ActivationCollector(Path modelFile) {
        this(null, modelFile, null);
    }

    private ActivationCollector(byte[] bytes, Path file, Path externalDataDir) {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            if (externalDataDir != null) {
                o.addConfigEntry("session.model_external_initializers_file_folder_path", externalDataDir.toString());
            }
            session = bytes != null ? env.createSession(bytes, o) : env.createSession(file.toString(), o);
        } catch (OrtException e) {
            throw new BadInputException("ONNX Runtime cannot load the model for calibration: " + e.getMessage(), e);
        }
    }

    /** Stops the current and all later batches; {@link #collect} then throws CancellationException. */
    public void cancel() {
        cancelled = true;
        OrtSession.RunOptions r = running;
        if (r != null) {
            try {
                r.setTerminate(true);
            } catch (OrtException ignored) {
                // The run ends by itself; the flag stops the next batch.
            }
        }
    }

    /**
     * Feeds {@code d} to the model as evaluation feeds it ({@link Feeding}: each input sliced
     * along its own sample axis by {@link BatchFeeds}, inputs without one passed whole, a batch
     * size the model fixes honoured, a stream run chunk by chunk with its state carried by
     * {@link Streams#loop}) and calls {@code sink} for each requested tensor of each run: model
     * inputs first (as fed, so a carried state is seen as the model sees it), then the exposed
     * intermediate tensors.
     *
     * @param g         the model's graph (its inputs; a stream's carried outputs)
     * @param batch     samples per run asked for
     * @param progress  receives the fraction of runs done, after each run
     * @param stop      polled before each run; true cancels
     * @throws CancellationException when cancelled
     */
    public void collect(ModelGraph g, List<String> tensors, Dataset d, int batch, Sink sink, DoubleConsumer progress,
                        BooleanSupplier stop) {
        Feeding f = Feeding.of(g, d, batch);
        Dataset data = f.data();
        Set<String> inputs = session.getInputNames();
        List<String> fromInputs = new ArrayList<>();
        Set<String> outputs = new LinkedHashSet<>();
        for (String t : tensors) {
            if (inputs.contains(t)) {
                fromInputs.add(t);
            } else {
                if (!session.getOutputNames().contains(t)) {
                    throw new BadInputException("Tensor '" + t + "' is not an output of the calibration model.");
                }
                outputs.add(t);
            }
        }
        long n = data.samples();
        Runnable check = () -> {
            if (cancelled || (stop != null && stop.getAsBoolean())) {
                throw new CancellationException("calibration cancelled");
            }
        };
        if (data.stream() != null) {
            Set<String> wanted = new LinkedHashSet<>(outputs);
            wanted.addAll(data.stream().carry().values());
            Streams.loop(g, data, check, (i, in, next) -> {
                serveInputs(fromInputs, in, sink);
                try (OrtSession.RunOptions ro = new OrtSession.RunOptions()) {
                    running = ro;
                    try (OrtSession.Result r = session.run(in, wanted, ro)) {
                        for (String name : outputs) {
                            sink.accept(name, floats(r, name), shape(r, name));
                        }
                        for (String c : data.stream().carry().values()) {
                            OnnxTensor t = (OnnxTensor) r.get(c).orElseThrow();
                            next.put(c, EvalSession.hostCopy(t, t.getInfo(), c));
                        }
                    }
                } finally {
                    running = null;
                }
                if (progress != null) {
                    progress.accept((double) (i + 1) / n);
                }
            }, (i, e) -> cancelled ? new CancellationException("calibration cancelled")
                    : new InternalException("ONNX Runtime failed on calibration chunk " + i + ": " + e.getMessage(), e));
            return;
        }
        int b = f.batch();
        try (BatchFeeds feeds = new BatchFeeds(data, b)) {
            long runs = (n + b - 1) / b;
            long done = 0;
            for (long from = 0; from < n; from += b) {
                check.run();
                long to = Math.min(n, from + b);
                try {
                    Map<String, OnnxTensor> in = feeds.tensors(from, to);
                    serveInputs(fromInputs, in, sink);
                    runBatch(in, outputs, to - from, sink);
                } catch (OrtException e) {
                    throw new InternalException("ONNX Runtime cannot take calibration samples " + from + ".." + (to - 1)
                            + ": " + e.getMessage(), e);
                } finally {
                    feeds.release();
                }
                done++;
                if (progress != null) {
                    progress.accept(Math.min(1.0, (double) done / runs));
                }
            }
        }
    }

    private static void serveInputs(List<String> names, Map<String, OnnxTensor> in, Sink sink) throws OrtException {
        for (String name : names) {
            OnnxTensor t = in.get(name);
            if (t == null) {
                throw new BadInputException("Tensor '" + name + "' is a model input that the calibration data does not feed.");
            }
            OnnxJavaType type = t.getInfo().type;
            if (type == OnnxJavaType.FLOAT) {
                sink.accept(name, t.getFloatBuffer(), t.getInfo().getShape());
            } else if (type == OnnxJavaType.INT64) {
                java.nio.LongBuffer l = t.getLongBuffer();
                float[] v = new float[l.remaining()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = l.get(i);
                }
                sink.accept(name, FloatBuffer.wrap(v), t.getInfo().getShape());
            } else {
                throw new BadInputException("Input '" + name + "' is " + type + "; calibration observes float32 and int64"
                        + " inputs only.");
            }
        }
    }

    private static long[] shape(OrtSession.Result r, String name) {
        return ((OnnxTensor) r.get(name).orElseThrow()).getInfo().getShape();
    }

    private static FloatBuffer floats(OrtSession.Result r, String name) {
        OnnxValue v = r.get(name).orElseThrow();
        if (!(v instanceof OnnxTensor t) || t.getInfo().type != OnnxJavaType.FLOAT) {
            throw new BadInputException("Activation '" + name + "' is not a float tensor, so it cannot be calibrated.");
        }
        return t.getFloatBuffer();
    }

    private void runBatch(Map<String, OnnxTensor> feeds, Set<String> outputs, long rows, Sink sink) throws OrtException {
        if (outputs.isEmpty()) {
            return;
        }
        try (OrtSession.RunOptions ro = new OrtSession.RunOptions()) {
            running = ro;
            if (cancelled) {
                throw new CancellationException("calibration cancelled");
            }
            if (rows == pinnedRows && runPinned(feeds, outputs, ro, sink)) {
                return; // done without copies
            }
            try (OrtSession.Result r = session.run(feeds, outputs, ro)) {
                Map<String, long[]> shapes = new HashMap<>();
                for (String name : outputs) {
                    FloatBuffer values = floats(r, name);
                    shapes.put(name, shape(r, name));
                    sink.accept(name, values, shapes.get(name));
                }
                // a body tensor's shape follows the branch taken: never pinned
                if (pinning && outputs.stream().anyMatch(dev.whittle.core.onnx.ExposedOutputs::fromBody)) {
                    pinning = false;
                }
                if (pinning && pinnedRows < 0) {
                    pin(shapes, rows);
                }
            }
        } catch (OrtException e) {
            if (cancelled) {
                throw new CancellationException("calibration cancelled");
            }
            throw e;
        } finally {
            running = null;
        }
    }

    private void pin(Map<String, long[]> shapes, long rows) throws OrtException {
        for (var e : shapes.entrySet()) {
            long n = 1;
            for (long d : e.getValue()) {
                n *= d;
            }
            FloatBuffer b = java.nio.ByteBuffer.allocateDirect((int) (n * 4)).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
            pinned.put(e.getKey(), OnnxTensor.createTensor(env, b, e.getValue()));
            pinnedBuffers.put(e.getKey(), b);
        }
        pinnedRows = rows;
    }

    /** Runs into the pinned outputs; false (and pinning off) if ORT refuses them. */
    private boolean runPinned(Map<String, OnnxTensor> feeds, Set<String> outputs, OrtSession.RunOptions ro, Sink sink)
            throws OrtException {
        try {
            session.run(feeds, Set.of(), pinned, ro).close();
        } catch (OrtException e) {
            if (cancelled) {
                throw e;
            }
            // A shape that changes between batches of one size: fall back to copies.
            pinning = false;
            pinnedRows = -2;
            closePinned();
            return false;
        }
        for (String name : outputs) {
            sink.accept(name, pinnedBuffers.get(name).duplicate().rewind(), pinned.get(name).getInfo().getShape());
        }
        return true;
    }

    private void closePinned() {
        pinned.values().forEach(OnnxTensor::close);
        pinned.clear();
        pinnedBuffers.clear();
    }

    @Override
    public void close() {
        closePinned();
        try {
            session.close();
        } catch (OrtException e) {
            throw new InternalException("cannot close the calibration session: " + e.getMessage(), e);
        }
    }
}
