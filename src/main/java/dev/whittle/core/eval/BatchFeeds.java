package dev.whittle.core.eval;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The input tensors of one batch at a time, made over a dataset's host bytes without copying.
 * Everything that does not change between batches is worked out once per loop: each input's
 * native-order view of its bytes, its bytes per sample, its element type, and the shapes of a
 * full batch and of the last, short one. A batch then costs one buffer view and one tensor per
 * input, with no maps, {@link HostTensor} slices or shape arrays made per batch (the evaluation
 * loop used to spend a few microseconds per batch on those, measurable on small models).
 *
 * <p>This is the one place that decides how data is fed. An input sampled along axis 0 is a
 * view of its bytes; one sampled along another axis (a state [layers, batch, hidden]) is copied
 * into a buffer made once per loop; one without a sample axis ({@link SampleAxes#CONSTANT}) is
 * one tensor made once and fed to every run; a carried input of a stream ({@link #carry}) holds
 * the tensor the previous run's output was copied into.
 *
 * <p>Tensors of a batch stay open until {@link #release()} (after the run) or {@link #close()};
 * making the next batch's tensors releases the previous ones first, so none leak. Shape arrays
 * are shared by the tensors built on them and never modified.
 */
final class BatchFeeds implements AutoCloseable {
    private final String[] names;
    private final ByteBuffer[] bytes;
    private final long[] bytesPerSample;
    private final OnnxJavaType[] types;
    private final int batch;
    private final long[][] fullShapes;
    private long[][] shortShapes;
    private final OnnxTensor[] open;
    private final Map<String, OnnxTensor> feeds;
    private boolean holding;
    // Per input: its sample axis; for axis > 0 the array's sizes around it and a copy buffer.
    private final int[] axes;
    private final long[][] around;
    private final ByteBuffer[] copies;
    private final OnnxTensor[] constants;
    private final Map<String, OnnxTensor> carried = new LinkedHashMap<>();

    /** @param batch samples per full batch, &gt;= 1 */
    BatchFeeds(Dataset d, int batch) {
        int k = d.inputs().size();
        this.batch = batch;
        names = new String[k];
        bytes = new ByteBuffer[k];
        bytesPerSample = new long[k];
        types = new OnnxJavaType[k];
        fullShapes = new long[k][];
        open = new OnnxTensor[k];
        feeds = new LinkedHashMap<>(k * 2);
        axes = new int[k];
        around = new long[k][];
        copies = new ByteBuffer[k];
        constants = new OnnxTensor[k];
        int i = 0;
        for (var e : d.inputs().entrySet()) {
            HostTensor t = e.getValue();
            names[i] = e.getKey();
            bytes[i] = t.nativeBytes();
            axes[i] = d.axis(e.getKey());
            types[i] = EvalSession.javaType(t.type());
            if (axes[i] != SampleAxes.CONSTANT) {
                long samples = t.size(axes[i]);
                bytesPerSample[i] = samples == 0 ? 0 : bytes[i].remaining() / samples;
                fullShapes[i] = withRows(t.shape(), axes[i], batch);
            } else {
                fullShapes[i] = t.shape();
            }
            if (axes[i] > 0) {
                long[] sh = t.shape();
                long outer = 1;
                for (int j = 0; j < axes[i]; j++) {
                    outer *= sh[j];
                }
                around[i] = new long[] {outer, sh[axes[i]], bytesPerSample[i] / Math.max(1, outer)};
                copies[i] = ByteBuffer.allocateDirect(Math.toIntExact(bytesPerSample[i] * batch)).order(ByteOrder.nativeOrder());
            }
            i++;
        }
    }

    /**
     * Sets the tensor fed to input {@code name} from the next run on (a stream's carried state),
     * closing the one it replaces. The feeds own it until the next call for that input or
     * {@link #close()}.
     */
    void carry(String name, HostTensor value) throws OrtException {
        OnnxTensor old = carried.remove(name);
        if (old != null) {
            old.close();
        }
        OnnxTensor t = OnnxTensor.createTensor(EvalSession.env(), value.nativeBytes(), value.shape(),
                EvalSession.javaType(value.type()));
        carried.put(name, t);
        feeds.put(name, t);
    }

    /**
     * Tensors over samples [from, to) of every input, by input name, in the data's order. The
     * map is reused: it is valid until the next call, {@link #release()} or {@link #close()}.
     */
    Map<String, OnnxTensor> tensors(long from, long to) throws OrtException {
        release();
        int rows = Math.toIntExact(to - from);
        long[][] shapes = rows == batch ? fullShapes : shortShapes(rows);
        holding = true;
        for (int i = 0; i < names.length; i++) {
            if (axes[i] == SampleAxes.CONSTANT) {
                if (constants[i] == null) {
                    constants[i] = OnnxTensor.createTensor(EvalSession.env(), bytes[i].duplicate().order(ByteOrder.nativeOrder()),
                            fullShapes[i], types[i]);
                }
                feeds.put(names[i], constants[i]);
                continue;
            }
            ByteBuffer view;
            if (axes[i] == 0) {
                view = bytes[i].duplicate().order(ByteOrder.nativeOrder());
                view.position(Math.toIntExact(from * bytesPerSample[i])).limit(Math.toIntExact(to * bytesPerSample[i]));
            } else {
                view = copies[i].clear();
                HostTensor.copyAxis(bytes[i], around[i][1], around[i][0], around[i][2], from, to, view);
                view.flip();
            }
            open[i] = OnnxTensor.createTensor(EvalSession.env(), view, shapes[i], types[i]);
            feeds.put(names[i], open[i]);
        }
        return feeds;
    }

    /** Closes the current batch's tensors; harmless when there are none. */
    void release() {
        if (!holding) {
            return;
        }
        holding = false;
        for (int i = 0; i < open.length; i++) {
            if (open[i] != null) {
                open[i].close();
                open[i] = null;
            }
        }
    }

    @Override
    public void close() {
        release();
        for (int i = 0; i < constants.length; i++) {
            if (constants[i] != null) {
                constants[i].close();
                constants[i] = null;
            }
        }
        carried.values().forEach(OnnxTensor::close);
        carried.clear();
        feeds.clear();
    }

    private long[][] shortShapes(int rows) {
        if (shortShapes == null || shortRows != rows) {
            long[][] s = new long[names.length][];
            for (int i = 0; i < names.length; i++) {
                s[i] = axes[i] == SampleAxes.CONSTANT ? fullShapes[i] : withRows(fullShapes[i], axes[i], rows);
            }
            shortShapes = s;
            shortRows = rows;
        }
        return shortShapes;
    }

    private int shortRows = -1;

    private static long[] withRows(long[] shape, int axis, long rows) {
        long[] s = shape.clone();
        s[axis] = rows;
        return s;
    }
}
