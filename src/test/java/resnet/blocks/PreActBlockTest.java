package resnet.blocks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;
import org.junit.jupiter.api.Test;
import resnet.inspect.Parameters;

class PreActBlockTest {

    @Test
    void normAndReluComeBeforeEachConvolutionAndTheProjectionIsAConvolutionAlone() {
        PreActBlock block = new PreActBlock(16, 32, 2);
        assertEquals(List.of("bn1", "relu1", "conv1", "bn2", "relu2", "conv2", "shortcut"), block.getChildren().keys());
        assertEquals(List.of("conv"), block.shortcut().get().getChildren().keys());
        assertEquals(new Shape(2, 2), ((Conv2d) block.branch().get("conv1")).getStride());
        assertEquals("PreActBlock 16->32 /2, projection", block.toString());
        assertEquals("PreActBlock 16->16, identity", new PreActBlock(16, 16, 1).toString());
    }

    /** Counted by hand: BatchNorm gamma and beta per input channel, 3x3 weights, the 1x1 projection without BatchNorm. */
    @Test
    void learnableParametersCountedByHand() {
        try (NDManager manager = NDManager.newBaseManager()) {
            PreActBlock down = new PreActBlock(16, 32, 2);
            down.initialize(manager, DataType.FLOAT32, new Shape(1, 16, 8, 8));
            assertEquals(2 * 16 + 16 * 32 * 9 + 2 * 32 + 32 * 32 * 9 + 16 * 32, Parameters.learnable(down));
            assertEquals(14_432, Parameters.learnable(down));
            PreActBlock same = new PreActBlock(16, 16, 1);
            same.initialize(manager, DataType.FLOAT32, new Shape(1, 16, 8, 8));
            assertEquals(4_672, Parameters.learnable(same));
            PreActBlock optionC = new PreActBlock(16, 16, 1, BlockOptions.DEFAULTS.withShortcut(Shortcut.PROJECTION_ALWAYS));
            optionC.initialize(manager, DataType.FLOAT32, new Shape(1, 16, 8, 8));
            assertEquals(4_672 + 16 * 16, Parameters.learnable(optionC));
        }
    }

    private static NDArray run(Block block, ParameterStore store, NDArray x, boolean training) {
        return block.forward(store, new NDList(x), training).singletonOrThrow();
    }

    /** BatchNorm in training mode, by its formula (biased batch variance, epsilon 1e-5, gamma 1, beta 0). */
    private static NDArray batchNormByHand(NDArray x) {
        long channels = x.getShape().get(1);
        Shape perChannel = new Shape(1, channels, 1, 1);
        NDArray flat = x.transpose(1, 0, 2, 3).reshape(channels, -1); // one row per channel
        NDArray mean = flat.mean(new int[] {1}).reshape(perChannel);
        NDArray variance = flat.sub(mean.reshape(channels, 1)).pow(2).mean(new int[] {1}).reshape(perChannel);
        return x.sub(mean).div(variance.add(1e-5f).sqrt());
    }

    @Test
    void outputIsTheInputPlusTheBranchWithNothingAfterTheSum() {
        try (NDManager manager = NDManager.newBaseManager()) {
            manager.getEngine().setRandomSeed(3);
            PreActBlock block = new PreActBlock(4, 4, 1);
            NDArray x = manager.randomNormal(new Shape(2, 4, 5, 5));
            block.initialize(manager, DataType.FLOAT32, x.getShape());
            ParameterStore store = new ParameterStore(manager, false);
            PairList<String, Block> branch = block.branch();
            NDArray w1 = branch.get("conv1").getParameters().get("weight").getArray();
            NDArray w2 = branch.get("conv2").getParameters().get("weight").getArray();
            Shape one = new Shape(1, 1);
            NDArray h = Conv2d.conv2d(Activation.relu(batchNormByHand(x)), w1, null, one, one).singletonOrThrow();
            NDArray f = Conv2d.conv2d(Activation.relu(batchNormByHand(h)), w2, null, one, one).singletonOrThrow();
            NDArray y = run(block, store, x, true);
            assertArrayEquals(x.add(f).toFloatArray(), y.toFloatArray(), 1e-4f);
            assertTrue(y.lt(0).any().getBoolean(), "no ReLU after the sum: the output has negative values");
            assertTrue(branch.get("bn1") instanceof BatchNorm);
        }
    }

    @Test
    void zeroInitAndGroupsAreRejectedWithTheReason() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> new PreActBlock(8, 8, 1, BlockOptions.DEFAULTS.withZeroInitResidual(true)));
        assertTrue(zero.getMessage().contains("zero gradient"), zero.getMessage());
        IllegalArgumentException groups = assertThrows(IllegalArgumentException.class,
                () -> new PreActBlock(8, 8, 1, BlockOptions.DEFAULTS.withGroups(4)));
        assertTrue(groups.getMessage().contains("groups=4"), groups.getMessage());
    }

    @Test
    void optionCProjectsEvenWhereTheShapeIsKept() {
        assertEquals("projection", Shortcut.PROJECTION_ALWAYS.describe(16, 16, 1));
        assertEquals("identity", Shortcut.PROJECTION.describe(16, 16, 1));
        assertEquals("zero-pad", Shortcut.ZERO_PAD.describe(16, 32, 2));
        Block c = Shortcut.PROJECTION_ALWAYS.create(16, 16, 1);
        assertEquals(List.of("conv", "bn"), c.getChildren().keys());
        assertEquals("BasicBlock 16->16, projection",
                new BasicBlock(16, 16, 1, BlockOptions.DEFAULTS.withShortcut(Shortcut.PROJECTION_ALWAYS)).toString());
    }
}
