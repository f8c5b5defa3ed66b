package dev.whittle.core.onnx;

import static dev.whittle.core.onnx.Rejections.rejects;
import static dev.whittle.testing.TinyModels.FLOAT;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.whittle.testing.TinyModels;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tensors whose data contradicts their dims are refused without allocating from the declared dims. */
class BadTensorTest {
    @TempDir
    Path dir;

    private Path withWeight(String file, TensorProto w) {
        ModelProto m = TinyModels.matmul(2, 3);
        GraphProto g = m.getGraph().toBuilder().setInitializer(0, w).build();
        return TinyModels.write(m.toBuilder().setGraph(g).build(), dir.resolve(file));
    }

    @Test
    void rawDataShorterThanTheDimsSayIsRejected() {
        TensorProto w = TinyModels.floats("W", new float[5], 2, 3);
        String msg = rejects(withWeight("short-raw.onnx", w), ModelProblem.BAD_TENSOR_DATA).getMessage();
        assertTrue(msg.contains("'W'") && msg.contains("24 bytes") && msg.contains("20"), msg);
    }

    @Test
    void rawDataLongerThanTheDimsSayIsRejected() {
        TensorProto w = TinyModels.floats("W", new float[7], 2, 3);
        rejects(withWeight("long-raw.onnx", w), ModelProblem.BAD_TENSOR_DATA);
    }

    @Test
    void floatDataWithTheWrongCountIsRejected() {
        TensorProto w = TensorProto.newBuilder().setName("W").setDataType(FLOAT).addDims(2).addDims(3)
                .addFloatData(1).addFloatData(2).addFloatData(3).addFloatData(4).build();
        String msg = rejects(withWeight("float-data.onnx", w), ModelProblem.BAD_TENSOR_DATA).getMessage();
        assertTrue(msg.contains("float_data") && msg.contains("4"), msg);
    }

    @Test
    void absurdDimsAreRejectedWithoutAllocating() {
        long d = 1L << 40;
        TensorProto w = TensorProto.newBuilder().setName("W").setDataType(FLOAT).addDims(d).addDims(d)
                .addFloatData(1).build();
        Path f = withWeight("absurd.onnx", w);
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long before = mem.getHeapMemoryUsage().getUsed();
        rejects(f, ModelProblem.BAD_DIMS);
        long grown = mem.getHeapMemoryUsage().getUsed() - before;
        assertTrue(grown < 64L << 20, "heap grew by " + grown + " bytes while rejecting absurd dims");
    }

    @Test
    void hugeButRepresentableDimsWithLittleDataAreRejectedWithoutAllocating() {
        TensorProto w = TensorProto.newBuilder().setName("W").setDataType(FLOAT).addDims(1L << 20).addDims(1L << 20)
                .addFloatData(1).build();
        Path f = withWeight("huge.onnx", w);
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long before = mem.getHeapMemoryUsage().getUsed();
        rejects(f, ModelProblem.BAD_TENSOR_DATA);
        assertTrue(mem.getHeapMemoryUsage().getUsed() - before < 64L << 20, "heap grew");
    }

    @Test
    void negativeDimsAreRejected() {
        TensorProto w = TinyModels.floats("W", new float[6], 2, 3).toBuilder().setDims(1, -3).build();
        String msg = rejects(withWeight("negative.onnx", w), ModelProblem.BAD_DIMS).getMessage();
        assertTrue(msg.contains("-3"), msg);
    }

    @Test
    void anUnknownElementTypeIsRejected() {
        TensorProto w = TinyModels.floats("W", new float[6], 2, 3).toBuilder().setDataType(77).build();
        rejects(withWeight("type77.onnx", w), ModelProblem.BAD_TENSOR_DATA);
    }

    @Test
    void aSparseInitializerWithMoreIndicesThanValuesIsRejected() {
        SparseTensorProto s = SparseTensorProto.newBuilder().addDims(2).addDims(3)
                .setValues(TinyModels.floats("S", new float[] {1, 2}, 2))
                .setIndices(TensorProto.newBuilder().setName("S.idx").setDataType(7).addDims(3)
                        .addInt64Data(0).addInt64Data(1).addInt64Data(2))
                .build();
        ModelProto m = TinyModels.matmul(2, 3);
        m = m.toBuilder().setGraph(m.getGraph().toBuilder().addSparseInitializer(s)).build();
        rejects(TinyModels.write(m, dir.resolve("sparse.onnx")), ModelProblem.BAD_TENSOR_DATA);
    }

    @Test
    void aSparseInitializerWithOverflowingDimsIsRejected() {
        SparseTensorProto s = SparseTensorProto.newBuilder().addDims(1L << 40).addDims(1L << 40)
                .setValues(TinyModels.floats("S", new float[] {1}, 1))
                .setIndices(TensorProto.newBuilder().setName("S.idx").setDataType(7).addDims(1).addInt64Data(5))
                .build();
        ModelProto m = TinyModels.matmul(2, 3);
        m = m.toBuilder().setGraph(m.getGraph().toBuilder().addSparseInitializer(s)).build();
        rejects(TinyModels.write(m, dir.resolve("sparse-huge.onnx")), ModelProblem.BAD_DIMS);
    }
}
