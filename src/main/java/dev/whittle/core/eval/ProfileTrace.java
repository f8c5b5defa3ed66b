package dev.whittle.core.eval;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.whittle.core.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * ONNX Runtime's profiler output (a Chrome trace: a JSON array of events), reduced to what
 * per-layer timing needs: the {@code model_run} spans and the kernel spans ("Node" events named
 * {@code <node>_kernel_time}, with the op in {@code args.op_name}). Times are microseconds from
 * the session's start. Other events (session set-up, fences) are dropped. The file is read as a
 * stream, one event at a time: a trace of many runs of a big model is tens of megabytes.
 *
 * @param runs    every run, in trace order (warm-up runs included)
 * @param kernels every kernel execution, in trace order
 */
public record ProfileTrace(List<Run> runs, List<Kernel> kernels) {
    private static final String KERNEL = "_kernel_time";
    private static final ObjectMapper JSON = new ObjectMapper();

    public ProfileTrace {
        runs = List.copyOf(runs);
        kernels = List.copyOf(kernels);
    }

    /** One call of the session: starts at {@code start} (µs), lasts {@code dur} (µs). */
    public record Run(long start, long dur) {
        public boolean contains(Kernel k) {
            return k.start() >= start && k.start() + k.dur() <= start + dur;
        }
    }

    /**
     * One kernel execution.
     *
     * @param node     the node's name in ONNX Runtime's optimized graph (fused nodes have new names)
     * @param op       the op ONNX Runtime ran ("Conv", "FusedMatMul", "BiasGelu"...)
     * @param provider the execution provider ("CPUExecutionProvider"), or "" when not given
     */
    public record Kernel(String node, String op, String provider, long start, long dur) {
    }

    /** Reads a trace file. */
    public static ProfileTrace read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, String.valueOf(file.getFileName()));
        } catch (IOException e) {
            throw new BadInputException("Cannot read the profile " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses a trace; {@code name} names it in errors. */
    public static ProfileTrace parse(InputStream in, String name) {
        List<Run> runs = new ArrayList<>();
        List<Kernel> kernels = new ArrayList<>();
        try (JsonParser p = new JsonFactory(JSON).createParser(in)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new BadInputException("Profile " + name + " is not an ONNX Runtime trace (a JSON array of events).");
            }
            while (p.nextToken() == JsonToken.START_OBJECT) {
                JsonNode e = p.readValueAsTree();
                String cat = e.path("cat").asText("");
                String ev = e.path("name").asText("");
                long ts = e.path("ts").asLong(-1);
                long dur = e.path("dur").asLong(-1);
                if (ts < 0 || dur < 0) {
                    continue;
                }
                if (cat.equals("Session") && ev.equals("model_run")) {
                    runs.add(new Run(ts, dur));
                } else if (cat.equals("Node") && ev.endsWith(KERNEL)) {
                    JsonNode args = e.path("args");
                    kernels.add(new Kernel(ev.substring(0, ev.length() - KERNEL.length()), args.path("op_name").asText(""),
                            args.path("provider").asText(""), ts, dur));
                }
            }
            if (p.currentToken() != JsonToken.END_ARRAY) {
                throw new BadInputException("Profile " + name + " has something other than an event object in its array"
                        + " (at line " + p.currentLocation().getLineNr() + ").");
            }
        } catch (IOException e) {
            throw new BadInputException("Profile " + name + " is not valid JSON: " + EvalSession.firstLine(e.getMessage()), e);
        }
        return new ProfileTrace(runs, kernels);
    }
}
