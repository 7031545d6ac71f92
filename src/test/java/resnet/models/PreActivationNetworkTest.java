package resnet.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import resnet.blocks.BlockKind;
import resnet.blocks.NamedSequence;
import resnet.blocks.PreActBlock;
import resnet.blocks.Shortcut;
import resnet.inspect.Parameters;
import resnet.inspect.Summary;

class PreActivationNetworkTest {

    private static long parameters(ResNetSpec spec) {
        return Summary.of(ResNet.build(spec), spec.defaultInputShape()).parameters();
    }

    @Test
    void preactResNet20IsBareStemPreActBlocksThenBatchNormAndRelu() {
        ResidualNetwork net = ResNet.preact_resnet20(10);
        assertEquals(List.of("stem", "layer1", "layer2", "layer3", "post", "pool", "fc"), net.names());
        assertEquals(List.of("conv"), ((NamedSequence) net.stem()).names());
        assertEquals(List.of("bn", "relu"), ((NamedSequence) net.get(ResidualNetwork.POST)).names());
        assertTrue(net.block(2, 0) instanceof PreActBlock);
        assertEquals("PreActBlock 16->32 /2, zero-pad", net.block(2, 0).toString());
        assertTrue(net.spec().preActivation());
        assertEquals(20, net.spec().depth());
    }

    /**
     * By hand at 3x32x32 and 10 classes. Original ResNet-20: stem 432 + 32 (its BatchNorm), blocks
     * 3 x 4,672 + (13,952 + 2 x 18,560) + (55,552 + 2 x 73,984), fc 650: 269,722 (the CIFAR paper's
     * 0.27M). Pre-activation: the stem loses its BatchNorm (-32), the first block of stages 2 and 3
     * normalises its 16 or 32 input channels instead of 32 or 64 (-32, -64), and the final BatchNorm
     * over 64 channels adds 128: the same 269,722.
     */
    @Test
    void preactResNet20HasAsManyParametersAsResNet20CountedByHand() {
        long stem = 3 * 16 * 9;
        long stage1 = 3 * (2 * 16 + 16 * 16 * 9 + 2 * 16 + 16 * 16 * 9);
        long stage2 = (2 * 16 + 16 * 32 * 9 + 2 * 32 + 32 * 32 * 9) + 2 * (2 * 32 + 32 * 32 * 9 + 2 * 32 + 32 * 32 * 9);
        long stage3 = (2 * 32 + 32 * 64 * 9 + 2 * 64 + 64 * 64 * 9) + 2 * (2 * 64 + 64 * 64 * 9 + 2 * 64 + 64 * 64 * 9);
        long post = 2 * 64;
        long fc = 64 * 10 + 10;
        assertEquals(269_722, stem + stage1 + stage2 + stage3 + post + fc);
        assertEquals(269_722, parameters(ResNet.spec("preact_resnet20")));
        assertEquals(parameters(ResNet.spec("resnet20")), parameters(ResNet.spec("preact_resnet20")));
    }

    /** The same for every depth: the BatchNorms move, their count does not. */
    @ParameterizedTest
    @CsvSource({"preact_resnet32, resnet32", "preact_resnet44, resnet44", "preact_resnet56, resnet56",
        "preact_resnet110, resnet110"})
    void everyPreActivationDepthHasItsOriginalTwinsParameters(String preact, String original) {
        assertEquals(parameters(ResNet.spec(original)), parameters(ResNet.spec(preact)));
        assertEquals(ResNet.spec(original).depth(), ResNet.spec(preact).depth());
    }

    /** Option B adds 1x1 projections 16->32 and 32->64 with their BatchNorms; option C one in each of the 9 blocks. */
    @Test
    void shortcutOptionsCostWhatTheirProjectionsCount() {
        ResNetSpec a = ResNet.spec("resnet20");
        long b = (16 * 32 + 2 * 32) + (32 * 64 + 2 * 64);
        long c = 3 * (16 * 16 + 2 * 16) + (16 * 32 + 2 * 32) + 2 * (32 * 32 + 2 * 32) + (32 * 64 + 2 * 64)
                + 2 * (64 * 64 + 2 * 64);
        assertEquals(269_722 + b, parameters(a.withShortcut(Shortcut.PROJECTION)));
        assertEquals(272_474, parameters(a.withShortcut(Shortcut.PROJECTION)));
        assertEquals(269_722 + c, parameters(a.withShortcut(Shortcut.PROJECTION_ALWAYS)));
        assertEquals(283_962, parameters(a.withShortcut(Shortcut.PROJECTION_ALWAYS)));
    }

    @Test
    void forwardGivesClassScoresForFashionMnistImages() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ResidualNetwork net = ResNet.build(ResNet.spec("preact_resnet20").withInputChannels(1));
            Shape batch = new Shape(2, 1, 28, 28);
            net.initialize(manager, DataType.FLOAT32, batch);
            NDArray y = net.forward(new ParameterStore(manager, false), new NDList(manager.randomNormal(batch)), true)
                    .singletonOrThrow();
            assertEquals(new Shape(2, 10), y.getShape());
            assertEquals(269_434, Parameters.learnable(net));
        }
    }

    @Test
    void preActivationSwitchesBasicBlocksBothWaysAndRefusesWhatItCannotBuild() {
        ResNetSpec spec = ResNet.spec("resnet18").withPreActivation(true);
        assertEquals(BlockKind.PREACT_BASIC, spec.block());
        assertEquals(ResNet.spec("resnet18"), spec.withPreActivation(false));
        IllegalArgumentException bottleneck = assertThrows(IllegalArgumentException.class,
                () -> ResNet.spec("resnet50").withPreActivation(true));
        assertTrue(bottleneck.getMessage().contains("basic blocks only"), bottleneck.getMessage());
        IllegalArgumentException zeroInit = assertThrows(IllegalArgumentException.class,
                () -> ResNet.spec("resnet20").withZeroInitResidual(true).withPreActivation(true));
        assertTrue(zeroInit.getMessage().contains("zeroInitResidual"), zeroInit.getMessage());
    }

    @Test
    void modelTableCallsTheBlockPreActivation() {
        var table = ModelTable.of(new Shape(3, 32, 32), "resnet56", "preact_resnet56");
        assertEquals(List.of("basic", "pre-activation basic"), table.stringColumn("block").asList());
        assertEquals(table.longColumn("parameters").get(0), table.longColumn("parameters").get(1));
    }
}
