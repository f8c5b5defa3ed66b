package dev.whittle.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.whittle.core.model.DataType;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.recipe.Recipe;
import dev.whittle.core.recipe.RecipeRunner;
import dev.whittle.testing.MethodMatrix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every method of {@link MethodMatrix} on every graph shape in float32, float16 and bfloat16:
 * the written model must differ from the source and load in ONNX Runtime wherever its source
 * loads. ORT's CPU build has no bfloat16 kernels for MatMul/Conv/Add, so a bfloat16 source
 * cannot get a session; there the output must still pass ORT's graph resolution (type and
 * shape inference over ONNX's schemas), which runs before kernels are looked up: the only
 * failure accepted is a missing kernel.
 */
class LoadsInOrtMatrixTest {
    enum Load { SESSION, TYPES_OK, REFUSED }

    @Test
    void everyWrittenModelLoadsInOrt() {
        List<String> failures = new ArrayList<>();
        StringBuilder table = new StringBuilder();
        int cells = 0;
        for (MethodMatrix.Shape shape : MethodMatrix.SHAPES) {
            for (DataType t : MethodMatrix.DTYPES) {
                OnnxModel source = shape.build().apply(t);
                Load base = load(source.proto().toByteArray()).load();
                if (t != DataType.BFLOAT16 && base != Load.SESSION) {
                    failures.add(shape.name() + " " + t + ": the source itself does not load: " + load(source.proto().toByteArray()).why());
                    continue;
                }
                for (MethodMatrix.Method m : MethodMatrix.METHODS) {
                    if (!m.appliesTo(shape.name())) {
                        continue;
                    }
                    cells++;
                    String cell = m.name() + " / " + shape.name() + " / " + t;
                    OnnxModel out;
                    try {
                        out = RecipeRunner.run(Recipe.parse("matrix.yaml", m.recipe()), source).model();
                    } catch (RuntimeException e) {
                        failures.add(cell + ": " + e.getMessage());
                        continue;
                    }
                    byte[] bytes = out.proto().toByteArray();
                    if (Arrays.equals(bytes, source.proto().toByteArray())) {
                        failures.add(cell + ": nothing changed");
                        continue;
                    }
                    Result r = load(bytes);
                    table.append(String.format("%-32s %-10s %-9s %s%n", m.name(), shape.name(), t, r.load()));
                    if (r.load() == Load.REFUSED || (base == Load.SESSION && r.load() != Load.SESSION)) {
                        failures.add(cell + ": " + r.why());
                    }
                }
            }
        }
        System.out.print(table);
        assertTrue(cells > 150, "the matrix has " + cells + " cells");
        assertTrue(failures.isEmpty(), failures.size() + " of " + cells + " cells failed:\n" + String.join("\n", failures));
    }

    record Result(Load load, String why) {
    }

    static Result load(byte[] model) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions(); OrtSession s = env.createSession(model, o)) {
            return new Result(Load.SESSION, "");
        } catch (OrtException e) {
            String msg = e.getMessage();
            boolean kernel = msg.contains("Could not find an implementation for");
            return new Result(kernel ? Load.TYPES_OK : Load.REFUSED, msg);
        }
    }
}
