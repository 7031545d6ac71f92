package resnet.blocks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

class ShortcutTest {

    private static boolean isIdentity(Block block) {
        return block instanceof Op op && op.label().equals("identity");
    }

    @Test
    void projectionShortcutWhenStrideOrWidthChanges() {
        assertTrue(isIdentity(Shortcut.PROJECTION.create(64, 64, 1)));
        for (int[] change : new int[][] {{64, 128, 2}, {64, 256, 1}, {64, 64, 2}}) {
            Block shortcut = Shortcut.PROJECTION.create(change[0], change[1], change[2]);
            NamedSequence projection = assertInstanceOf(NamedSequence.class, shortcut);
            assertEquals(java.util.List.of("conv", "bn"), projection.names());
            Conv2d conv = (Conv2d) projection.get("conv");
            assertEquals(new Shape(1, 1), conv.getKernelShape());
            assertEquals(new Shape(change[2], change[2]), conv.getStride());
            assertEquals(change[1], conv.getFilters());
        }
    }

    @Test
    void plainBlocksHaveNoShortcut() {
        assertNull(Shortcut.NONE.create(64, 64, 1));
        assertNull(Shortcut.NONE.create(64, 128, 2));
        assertTrue(new BasicBlock(64, 128, 2, BlockOptions.DEFAULTS.withShortcut(Shortcut.NONE)).isPlain());
    }

    @Test
    void zeroPaddingShortcutKeepsEveryStridethPixelAndAppendsZeroChannels() {
        Block shortcut = Shortcut.ZERO_PAD.create(2, 4, 2);
        assertTrue(shortcut.getParameters().isEmpty());
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.arange(32f).reshape(1, 2, 4, 4);
            shortcut.initialize(manager, DataType.FLOAT32, x.getShape());
            NDArray y = shortcut.forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow();
            assertEquals(new Shape(1, 4, 2, 2), y.getShape());
            assertEquals(y.getShape(), shortcut.getOutputShapes(new Shape[] {x.getShape()})[0]);
            // channel 0 of x is 0..15 as a 4x4 map: rows 0 and 2, columns 0 and 2
            assertArrayEquals(new float[] {0, 2, 8, 10, 16, 18, 24, 26, 0, 0, 0, 0, 0, 0, 0, 0}, y.toFloatArray());
            // the strided view it closed was its own: x is still open and unchanged
            assertArrayEquals(manager.arange(32f).toFloatArray(), x.toFloatArray());
        }
    }

    @Test
    void zeroPaddingPassesGradientToTheKeptPixelsOnly() {
        Block shortcut = Shortcut.ZERO_PAD.create(1, 3, 2);
        try (NDManager manager = NDManager.newBaseManager();
                GradientCollector collector = manager.getEngine().newGradientCollector()) {
            NDArray x = manager.ones(new Shape(1, 1, 4, 4));
            x.setRequiresGradient(true);
            shortcut.initialize(manager, DataType.FLOAT32, x.getShape());
            NDArray y = shortcut.forward(new ParameterStore(manager, false), new NDList(x), true).singletonOrThrow();
            collector.backward(y.sum());
            assertArrayEquals(new float[] {1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0},
                    x.getGradient().toFloatArray());
        }
    }

    @Test
    void zeroPaddingCannotDropChannels() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shortcut.ZERO_PAD.create(64, 32, 2));
        assertTrue(e.getMessage().contains("from 64 to 32"), e.getMessage());
    }
}
