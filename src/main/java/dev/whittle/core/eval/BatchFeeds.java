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
        int i = 0;
        for (var e : d.inputs().entrySet()) {
            HostTensor t = e.getValue();
            names[i] = e.getKey();
            bytes[i] = t.nativeBytes();
            long samples = t.samples();
            bytesPerSample[i] = samples == 0 ? 0 : bytes[i].remaining() / samples;
            types[i] = EvalSession.javaType(t.type());
            fullShapes[i] = withRows(t.shape(), batch);
            i++;
        }
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
            ByteBuffer view = bytes[i].duplicate().order(ByteOrder.nativeOrder());
            view.position(Math.toIntExact(from * bytesPerSample[i])).limit(Math.toIntExact(to * bytesPerSample[i]));
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
        feeds.clear();
    }

    private long[][] shortShapes(int rows) {
        if (shortShapes == null || shortShapes[0][0] != rows) {
            long[][] s = new long[names.length][];
            for (int i = 0; i < names.length; i++) {
                s[i] = withRows(fullShapes[i], rows);
            }
            shortShapes = s;
        }
        return shortShapes;
    }

    private static long[] withRows(long[] shape, long rows) {
        long[] s = shape.clone();
        s[0] = rows;
        return s;
    }
}
