package dev.whittle.cli;

import dev.whittle.core.model.DataType;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.GraphBuilder;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.prune.Pruner;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.QuantFormat;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.QuantizeStep;
import dev.whittle.core.quant.Quantizer;
import dev.whittle.core.quant.WeightSpec;
import dev.whittle.core.select.LayerSelector;
import dev.whittle.core.tensor.WeightStatistics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code whittle bench-scale}: how Whittle copes with a model of LLM size. Generates a stack of
 * MatMul layers (random weights, one external data file written in chunks, so generating it
 * needs no heap) in a temporary folder, or takes a model, and times in one run, each with its
 * peak heap: open, statistics of every layer, int4 MatMulNBits (block 32) written out, and 50 %
 * unstructured pruning written out. A stage that runs out of memory says so, and the next
 * stages still run. Everything it wrote is removed at the end.
 */
@Command(name = "bench-scale", description = "Time open, stats, int4 and 50%% pruning on a large model, with peak heap.")
final class BenchScaleCommand implements Callable<Integer> {
    @Option(names = "--layers", defaultValue = "40", description = "MatMul layers in the generated stack (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--dim", defaultValue = "4096", description = "Each layer's weight is dim x dim (default: ${DEFAULT-VALUE}).")
    int dim;

    @Option(names = "--dtype", defaultValue = "float32", description = "float32 or float16 weights (default: ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--model", description = "Measure this model instead of generating one.")
    Path model;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        var cl = spec.commandLine();
        if (layers < 1 || dim < 16) {
            throw new picocli.CommandLine.ParameterException(cl, "--layers must be at least 1 and --dim at least 16.");
        }
        DataType type = switch (dtype) {
            case "float32" -> DataType.FLOAT;
            case "float16" -> DataType.FLOAT16;
            default -> throw new picocli.CommandLine.ParameterException(cl, "--dtype must be float32 or float16, not '" + dtype + "'.");
        };
        PrintWriter out = cl.getOut();
        Path dir = Files.createTempDirectory("whittle-bench-scale");
        try {
            Path file = model;
            if (file == null) {
                long t = System.nanoTime();
                file = generate(dir, layers, dim, type);
                out.printf(Locale.ROOT, "generated %d MatMul layers of %d x %d %s (%s on disk) in %.1f s%n", layers, dim, dim,
                        dtype, Units.bytes(Files.size(file) + Files.size(dir.resolve("stack.onnx.data"))),
                        (System.nanoTime() - t) / 1e9);
            }
            out.printf(Locale.ROOT, "heap max %s, %d cores%n", Units.bytes(Runtime.getRuntime().maxMemory()),
                    Runtime.getRuntime().availableProcessors());
            out.printf("%-8s %10s %12s  %s%n", "stage", "time", "peak heap", "result");
            Path source = file;
            OnnxModel[] opened = new OnnxModel[1];
            stage(out, "open", () -> {
                opened[0] = OnnxReader.read(source);
                return Units.count(opened[0].graph().params()) + " parameters in " + opened[0].graph().weightLayers().size()
                        + " weight layers, " + Units.bytes(opened[0].graph().fileBytes());
            });
            if (opened[0] == null) {
                return 1;
            }
            OnnxModel m = opened[0];
            stage(out, "stats", () -> {
                double s = 0;
                for (WeightLayer l : m.graph().weightLayers()) {
                    s += WeightStatistics.compute(l.tensor(), 128).std();
                }
                return "every layer (mean std " + String.format(Locale.ROOT, "%.4f", s / m.graph().weightLayers().size()) + ")";
            });
            stage(out, "int4", () -> {
                QuantizeSpec q = new QuantizeSpec(WeightSpec.blocks(4, 32), null, QuantFormat.MATMULNBITS);
                OnnxModel r = Quantizer.apply(m, List.of(new QuantizeStep(LayerSelector.all(), q))).model();
                return written(r, dir.resolve("int4.onnx"), source);
            });
            stage(out, "prune", () -> {
                OnnxModel r = Pruner.apply(m, LayerSelector.all(), PruneSpec.sparsity(0.5)).model();
                return written(r, dir.resolve("pruned.onnx"), source);
            });
            out.flush();
            return 0;
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String written(OnnxModel r, Path target, Path source) {
        r.save(target, false);
        try {
            Path data = target.resolveSibling(target.getFileName() + ".data");
            long size = Files.size(target) + (Files.exists(data) ? Files.size(data) : 0);
            return "written, " + Units.bytes(size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs one stage, printing its time and peak heap, or that it ran out of memory. */
    private static void stage(PrintWriter out, String name, Supplier<String> work) {
        HeapWatch w = HeapWatch.start();
        long t = System.nanoTime();
        String result;
        try {
            result = work.get();
        } catch (OutOfMemoryError e) {
            result = "OUT OF MEMORY with a heap of at most " + Units.bytes(Runtime.getRuntime().maxMemory());
        }
        double s = (System.nanoTime() - t) / 1e9;
        HeapWatch.Result h = w.stop();
        out.printf(Locale.ROOT, "%-8s %9.1fs %12s  %s%n", name, s, Units.bytes(h.sampledPeak()), result);
        out.flush();
    }

    /** The stack X -> MatMul W0 -> ... -> MatMul W(n-1), weights in one external file. */
    static Path generate(Path dir, int layers, int dim, DataType type) throws IOException {
        GraphBuilder b = new GraphBuilder("stack").opset(17).input("x", type, "N", (long) dim);
        String x = "x";
        for (int i = 0; i < layers; i++) {
            b.node("MatMul", x, "w" + i).name("layer" + i).outputs("h" + i);
            x = "h" + i;
        }
        b.output(x, type, "N", (long) dim);
        int elementBytes = type == DataType.FLOAT16 ? 2 : 4;
        long bytes = (long) dim * dim * elementBytes;
        Path data = dir.resolve("stack.onnx.data");
        SplittableRandom r = new SplittableRandom(7);
        ByteBuffer row = ByteBuffer.allocate(dim * elementBytes).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(data, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long offset = 0;
            for (int i = 0; i < layers; i++) {
                float scale = (float) (1 / Math.sqrt(dim));
                for (int rIdx = 0; rIdx < dim; rIdx++) {
                    row.clear();
                    for (int c = 0; c < dim; c++) {
                        float v = (float) (r.nextGaussian() * scale);
                        if (elementBytes == 2) {
                            row.putShort((short) dev.whittle.core.tensor.Numerics.floatToHalf(v));
                        } else {
                            row.putFloat(v);
                        }
                    }
                    row.flip();
                    while (row.hasRemaining()) {
                        ch.write(row);
                    }
                }
                b.externalInitializer("w" + i, type, "stack.onnx.data", offset, bytes, dim, dim);
                offset += bytes;
            }
        }
        Path file = dir.resolve("stack.onnx");
        b.writeTo(file);
        return file;
    }
}
