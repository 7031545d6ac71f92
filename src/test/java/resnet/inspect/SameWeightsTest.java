package resnet.inspect;

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
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import java.util.List;
import org.junit.jupiter.api.Test;
import resnet.blocks.BasicBlock;
import resnet.blocks.Bottleneck;

class SameWeightsTest {

    private static Block conv(int out, int kernel, int stride) {
        return Conv2d.builder().setKernelShape(new Shape(kernel, kernel)).setFilters(out)
                .optStride(new Shape(stride, stride)).optPadding(new Shape(kernel / 2, kernel / 2)).optBias(false).build();
    }

    /** A bottleneck written with DJL's own blocks, as notebook 04 has the reader write it. */
    private static Block djlBottleneck(int in, int planes, int stride) {
        int out = planes * 4;
        Block branch = new SequentialBlock()
                .add(conv(planes, 1, 1)).add(BatchNorm.builder().build()).add(Activation::relu)
                .add(conv(planes, 3, stride)).add(BatchNorm.builder().build()).add(Activation::relu)
                .add(conv(out, 1, 1)).add(BatchNorm.builder().build());
        Block shortcut = stride != 1 || in != out
                ? new SequentialBlock().add(conv(out, 1, stride)).add(BatchNorm.builder().build())
                : Blocks.identityBlock();
        return new ParallelBlock(outs -> new NDList(Activation.relu(
                outs.get(0).singletonOrThrow().add(outs.get(1).singletonOrThrow()))), List.of(branch, shortcut));
    }

    @Test
    void aBottleneckWrittenWithDjlBlocksComputesTheLibrarysWithItsWeights() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Shape input = new Shape(2, 8, 6, 6);
            Bottleneck library = new Bottleneck(8, 4, 2);
            Block written = djlBottleneck(8, 4, 2);
            library.initialize(manager, DataType.FLOAT32, input);
            written.initialize(manager, DataType.FLOAT32, input);
            SameWeights.randomizeBatchNorm(library, 3);
            assertEquals(20, SameWeights.copy(library, written));
            manager.getEngine().setRandomSeed(1);
            NDArray x = manager.randomNormal(input);
            assertTrue(SameWeights.maxDifference(library, written, x, false) < 1e-6);
            assertTrue(SameWeights.maxDifference(library, written, x, true) < 1e-5);
        }
    }

    @Test
    void randomizingTouchesBatchNormOnly() {
        try (NDManager manager = NDManager.newBaseManager()) {
            BasicBlock block = new BasicBlock(2, 2, 1);
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 2, 4, 4));
            float[] weight = block.getParameters().get("conv1_weight").getArray().toFloatArray();
            SameWeights.randomizeBatchNorm(block, 5);
            assertArrayEquals(weight, block.getParameters().get("conv1_weight").getArray().toFloatArray());
            for (String name : List.of("bn1_gamma", "bn1_beta", "bn1_runningMean", "bn2_runningVar")) {
                for (float v : block.getParameters().get(name).getArray().toFloatArray()) {
                    assertTrue(v >= 0.5f && v < 1.5f, name + " = " + v);
                }
            }
        }
    }

    @Test
    void blocksThatDifferFailAtTheFirstParameterWhereTheyPart() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Shape input = new Shape(1, 4, 4, 4);
            BasicBlock narrow = new BasicBlock(4, 4, 1);
            BasicBlock wide = new BasicBlock(4, 8, 1);
            IllegalStateException notReady = assertThrows(IllegalStateException.class, () -> SameWeights.copy(narrow, wide));
            assertTrue(notReady.getMessage().startsWith("the from block is not initialised"), notReady.getMessage());
            narrow.initialize(manager, DataType.FLOAT32, input);
            wide.initialize(manager, DataType.FLOAT32, input);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SameWeights.copy(narrow, wide));
            assertEquals("parameter 0 differs: conv1_weight (weight (4, 4, 3, 3)) in the first block,"
                    + " conv1_weight (weight (8, 4, 3, 3)) in the second", e.getMessage());
            BasicBlock projected = new BasicBlock(4, 4, 2);
            projected.initialize(manager, DataType.FLOAT32, input);
            e = assertThrows(IllegalArgumentException.class, () -> SameWeights.copy(narrow, projected));
            assertTrue(e.getMessage().startsWith("the blocks have 10 and 15 parameter arrays; parameter 10 is"
                    + " shortcut_conv_weight"), e.getMessage());
        }
    }
}
