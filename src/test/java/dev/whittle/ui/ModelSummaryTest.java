package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.whittle.core.model.ModelGraph;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ModelSummaryTest {
    private final ModelGraph g = WorkbenchModels.model().graph();

    @Test
    void generalFactsNameTheFileVersionsAndSizes() {
        Map<String, String> v = ModelSummary.general(g).stream()
                .collect(Collectors.toMap(SummaryItem::label, SummaryItem::value));
        assertEquals("8", v.get("IR version"));
        assertEquals("ai.onnx 13", v.get("Opsets"));
        assertEquals("whittle-tests", v.get("Producer"));
        assertEquals("65 (65)", v.get("Parameters")); // 18 + 32 + 12 + 3
        assertEquals("260 B in 4 tensors", v.get("Constants"));
        assertEquals("4", v.get("Nodes"));
        assertEquals("3", v.get("Weight layers"));
    }

    @Test
    void inputsAndOutputsShowTypeAndShape() {
        assertEquals(List.of(new SummaryItem("x", "float32 [1, 1, 4, 4]", ModelSummary.values(g.inputs()).get(0).help())),
                ModelSummary.values(g.inputs()));
        assertEquals("float32 [1, 3]", ModelSummary.values(g.outputs()).get(0).value());
    }

    @Test
    void opCountsAreSortedByCountThenName() {
        assertEquals(List.of("Conv", "Flatten", "Gemm", "MatMul"),
                ModelSummary.opCounts(g).stream().map(Map.Entry::getKey).toList());
    }
}
