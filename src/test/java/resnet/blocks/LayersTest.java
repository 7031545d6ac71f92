package resnet.blocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import org.junit.jupiter.api.Test;

class LayersTest {

    private static long weights(Block conv, Shape input) {
        try (NDManager manager = NDManager.newBaseManager()) {
            conv.initialize(manager, DataType.FLOAT32, input);
            return conv.getParameters().get("weight").getArray().size();
        }
    }

    @Test
    void groupedConvolutionHasOneGthOfTheDenseWeights() {
        Shape input = new Shape(1, 128, 8, 8);
        long dense = weights(Layers.conv3x3(128, 128, 1), input);
        long grouped = weights(Layers.conv3x3(128, 128, 1, 32), input);
        assertEquals(128L * 128 * 9, dense);
        assertEquals(dense / 32, grouped);
    }

    @Test
    void groupsThatDoNotDivideTheWidthAreRejectedWithWhatToChange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Layers.conv3x3(64, 96, 1, 5));
        assertTrue(e.getMessage().contains("groups=5"), e.getMessage());
        assertTrue(e.getMessage().contains("64 input, 96 output channels"), e.getMessage());
        assertTrue(e.getMessage().contains("divisors of 32"), e.getMessage());
    }

    @Test
    void convolutionsHaveNoBiasBecauseBatchNormFollows() {
        Conv2d conv = Layers.conv3x3(3, 8, 1);
        assertFalse(conv.isIncludeBias());
        assertFalse(conv.getDirectParameters().contains("bias"));
    }

    @Test
    void paddingIsHalfTheKernelSoOnlyTheStrideChangesTheSize() {
        assertEquals(new Shape(3, 3), Layers.conv(3, 64, 7, 2, 1).getPadding());
        assertEquals(new Shape(1, 1), Layers.conv3x3(3, 64, 1).getPadding());
        assertEquals(new Shape(0, 0), Layers.conv1x1(64, 128, 2).getPadding());
        Shape out = Layers.conv1x1(64, 128, 2).getOutputShapes(new Shape[] {new Shape(1, 64, 56, 56)})[0];
        assertEquals(new Shape(1, 128, 28, 28), out);
    }

    @Test
    void nonPositiveSizesAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Layers.conv3x3(64, 0, 1));
        assertEquals("output channels must be positive, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Layers.conv3x3(64, 64, -1));
        assertEquals("stride must be positive, got -1", e.getMessage());
    }

    @Test
    void maxPoolAndGlobalPoolKnowTheirShapesWithoutRunning() {
        assertEquals(new Shape(1, 64, 56, 56),
                Layers.maxPool(3, 2, 1).getOutputShapes(new Shape[] {new Shape(1, 64, 112, 112)})[0]);
        assertEquals(new Shape(2, 512),
                Layers.globalAvgPool().getOutputShapes(new Shape[] {new Shape(2, 512, 7, 7)})[0]);
    }
}
