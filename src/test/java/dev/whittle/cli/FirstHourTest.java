package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 17: the rough edges a newcomer meets in the first hour, from the help to deliberate mistakes. */
class FirstHourTest {
    static final String CNN = "sample-models/fashion-cnn.onnx";
    static final String MLP = "sample-models/fashion-mlp.onnx";
    static final String TEST_SPEC = "docs/examples/fashion-test.yaml";

    @TempDir
    Path tmp;

    Path write(String name, String text) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void everySubcommandPrintsItsUsageForHelpAndExitsZero() {
        List<String> commands = List.of("inspect", "stats", "apply", "validate", "quantize", "eval", "bench", "sensitivity",
                "bench-stats", "bench-open", "bench-svd", "bench-quant", "bench-overhead");
        for (String c : commands) {
            for (String flag : List.of("--help", "-h")) {
                var r = CliTestSupport.run(c, flag);
                assertEquals(0, r.code(), c + " " + flag + ": " + r.err());
                assertTrue(r.out().contains("Usage: whittle " + c), c + " " + flag + ": " + r.out());
            }
        }
        var top = CliTestSupport.run("--help");
        for (String c : commands) {
            assertTrue(top.out().contains("  " + c + " "), "whittle --help lists " + c + ": " + top.out());
        }
    }

    @Test
    void statsShowsTheLogMagnitudeHistogramToo() {
        var r = CliTestSupport.run("stats", CNN, "--layer", "fc1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("log10|w|"), r.out());
        assertTrue(r.out().contains("exact zeros"), r.out());
    }

    @Test
    void aModelGivenWhereTheRecipeGoesIsNamedAsAModel() {
        var v = CliTestSupport.run("validate", CNN, "recipe.yaml");
        assertEquals(2, v.code());
        assertTrue(v.err().contains("fashion-cnn.onnx is an ONNX model, not a recipe"), v.err());
        var a = CliTestSupport.run("apply", "--recipe", CNN, CNN, "-o", tmp.resolve("x.onnx").toString());
        assertEquals(2, a.code());
        assertTrue(a.err().contains("fashion-cnn.onnx is an ONNX model, not a recipe"), a.err());
    }

    @Test
    void anArrayGivenAsDataSaysWhereArraysGo() {
        var r = CliTestSupport.run("eval", CNN, "--data", "sample-models/fashion-test-x.npy");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--data takes a dataset spec"), r.err());
        assertTrue(r.err().contains("--inputs"), r.err());
        assertFalse(r.err().contains("CharConversionException"), r.err());
    }

    @Test
    void aSingleNameIsAcceptedWhereAListIsExpected() throws Exception {
        Path r = write("r.yaml", "whittle: 1\nsteps:\n  - select: {names: fc1}\n    prune: {sparsity: 0.5}\n");
        var res = CliTestSupport.run("validate", r.toString(), CNN);
        assertEquals(0, res.code(), res.err());
        assertTrue(res.out().contains("selects 1 layer: fc1"), res.out());
    }

    @Test
    void aNameThatMatchesNothingSuggestsTheNearestLayerAndOpType() throws Exception {
        Path r = write("r.yaml", "whittle: 1\nsteps:\n  - select: {names: [fc4]}\n    prune: {sparsity: 0.5}\n");
        var v = CliTestSupport.run("validate", r.toString(), CNN);
        assertEquals(2, v.code());
        assertTrue(v.err().contains("did you mean 'fc1'"), v.err());
        var a = CliTestSupport.run("apply", "--recipe", r.toString(), CNN, "-o", tmp.resolve("x.onnx").toString());
        assertEquals(2, a.code());
        assertTrue(a.err().contains("r.yaml:3:5"), "apply keeps validate's file:line: " + a.err());
        assertTrue(a.err().contains("did you mean 'fc1'"), a.err());
        Path ops = write("ops.yaml", "whittle: 1\nsteps:\n  - select: {ops: [Matmul]}\n    prune: {sparsity: 0.5}\n");
        var o = CliTestSupport.run("validate", ops.toString(), MLP);
        assertTrue(o.err().contains("did you mean 'MatMul'"), o.err());
    }

    @Test
    void aPercentageSparsityIsExplained() throws Exception {
        Path r = write("r.yaml", "whittle: 1\nsteps:\n  - select: {}\n    prune: {sparsity: 50%}\n");
        var res = CliTestSupport.run("validate", r.toString());
        assertEquals(2, res.code());
        assertTrue(res.err().contains("a fraction between 0 and 1, e.g. 0.5"), res.err());
    }

    @Test
    void everyMisspeltKeyIsReportedAtOnce() throws Exception {
        Path r = write("r.yaml", "whittle: 1\nsteps:\n  - selct: {names: [fc1]}\n    prune: {sparsty: 0.5}\n");
        var res = CliTestSupport.run("validate", r.toString());
        assertEquals(2, res.code());
        assertTrue(res.err().contains("'selct' at 3:5, did you mean 'select'"), res.err());
        assertTrue(res.err().contains("'sparsty' at 4:13, did you mean 'sparsity'"), res.err());
    }

    @Test
    void aReportPathEqualToTheOutputIsCalledTheOutput() throws Exception {
        Path r = write("r.yaml", "whittle: 1\nsteps:\n  - select: {names: [fc1]}\n    prune: {sparsity: 0.5}\n");
        Path out = tmp.resolve("x.onnx");
        var res = CliTestSupport.run("apply", "--recipe", r.toString(), CNN, "-o", out.toString(), "--report", out.toString());
        assertEquals(2, res.code());
        assertTrue(res.err().contains("is also the output (-o)"), res.err());
        assertFalse(res.err().contains("is an input"), res.err());
    }

    @Test
    void aLimitOfZeroIsRefused() {
        var r = CliTestSupport.run("eval", CNN, "--data", TEST_SPEC, "--limit", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--limit must be at least 1"), r.err());
    }

    @Test
    void impossibleSensitivityLevelsAreAnErrorBeforeAnyWork() {
        var r = CliTestSupport.run("sensitivity", CNN, "--data", TEST_SPEC, "--method", "prune", "--levels", "50,70",
                "--limit", "10");
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains("between 0 and 1"), r.err());
        assertFalse(r.err().contains("note:"), "no work was done: " + r.err());
        assertEquals("", r.out());
    }

    @Test
    void lowRankNotesInSensitivityDoNotTalkOfWriting() {
        var r = CliTestSupport.run("sensitivity", CNN, "--data", TEST_SPEC, "--method", "lowrank", "--levels", "100",
                "--layers", "fc2", "--limit", "10");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("above min(m, n)"), r.err());
        assertFalse(r.err().contains("nothing was written"), r.err());
    }

    @Test
    void quantizeSharesApplysOutputRules() throws Exception {
        Path out = tmp.resolve("q.onnx");
        Files.writeString(out, "keep me");
        var refused = CliTestSupport.run("quantize", CNN, "-o", out.toString());
        assertEquals(2, refused.code());
        assertTrue(refused.err().contains("exists; use --force"), refused.err());
        assertEquals("keep me", Files.readString(out));
        var over = CliTestSupport.run("quantize", CNN, "-o", CNN);
        assertEquals(2, over.code());
        assertTrue(over.err().contains("is an input"), over.err());
        var forced = CliTestSupport.run("quantize", CNN, "-o", out.toString(), "--force", "--eval-data", TEST_SPEC,
                "--eval-limit", "200");
        assertEquals(0, forced.code(), forced.err());
        assertTrue(forced.out().contains("evaluation on fashion-test.yaml (200 samples): accuracy"), forced.out());
    }

    @Test
    void agreementIsShownForClassifiersOrWhenAsked() throws Exception {
        String x = "sample-models/fashion-test-x.npy";
        // Without labels the output may be an embedding, whose argmax means nothing: no agreement unless asked.
        var plain = CliTestSupport.run("eval", CNN, "--baseline", CNN, "--inputs", x, "--limit", "64", "--json");
        assertEquals(0, plain.code(), plain.err());
        var j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(plain.out());
        assertTrue(j.get("agreement").isNull(), plain.out());
        assertTrue(j.get("notes").toString().contains("--agreement"), j.get("notes").toString());
        var asked = CliTestSupport.run("eval", CNN, "--baseline", CNN, "--inputs", x, "--limit", "64", "--agreement");
        assertTrue(asked.out().contains("top-1 agreement 100.00 %"), asked.out());
        var labelled = CliTestSupport.run("eval", CNN, "--baseline", CNN, "--data", TEST_SPEC, "--limit", "64");
        assertTrue(labelled.out().contains("top-1 agreement 100.00 %"), "a labelled set is a classifier's: " + labelled.out());
    }

    @Test
    void latencyFromTooFewRunsOrNoneIsExplained() throws Exception {
        var few = CliTestSupport.run("eval", CNN, "--data", TEST_SPEC, "--limit", "64", "--batch", "16");
        assertEquals(0, few.code(), few.err());
        assertTrue(few.out().contains("(3 runs: too few for p90 and p99)"), few.out());
        var none = CliTestSupport.run("eval", CNN, "--data", TEST_SPEC, "--limit", "64", "--batch", "100", "--json");
        assertEquals(0, none.code(), none.err());
        var j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(none.out());
        assertTrue(j.get("latencyMs").isNull());
        assertTrue(j.get("notes").toString().contains("no latency: only full batches of 100 are timed"), j.get("notes").toString());
    }

    @Test
    void sensitivityCanChooseTheStructureAndPrintsItsSettings() {
        var nm = CliTestSupport.run("sensitivity", CNN, "--data", TEST_SPEC, "--method", "prune", "--structure", "2:4",
                "--layers", "fc3", "--limit", "50");
        assertEquals(0, nm.code(), nm.err());
        assertTrue(nm.out().contains("prune sensitivity (2:4"), nm.out());
        assertTrue(nm.out().contains("0.5"), "the level 2:4 fixes: " + nm.out());
        var ch = CliTestSupport.run("sensitivity", CNN, "--data", TEST_SPEC, "--method", "prune", "--structure", "channel",
                "--levels", "0.3", "--layers", "fc2", "--limit", "50");
        assertEquals(0, ch.code(), ch.err());
        assertTrue(ch.out().contains("prune sensitivity (channel"), ch.out());
        var q = CliTestSupport.run("sensitivity", CNN, "--data", TEST_SPEC, "--method", "quantize", "--levels", "4",
                "--granularity", "block", "--layers", "fc1", "--limit", "50");
        assertEquals(0, q.code(), q.err());
        assertTrue(q.out().contains("blocks of 32, format qdq"), q.out());
        var d = CliTestSupport.run("sensitivity", CNN, "--data", TEST_SPEC, "--method", "quantize", "--levels", "8",
                "--layers", "fc1", "--limit", "50");
        assertTrue(d.out().contains("(weights only, symmetric, per channel, format qdq, range minmax)"), "defaults printed: " + d.out());
    }
}
