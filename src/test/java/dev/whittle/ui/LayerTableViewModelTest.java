package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.model.WeightLayer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LayerTableViewModelTest {
    private final LayerTableViewModel vm = new LayerTableViewModel();

    @BeforeEach
    void load() {
        vm.setLayers(WorkbenchModels.model().graph().weightLayers());
    }

    private List<String> visibleNames() {
        return vm.visibleLayers().stream().map(WeightLayer::node).toList();
    }

    @Test
    void showsEveryLayerAndListsTheOpsPresentAfterAllOps() {
        assertEquals(List.of(WorkbenchModels.CONV, WorkbenchModels.MATMUL, WorkbenchModels.GEMM), visibleNames());
        assertEquals(List.of(LayerTableViewModel.ALL_OPS, "Conv", "Gemm", "MatMul"), vm.ops());
        assertEquals("3 layers", vm.countTextProperty().get());
    }

    @Test
    void nameFilterIsACaseInsensitiveSubstringOfTheNodeOrWeightName() {
        vm.nameFilterProperty().set("FC1");
        assertEquals(List.of(WorkbenchModels.MATMUL), visibleNames());
        vm.nameFilterProperty().set("head.weight"); // weight name, not node name
        assertEquals(List.of(WorkbenchModels.GEMM), visibleNames());
        vm.nameFilterProperty().set("nothing-like-this");
        assertEquals(List.of(), visibleNames());
        assertEquals("0 of 3 layers", vm.countTextProperty().get());
    }

    @Test
    void opFilterKeepsOneOpTypeAndCombinesWithTheNameFilter() {
        vm.opFilterProperty().set("Conv");
        assertEquals(List.of(WorkbenchModels.CONV), visibleNames());
        assertEquals("1 of 3 layers", vm.countTextProperty().get());
        vm.nameFilterProperty().set("fc");
        assertEquals(List.of(), visibleNames());
        vm.opFilterProperty().set(LayerTableViewModel.ALL_OPS);
        assertEquals(List.of(WorkbenchModels.MATMUL), visibleNames());
    }

    @Test
    void loadingAnotherModelResetsFiltersAndSelection() {
        vm.nameFilterProperty().set("fc");
        vm.opFilterProperty().set("MatMul");
        vm.selectedProperty().set(vm.visibleLayers().get(0));
        vm.setLayers(WorkbenchModels.model().graph().weightLayers());
        assertEquals("", vm.nameFilterProperty().get());
        assertEquals(LayerTableViewModel.ALL_OPS, vm.opFilterProperty().get());
        assertNull(vm.selectedProperty().get());
        assertEquals(3, vm.visibleLayers().size());
    }

    @Test
    void shapesSortByRankThenDimensionByDimension() {
        List<long[]> shapes = new ArrayList<>(List.of(new long[] {64, 3, 3, 3}, new long[] {512, 10},
                new long[] {8, 4}, new long[] {8, 2}, new long[] {10}));
        shapes.sort(LayerTableViewModel.SHAPE_ORDER);
        assertEquals("[[10], [8, 2], [8, 4], [512, 10], [64, 3, 3, 3]]",
                shapes.stream().map(java.util.Arrays::toString).toList().toString());
        assertTrue(LayerTableViewModel.SHAPE_ORDER.compare(new long[] {3}, new long[] {3}) == 0);
    }

    @Test
    void embeddingTablesAreRowsOfTheTableWithTheirOwnOpFilter() {
        LayerTableViewModel embed = new LayerTableViewModel();
        embed.setLayers(dev.whittle.testing.QuantModels.load(dev.whittle.testing.QuantModels.model(
                dev.whittle.testing.EmbeddingModels.embeddingWithHead(), 13)).graph().weightLayers());
        assertEquals(List.of(LayerTableViewModel.ALL_OPS, "Gather", "MatMul"), embed.ops());
        embed.opFilterProperty().set("Gather");
        assertEquals(List.of("embed"), embed.visibleLayers().stream().map(WeightLayer::node).toList());
        assertEquals("1 of 2 layers", embed.countTextProperty().get());
    }
}
