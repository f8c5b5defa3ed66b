package dev.whittle.core.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SafeYamlTest {
    record Prune(double sparsity, String structure) {
        Prune {
            if (!(sparsity >= 0 && sparsity < 1)) {
                throw new IllegalArgumentException("prune.sparsity must be in [0, 1), got " + sparsity);
            }
        }
    }

    record Step(Prune prune) {
    }

    record Doc(int whittle, List<Step> steps) {
    }

    final SafeYaml yaml = new SafeYaml();

    private String error(String text) {
        return assertThrows(BadInputException.class, () -> yaml.read("r.yaml", text, Doc.class)).getMessage();
    }

    @Test
    void readsAValidDocumentIntoRecords() {
        Doc d = yaml.read("r.yaml", "whittle: 1\nsteps:\n  - prune: {sparsity: 0.5, structure: unstructured}\n", Doc.class);
        assertEquals(0.5, d.steps().get(0).prune().sparsity());
    }

    @Test
    void jsonIsAcceptedToo() {
        Doc d = yaml.read("r.json", "{\"whittle\": 1, \"steps\": [{\"prune\": {\"sparsity\": 0.25}}]}", Doc.class);
        assertEquals(0.25, d.steps().get(0).prune().sparsity());
    }

    @Test
    void unknownKeyNamesLineColumnAndTheNearestKnownKey() {
        String m = error("whittle: 1\nsteps:\n  - prune:\n      sparsty: 0.5\n");
        assertEquals("r.yaml: unknown key 'sparsty' at 4:7, did you mean 'sparsity'?", m);
    }

    @Test
    void unknownKeyFarFromAnyListsTheKnownOnes() {
        String m = error("whittle: 1\nbanana: 2\n");
        assertTrue(m.contains("unknown key 'banana' at 2:1 (known keys: [steps, whittle])"), m);
    }

    @Test
    void constructorValidationIsReportedWithItsLocation() {
        String m = error("whittle: 1\nsteps:\n  - prune: {sparsity: 1.5}\n");
        assertTrue(m.contains("prune.sparsity must be in [0, 1), got 1.5"), m);
        assertTrue(m.contains("3:"), m);
    }

    @Test
    void wrongTypeSaysWhatWasExpected() {
        String m = error("whittle: one\n");
        assertTrue(m.contains("whittle") && m.contains("1:"), m);
    }

    @Test
    void billionLaughsFailsFastWithAClearMessage() {
        StringBuilder sb = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'j'; c++) {
            char p = (char) (c - 1);
            sb.append(c).append(": &").append(c).append(" [*").append(p).append(",*").append(p).append(",*").append(p)
                    .append(",*").append(p).append(",*").append(p).append(",*").append(p).append(",*").append(p)
                    .append(",*").append(p).append(",*").append(p).append("]\n");
        }
        String m = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> error(sb.toString()));
        assertTrue(m.toLowerCase().contains("alias"), m);
    }

    @Test
    void customTagsAreRefused() {
        String m = error("whittle: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://x\"]]]]\n");
        assertTrue(m.contains("tag") && m.contains("not allowed"), m);
    }

    @Test
    void emptyAndMalformedDocumentsAreBadInput() {
        assertTrue(error("   \n").contains("empty"));
        String m = error("whittle: 1\nsteps: [\n");
        assertTrue(m.startsWith("r.yaml: "), m);
    }

    @Test
    void duplicateKeysAreRefused() {
        String m = error("whittle: 1\nwhittle: 2\n");
        assertTrue(m.toLowerCase().contains("duplicate"), m);
    }
}
