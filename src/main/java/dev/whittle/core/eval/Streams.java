package dev.whittle.core.eval;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import dev.whittle.core.BadInputException;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.CancelledException;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.model.DataType;
import dev.whittle.core.model.Dim;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.ValueInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The loop of a streaming evaluation ({@link StreamSpec}): one chunk per run, in order, each
 * carried output fed back into its input on the next run, the carried inputs set to zeros at
 * the start of every recording. Hands each chunk's output to the same handler as
 * {@link Batches} (a batch of one sample); the inputs themselves go through {@link BatchFeeds}.
 */
final class Streams {
    private Streams() {
    }

    static void run(EvalSession s, ModelGraph g, Dataset d, String output, Terminator t, CancelToken cancel,
                    ProgressSink progress, String stage, Batches.Handler h) {
        StreamSpec spec = d.stream();
        long n = d.samples();
        progress.update(0, n, stage);
        loop(g, d, cancel::throwIfCancelled, (i, in, next) -> {
            long t0 = System.nanoTime();
            EvalSession.Output out = s.runCarrying(in, output, spec.carry().values(), next, t);
            long t1 = System.nanoTime();
            h.accept(i, i + 1, out, t1 - t0);
            progress.update(i + 1, n, stage);
        }, (i, e) -> {
            if (cancel.isCancelled()) {
                return new CancelledException();
            }
            return new BadInputException("ONNX Runtime failed on chunk " + i + " (" + stage + "): "
                    + EvalSession.firstLine(e.getMessage()), e);
        });
        cancel.throwIfCancelled();
    }

    /** One run of a stream's loop. */
    @FunctionalInterface
    interface Chunk {
        /**
         * Runs chunk {@code i} on {@code in} (valid only during the call) and puts the value of
         * every carried output ({@link StreamSpec#carry()}'s values) into {@code next}.
         */
        void run(long i, Map<String, OnnxTensor> in, Map<String, HostTensor> next) throws OrtException;
    }

    /** What an ONNX Runtime failure on chunk {@code i} becomes. */
    @FunctionalInterface
    interface Failure {
        RuntimeException of(long i, OrtException e);
    }

    /**
     * The one stream loop, shared by evaluation and calibration: the chunks of {@code d} in
     * order, one per run, fed by {@link BatchFeeds}; every {@link StreamSpec#recordingLength}
     * chunks the carried inputs go back to zeros, and after each run each carried output is fed
     * into its input for the next. {@code check} runs before every chunk (it throws to stop).
     */
    static void loop(ModelGraph g, Dataset d, Runnable check, Chunk chunk, Failure failure) {
        StreamSpec spec = d.stream();
        long n = d.samples();
        long length = spec.recordingLength(n);
        Map<String, HostTensor> initial = new LinkedHashMap<>();
        spec.carry().keySet().forEach(in -> initial.put(in, zeros(g, in)));
        Map<String, HostTensor> next = new HashMap<>();
        try (BatchFeeds feeds = new BatchFeeds(d, 1)) {
            for (long i = 0; i < n; i++) {
                check.run();
                try {
                    if (i % length == 0) {
                        for (var e : initial.entrySet()) {
                            feeds.carry(e.getKey(), e.getValue());
                        }
                    }
                    var in = feeds.tensors(i, i + 1);
                    next.clear();
                    chunk.run(i, in, next);
                    feeds.release();
                    for (var c : spec.carry().entrySet()) {
                        HostTensor v = next.get(c.getValue());
                        if (v == null) {
                            throw new BadInputException("Chunk " + i + " gave no value for output '" + c.getValue()
                                    + "', which stream.carry feeds into '" + c.getKey() + "'.");
                        }
                        feeds.carry(c.getKey(), v);
                    }
                } catch (OrtException e) {
                    throw failure.of(i, e);
                }
            }
        }
    }

    /** Zeros shaped like input {@code name}, unfixed dims (the batch) set to 1. */
    static HostTensor zeros(ModelGraph g, String name) {
        ValueInfo v = InputCheck.feedInputs(g).stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow(
                () -> new BadInputException("Dataset spec 'stream.carry' names input '" + name + "', which " + g.fileName()
                        + " does not have."));
        if (v.shape() == null || v.type() == null) {
            throw new BadInputException("Input '" + name + "' of " + g.fileName() + " declares no shape or type, so its"
                    + " initial zeros cannot be made.");
        }
        long[] shape = new long[v.shape().size()];
        for (int i = 0; i < shape.length; i++) {
            Dim dim = v.shape().get(i);
            shape[i] = dim.isFixed() ? dim.value() : 1;
        }
        DataType type = v.type();
        if (type.bits() % 8 != 0 || type.bits() == 0) {
            throw new BadInputException("Input '" + name + "' has type " + type + ", which cannot be zero-filled.");
        }
        ByteBuffer b = ByteBuffer.allocateDirect(Math.toIntExact(type.storageBytes(HostTensor.count(shape))))
                .order(ByteOrder.LITTLE_ENDIAN);
        return new HostTensor(type, shape, b);
    }
}
