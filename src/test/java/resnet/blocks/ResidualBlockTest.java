package resnet.blocks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import resnet.inspect.Parameters;

class ResidualBlockTest {

    /** A block that keeps the shape, so that its shortcut is the identity. */
    private static ResidualBlock shapeKeeping(BlockKind kind, BlockOptions options) {
        int planes = 8;
        return kind.create(planes * kind.expansion(), planes, 1, options);
    }

    private static NDArray forward(ResidualBlock block, NDManager manager, NDArray x, boolean training) {
        block.initialize(manager, DataType.FLOAT32, x.getShape());
        return block.forward(new ParameterStore(manager, false), new NDList(x), training).singletonOrThrow();
    }

    @ParameterizedTest
    @EnumSource(value = BlockKind.class, names = {"BASIC", "BOTTLENECK"}) // pre-activation refuses zero-init
    void zeroInitialisedBlockPassesReluOfItsInputThrough(BlockKind kind) {
        ResidualBlock block = shapeKeeping(kind, BlockOptions.DEFAULTS.withZeroInitResidual(true));
        try (NDManager manager = NDManager.newBaseManager()) {
            manager.getEngine().setRandomSeed(7);
            NDArray x = manager.randomNormal(new Shape(2, block.inChannels(), 6, 6));
            float[] expected = Activation.relu(x).toFloatArray();
            // F(x) = BN with gamma 0 = 0, so H(x) = ReLU(0 + x), with batch statistics and with running ones
            assertArrayEquals(expected, forward(block, manager, x, true).toFloatArray(), 1e-6f);
            assertArrayEquals(expected, forward(block, manager, x, false).toFloatArray(), 1e-6f);
        }
    }

    @ParameterizedTest
    @EnumSource(BlockKind.class)
    void withoutZeroInitTheBranchAddsSomething(BlockKind kind) {
        ResidualBlock block = shapeKeeping(kind, BlockOptions.DEFAULTS);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.randomNormal(new Shape(2, block.inChannels(), 6, 6));
            NDArray y = forward(block, manager, x, true);
            assertFalse(y.allClose(Activation.relu(x), 1e-3, 1e-3, false));
        }
    }

    @Test
    void bottleneckWidthIsPlanesTimesWidthPerGroupOver64TimesGroups() {
        BlockOptions resnet = BlockOptions.DEFAULTS;
        assertEquals(64, Bottleneck.width(64, resnet));
        assertEquals(128, Bottleneck.width(64, resnet.withGroups(32).withWidthPerGroup(4))); // resnext50_32x4d
        assertEquals(256, Bottleneck.width(64, resnet.withGroups(32).withWidthPerGroup(8))); // resnext101_32x8d
        assertEquals(256, Bottleneck.width(64, resnet.withGroups(64).withWidthPerGroup(4))); // resnext101_64x4d
        assertEquals(128, Bottleneck.width(64, resnet.withWidthPerGroup(128))); // wide_resnet50_2
        assertEquals(1024, Bottleneck.width(512, resnet.withGroups(32).withWidthPerGroup(4)));
        // torchvision truncates planes · widthPerGroup / 64 before multiplying by the groups: 16·6/64 = 1.5 -> 1
        assertEquals(4, Bottleneck.width(16, resnet.withGroups(4).withWidthPerGroup(6)));
    }

    @Test
    void swappingGroupsAndWidthPerGroupKeepsTheWidthButNotTheWeights() {
        Bottleneck right = new Bottleneck(256, 64, 1, BlockOptions.DEFAULTS.withGroups(32).withWidthPerGroup(4));
        Bottleneck swapped = new Bottleneck(256, 64, 1, BlockOptions.DEFAULTS.withGroups(4).withWidthPerGroup(32));
        assertEquals(right.width(), swapped.width());
        assertEquals(32, ((Conv2d) right.branch().get("conv2")).getGroups());
        assertEquals(4, ((Conv2d) swapped.branch().get("conv2")).getGroups());
    }

    @Test
    void bottleneckWithNoChannelPerGroupIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Bottleneck(64, 16, 1, BlockOptions.DEFAULTS.withWidthPerGroup(2)));
        assertTrue(e.getMessage().contains("16·(2/64)·1"), e.getMessage());
        assertTrue(e.getMessage().contains("at least 4"), e.getMessage());
    }

    @Test
    void strideSitsOnThe3x3ByDefaultAndOnTheFirst1x1InTheOriginalPaper() {
        Bottleneck v15 = new Bottleneck(256, 128, 2);
        Bottleneck v1 = new Bottleneck(256, 128, 2, BlockOptions.DEFAULTS.withStridePlacement(StridePlacement.ON_FIRST_1X1));
        assertEquals(new Shape(1, 1), ((Conv2d) v15.branch().get("conv1")).getStride());
        assertEquals(new Shape(2, 2), ((Conv2d) v15.branch().get("conv2")).getStride());
        assertEquals(new Shape(2, 2), ((Conv2d) v1.branch().get("conv1")).getStride());
        assertEquals(new Shape(1, 1), ((Conv2d) v1.branch().get("conv2")).getStride());
        Shape[] input = {new Shape(1, 256, 56, 56)};
        assertEquals(new Shape(1, 512, 28, 28), v15.getOutputShapes(input)[0]);
        assertEquals(new Shape(1, 512, 28, 28), v1.getOutputShapes(input)[0]);
    }

    @Test
    void basicBlockRejectsGroupsAndWidths() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BasicBlock(64, 64, 1, BlockOptions.DEFAULTS.withGroups(32).withWidthPerGroup(4)));
        assertTrue(e.getMessage().contains("groups=32 and widthPerGroup=4"), e.getMessage());
        assertTrue(e.getMessage().contains("Bottleneck"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void inputWithTheWrongChannelsIsRejectedBeforeTheEngineSeesIt(boolean initialise) {
        BasicBlock block = new BasicBlock(64, 64, 1);
        Shape wrong = new Shape(1, 32, 8, 8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
            if (initialise) {
                try (NDManager manager = NDManager.newBaseManager()) {
                    block.initialize(manager, DataType.FLOAT32, wrong);
                }
            } else {
                block.getOutputShapes(new Shape[] {wrong});
            }
        });
        assertEquals("BasicBlock expects input (batch, 64, height, width), got (1, 32, 8, 8)", e.getMessage());
    }

    @Test
    void partsHaveTorchvisionsNames() {
        assertEquals(List.of("conv1", "bn1", "relu1", "conv2", "bn2", "shortcut"),
                new BasicBlock(64, 128, 2).getChildren().keys());
        assertEquals(List.of("conv1", "bn1", "relu1", "conv2", "bn2", "relu2", "conv3", "bn3", "shortcut"),
                new Bottleneck(64, 64, 1).getChildren().keys());
        assertEquals("Bottleneck 64->256, projection", new Bottleneck(64, 64, 1).toString());
        assertEquals("BasicBlock 16->32 /2, zero-pad",
                new BasicBlock(16, 32, 2, BlockOptions.DEFAULTS.withShortcut(Shortcut.ZERO_PAD)).toString());
    }

    @Test
    void withoutBatchNormTheBranchIsConvolutionsWithBiasAndReLUs() {
        BlockOptions noBn = BlockOptions.DEFAULTS.withBatchNorm(false);
        BasicBlock basic = new BasicBlock(64, 128, 2, noBn);
        assertEquals(List.of("conv1", "relu1", "conv2", "shortcut"), basic.getChildren().keys());
        assertEquals(List.of("conv1", "relu1", "conv2", "relu2", "conv3", "shortcut"),
                new Bottleneck(64, 64, 1, noBn).getChildren().keys());
        // the projection is its 1x1 convolution alone, with a bias
        assertEquals(List.of("conv"), basic.shortcut().get().getChildren().keys());
    }

    @ParameterizedTest
    @EnumSource(BlockKind.class)
    void withoutBatchNormEveryConvolutionHasABiasAndTheParametersCountIt(BlockKind kind) {
        int planes = 4;
        int in = 8;
        ResidualBlock withBn = kind.create(in, planes, 2, BlockOptions.DEFAULTS);
        ResidualBlock without = kind.create(in, planes, 2, BlockOptions.DEFAULTS.withBatchNorm(false));
        try (NDManager manager = NDManager.newBaseManager()) {
            Shape x = new Shape(2, in, 8, 8);
            withBn.initialize(manager, DataType.FLOAT32, x);
            without.initialize(manager, DataType.FLOAT32, x);
            // each BatchNorm's gamma and beta (2 per channel) give way to one bias per channel of the conv before it
            long normChannels = 0;
            long convs = 0;
            long biasedConvs = 0;
            for (var p : withBn.getParameters()) {
                if (p.getValue().getType() == Parameter.Type.GAMMA) {
                    normChannels += p.getValue().getArray().size();
                }
            }
            for (var p : without.getParameters()) {
                if (p.getValue().getType() == Parameter.Type.WEIGHT) {
                    convs++;
                }
                if (p.getValue().getType() == Parameter.Type.BIAS) {
                    biasedConvs++;
                }
                assertFalse(p.getValue().getType() == Parameter.Type.GAMMA, p.getKey());
            }
            assertEquals(convs, biasedConvs);
            assertEquals(kind.convolutions() + 1, convs); // the branch's convolutions and the projection
            assertEquals(Parameters.learnable(withBn) - normChannels,
                    Parameters.learnable(without));
            assertEquals(withBn.getOutputShapes(new Shape[] {x})[0], without.getOutputShapes(new Shape[] {x})[0]);
        }
    }

    @Test
    void zeroInitWithoutBatchNormIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BlockOptions.DEFAULTS.withZeroInitResidual(true).withBatchNorm(false));
        assertTrue(e.getMessage().contains("no gamma to zero") && e.getMessage().contains("zeroInitLastConv"),
                e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(BlockKind.class)
    void zeroInitLastConvWithoutBatchNormPassesReluOfItsInputThrough(BlockKind kind) {
        ResidualBlock block = shapeKeeping(kind, BlockOptions.DEFAULTS.withBatchNorm(false).withZeroInitLastConv(true));
        try (NDManager manager = NDManager.newBaseManager()) {
            manager.getEngine().setRandomSeed(7);
            NDArray x = manager.randomNormal(new Shape(2, block.inChannels(), 6, 6));
            // F(x) ends in a convolution of weight 0 and bias 0, so H(x) = ReLU(0 + x), or 0 + x in the
            // pre-activation block, which has no ReLU after the sum
            NDArray expected = kind == BlockKind.PREACT_BASIC ? x : Activation.relu(x);
            assertArrayEquals(expected.toFloatArray(), forward(block, manager, x, true).toFloatArray(), 0f);
            String last = kind == BlockKind.BOTTLENECK ? "conv3" : "conv2";
            for (var p : block.getParameters()) {
                boolean zero = p.getValue().getArray().abs().max().getFloat() == 0f;
                if (p.getKey().startsWith(last)) {
                    assertTrue(zero, p.getKey() + " starts at 0");
                } else if (p.getValue().getType() == Parameter.Type.WEIGHT) {
                    assertFalse(zero, p.getKey() + " keeps its Kaiming start");
                }
            }
        }
    }

    @Test
    void zeroInitLastConvWithBatchNormIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BlockOptions.DEFAULTS.withZeroInitLastConv(true));
        assertTrue(e.getMessage().contains("use zeroInitResidual"), e.getMessage());
        assertFalse(BlockOptions.DEFAULTS.zeroInitLastConv(), "off by default");
    }

    @Test
    void resNeXtPathsWithoutBatchNormAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ResNeXtBlock(
                ResNeXtBlock.Form.SUMMED_PATHS, 64, 64, 1, BlockOptions.DEFAULTS.withGroups(4).withBatchNorm(false)));
        assertTrue(e.getMessage().contains("use a Bottleneck with groups"), e.getMessage());
    }
}
