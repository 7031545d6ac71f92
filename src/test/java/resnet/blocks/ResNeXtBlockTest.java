package resnet.blocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class ResNeXtBlockTest {

    /** 4 groups, width 8: two channels a path, small enough to check exactly. */
    private static final BlockOptions FOUR_PATHS = BlockOptions.DEFAULTS.withGroups(4).withWidthPerGroup(16);

    /** Gives every BatchNorm value its own random number, so that a path reading the wrong channels shows. */
    private static void randomiseBatchNorms(Block block, NDManager manager) {
        for (Parameter p : block.getParameters().values()) {
            if (p.getType() != Parameter.Type.WEIGHT) {
                manager.randomUniform(0.5f, 1.5f, p.getShape()).copyTo(p.getArray());
            }
        }
    }

    private static float maxDifference(Block a, Block b, NDManager manager, NDArray x, boolean training) {
        ParameterStore store = new ParameterStore(manager, false);
        NDArray ya = a.forward(store, new NDList(x), training).singletonOrThrow();
        NDArray yb = b.forward(store, new NDList(x), training).singletonOrThrow();
        assertEquals(ya.getShape(), yb.getShape());
        return ya.sub(yb).abs().max().getFloat();
    }

    @ParameterizedTest(name = "{0}, stride {1}, {2}")
    @CsvSource({
        "SUMMED_PATHS, 1, ON_3X3", "CONCATENATED_PATHS, 1, ON_3X3",
        "SUMMED_PATHS, 2, ON_3X3", "CONCATENATED_PATHS, 2, ON_FIRST_1X1",
    })
    void withTheGroupedBlocksWeightsBothPathFormsComputeTheSameOutput(
            ResNeXtBlock.Form form, int stride, StridePlacement placement) {
        BlockOptions options = FOUR_PATHS.withStridePlacement(placement);
        Bottleneck grouped = new Bottleneck(16, 8, stride, options);
        ResNeXtBlock paths = new ResNeXtBlock(form, 16, 8, stride, options);
        assertEquals(grouped.width(), paths.width());
        try (NDManager manager = NDManager.newBaseManager()) {
            manager.getEngine().setRandomSeed(11);
            Shape in = new Shape(3, 16, 6, 6);
            grouped.initialize(manager, DataType.FLOAT32, in);
            paths.initialize(manager, DataType.FLOAT32, in);
            randomiseBatchNorms(grouped, manager);
            NDArray x = manager.randomNormal(in);
            assertTrue(maxDifference(grouped, paths, manager, x, false) > 1e-2, "different weights differ first");
            paths.copyFrom(grouped);
            assertTrue(maxDifference(grouped, paths, manager, x, false) < 1e-5);
            assertTrue(maxDifference(grouped, paths, manager, x, true) < 1e-5);
        }
    }

    @ParameterizedTest
    @EnumSource(ResNeXtBlock.Form.class)
    void theFormsHaveTheGroupedBlocksParametersAndShape(ResNeXtBlock.Form form) {
        BlockOptions x32 = BlockOptions.DEFAULTS.withGroups(32).withWidthPerGroup(4);
        ResNeXtBlock paths = new ResNeXtBlock(form, 256, 64, 1, x32);
        assertEquals(32, paths.groups());
        assertEquals(128, paths.width());
        assertEquals(32, paths.paths().paths().size());
        try (NDManager manager = NDManager.newBaseManager()) {
            Shape in = new Shape(1, 256, 4, 4);
            Bottleneck grouped = new Bottleneck(256, 64, 1, x32);
            grouped.initialize(manager, DataType.FLOAT32, in);
            paths.initialize(manager, DataType.FLOAT32, in);
            assertEquals(count(grouped), count(paths));
            assertEquals(in, paths.getOutputShapes(new Shape[] {in})[0]);
        }
    }

    private static long count(Block block) {
        return block.getParameters().values().stream()
                .filter(p -> p.getType() != Parameter.Type.RUNNING_MEAN && p.getType() != Parameter.Type.RUNNING_VAR)
                .mapToLong(p -> p.getShape().size()).sum();
    }

    @Test
    void copyingFromABlockOfAnotherShapeNamesTheDifference() {
        ResNeXtBlock paths = new ResNeXtBlock(ResNeXtBlock.Form.SUMMED_PATHS, 16, 8, 1, FOUR_PATHS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> paths.copyFrom(new Bottleneck(16, 8, 1, FOUR_PATHS.withGroups(2).withWidthPerGroup(32))));
        assertEquals("cannot copy a Bottleneck 16->32, projection into a ResNeXtBlock 16->32, projection:"
                + " this block has 4 paths, the bottleneck's 3x3 2 groups", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> paths.copyFrom(new Bottleneck(16, 8, 2, FOUR_PATHS)));
        assertTrue(e.getMessage().contains("this block is 16->32 /1 with width 8, the bottleneck 16->32 /2"), e.getMessage());
        ResNeXtBlock strided = new ResNeXtBlock(ResNeXtBlock.Form.SUMMED_PATHS, 16, 8, 2, FOUR_PATHS);
        e = assertThrows(IllegalArgumentException.class, () -> strided.copyFrom(
                new Bottleneck(16, 8, 2, FOUR_PATHS.withStridePlacement(StridePlacement.ON_FIRST_1X1))));
        assertTrue(e.getMessage().contains("the stride sits on another convolution"), e.getMessage());
    }

    @Test
    void copyingNeedsWeightsOnBothSides() {
        ResNeXtBlock paths = new ResNeXtBlock(ResNeXtBlock.Form.CONCATENATED_PATHS, 16, 8, 1, FOUR_PATHS);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> paths.copyFrom(new Bottleneck(16, 8, 1, FOUR_PATHS)));
        assertTrue(e.getMessage().startsWith("the grouped Bottleneck has no weights yet"), e.getMessage());
    }

    @Test
    void aWidthTooSmallForThePathsIsRejectedAsForTheBottleneck() {
        BlockOptions tooThin = BlockOptions.DEFAULTS.withGroups(32).withWidthPerGroup(4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ResNeXtBlock(ResNeXtBlock.Form.SUMMED_PATHS, 16, 8, 1, tooThin));
        assertEquals(assertThrows(IllegalArgumentException.class, () -> new Bottleneck(16, 8, 1, tooThin)).getMessage(),
                e.getMessage());
        assertTrue(e.getMessage().contains("leaves no channel per group"), e.getMessage());
    }
}
