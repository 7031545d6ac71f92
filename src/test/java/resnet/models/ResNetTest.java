package resnet.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import resnet.blocks.BlockKind;
import resnet.blocks.BlockOptions;
import resnet.blocks.NamedSequence;
import resnet.inspect.Parameters;

class ResNetTest {

    private static NDManager manager;

    @org.junit.jupiter.api.BeforeAll
    static void openManager() {
        manager = NDManager.newBaseManager();
        manager.getEngine().setRandomSeed(42);
    }

    @org.junit.jupiter.api.AfterAll
    static void closeManager() {
        manager.close();
    }

    /** Initialises for one image of the given (C, H, W); parameters do not depend on H and W. */
    private static <B extends Block> B initialised(B block, long... chw) {
        block.initialize(manager, DataType.FLOAT32, new Shape(1).addAll(new Shape(chw)));
        return block;
    }

    private static NDArray run(Block block, NDArray x) {
        return block.forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow();
    }

    /**
     * Learnable parameters at 1000 classes, from torchvision's model documentation
     * (pytorch.org/vision/stable/models.html) and the {@code num_params} of each weights entry in
     * torchvision/models/resnet.py.
     */
    @ParameterizedTest(name = "{0} has {1} parameters")
    @CsvSource({
        "resnet18, 11689512",
        "resnet34, 21797672",
        "resnet50, 25557032",
        "resnet101, 44549160",
        "resnet152, 60192808",
        "resnext50_32x4d, 25028904",
        "resnext101_32x8d, 88791336",
        "resnext101_64x4d, 83455272",
        "wide_resnet50_2, 68883240",
        "wide_resnet101_2, 126886696",
    })
    void learnableParametersEqualTorchvisions(String name, long expected) {
        try (NDManager scope = manager.newSubManager()) {
            ResidualNetwork net = ResNet.build(name, 1000);
            net.initialize(scope, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            assertEquals(expected, Parameters.learnable(net));
        }
    }

    /** The CIFAR paper (He et al. 2015, table 6) gives 0.27M, 0.46M, 0.66M, 0.85M, 1.7M; ResNet-20 has 269,722 exactly. */
    @Test
    void cifarFamilyHasThePapersParameterCounts() {
        assertEquals(269_722, Parameters.learnable(initialised(ResNet.resnet20(10), 3, 32, 32)));
        String[][] paper = {{"resnet32", "0.46"}, {"resnet44", "0.66"}, {"resnet56", "0.85"}, {"resnet110", "1.7"}};
        for (String[] row : paper) {
            long count = Parameters.learnable(initialised(ResNet.build(row[0], 10), 3, 32, 32));
            int digits = row[1].length() - 2;
            assertEquals(row[1], String.format(java.util.Locale.ROOT, "%." + digits + "f", count / 1e6), row[0]);
        }
    }

    static Stream<String> names() {
        return ResNet.names().stream();
    }

    @ParameterizedTest
    @MethodSource("names")
    void forwardPassGivesOneScorePerClass(String name) {
        ResNetSpec spec = ResNet.spec(name).withClasses(7);
        ResidualNetwork net = ResNet.build(spec);
        try (NDManager scope = manager.newSubManager()) {
            // the smallest image every stage still shrinks (32x32 for ImageNet stems), to keep it cheap
            int size = Math.max(spec.minInputSize(), 8);
            NDArray x = scope.randomNormal(new Shape(1, 3, size, size));
            net.initialize(scope, DataType.FLOAT32, x.getShape());
            NDArray y = net.forward(new ParameterStore(scope, false), new NDList(x), false).singletonOrThrow();
            assertEquals(new Shape(1, 7), y.getShape());
        }
    }

    @Test
    void fashionMnistImagesFitAOneChannelCifarNetwork() {
        ResidualNetwork net = ResNet.build(ResNet.spec("resnet20").withInputChannels(1));
        NDArray y = run(initialised(net, 1, 28, 28), manager.randomNormal(new Shape(2, 1, 28, 28)));
        assertEquals(new Shape(2, 10), y.getShape());
    }

    static Stream<Arguments> stageWidths() {
        return Stream.of(
                Arguments.of("resnet18", List.of(64, 128, 256, 512)),
                Arguments.of("resnet50", List.of(256, 512, 1024, 2048)));
    }

    /** The notes' table: 224 -> 112 (stem conv) -> 56 (pool) -> 56, 28, 14, 7 -> pooled -> 1000. */
    @ParameterizedTest
    @MethodSource("stageWidths")
    void stageShapesAt224MatchThePapersTable(String name, List<Integer> widths) {
        ResidualNetwork net = ResNet.build(name, 1000);
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.randomNormal(new Shape(1, 3, 224, 224));
            net.initialize(scope, DataType.FLOAT32, x.getShape());
            assertEquals(new Shape(1, 64, 112, 112), run(((NamedSequence) net.stem()).get("conv"), x).getShape());
            x = run(net.stem(), x);
            assertEquals(new Shape(1, 64, 56, 56), x.getShape());
            int[] sizes = {56, 28, 14, 7};
            for (int i = 1; i <= 4; i++) {
                x = run(net.stage(i), x);
                assertEquals(new Shape(1, widths.get(i - 1), sizes[i - 1], sizes[i - 1]), x.getShape(), "layer" + i);
            }
            x = run(net.pool(), x);
            assertEquals(new Shape(1, widths.get(3)), x.getShape());
            assertEquals(new Shape(1, 1000), run(net.head(), x).getShape());
        }
    }

    static Stream<Arguments> twins() {
        return Stream.of(
                Arguments.of(ResNet.spec("resnet18"), ResNet.spec("plain18")),
                Arguments.of(ResNet.spec("resnet34"), ResNet.spec("plain34")),
                Arguments.of(ResNet.spec("resnet20"), ResNet.spec("plain20")),
                Arguments.of(ResNet.spec("resnet56"), ResNet.spec("plain56")),
                Arguments.of(ResNet.spec("resnet50"), ResNet.spec("resnet50").plain()));
    }

    @ParameterizedTest
    @MethodSource("twins")
    void plainTwinHasTheSameLayersWithoutTheShortcutParameters(ResNetSpec residualSpec, ResNetSpec plainSpec) {
        try (NDManager scope = manager.newSubManager()) {
            ResidualNetwork residual = ResNet.build(residualSpec);
            ResidualNetwork plain = ResNet.build(plainSpec);
            residual.initialize(scope, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            plain.initialize(scope, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            long shortcuts = 0;
            for (Pair<String, Parameter> p : residual.getParameters()) {
                if (p.getKey().contains("shortcut") && Parameters.isLearnable(p.getValue())) {
                    shortcuts += p.getValue().getShape().size();
                }
            }
            assertEquals(shortcuts, Parameters.learnable(residual) - Parameters.learnable(plain));
            List<String> withoutShortcuts = residual.getParameters().keys().stream()
                    .filter(key -> !key.contains("shortcut")).toList();
            assertEquals(withoutShortcuts, plain.getParameters().keys());
            assertTrue(plain.spec().isPlain());
        }
    }

    @Test
    void projectionShortcutsAreWhatSeparatesResNet18FromPlain18() {
        // 1x1 convolutions 64->128, 128->256, 256->512 and their BatchNorms
        long projections = (64 * 128 + 2 * 128) + (128 * 256 + 2 * 256) + (256 * 512 + 2 * 512);
        assertEquals(173_824, projections);
        assertEquals(11_689_512 - projections, Parameters.learnable(initialised(ResNet.plain18(1000), 3, 32, 32)));
    }

    @Test
    void namedModelsHaveTheDepthTheirNameSays() {
        Pattern depth = Pattern.compile("^\\D*(\\d+)");
        for (String name : ResNet.names()) {
            Matcher m = depth.matcher(name);
            assertTrue(m.find(), name);
            assertEquals(Integer.parseInt(m.group(1)), ResNet.spec(name).depth(), name);
        }
    }

    @Test
    void namesCoverTorchvisionTheCifarPaperAndThePlainTwins() {
        assertTrue(ResNet.names().containsAll(List.of("resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
                "resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2",
                "resnet20", "resnet32", "resnet44", "resnet56", "resnet110", "resnet18_cifar",
                "plain18", "plain34", "plain20", "plain56")));
    }

    @Test
    void partsAreReachableByTheNamesTheirParametersCarry() {
        ResidualNetwork net = initialised(ResNet.resnet18(1000), 3, 32, 32);
        assertEquals(List.of("stem", "layer1", "layer2", "layer3", "layer4", "pool", "fc"), net.names());
        List<String> parameters = net.getParameters().keys();
        assertTrue(parameters.containsAll(List.of(
                "stem_conv_weight", "stem_bn_gamma", "layer1_0_conv1_weight", "layer2_0_shortcut_conv_weight",
                "layer4_1_bn2_beta", "fc_weight", "fc_bias")), parameters.toString());
        assertEquals(2, net.block(2, 0).stride());
        assertEquals(1, net.block(2, 1).stride());
        assertEquals(4, net.stages().size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.stage(5));
        assertEquals("stage 5 does not exist; stages are 1..4", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> net.block(1, 2));
    }

    @Test
    void newHeadTrainsAloneWhenTheBackboneIsFrozen() {
        ResidualNetwork net = initialised(ResNet.resnet20(10), 3, 32, 32);
        long all = Parameters.learnable(net);
        net.replaceHead(3);
        net.freezeBackbone(true);
        initialised(net, 3, 32, 32);
        assertEquals(64 * 3 + 3, Parameters.trainable(net));
        assertEquals(all - 650 + 195, Parameters.learnable(net));
        assertEquals(new Shape(1, 3), run(net, manager.randomNormal(new Shape(1, 3, 32, 32))).getShape());
        net.freezeBackbone(false);
        assertEquals(Parameters.learnable(net), Parameters.trainable(net));
    }

    @Test
    void convolutionsStartKaimingNormalFanOutAndBatchNormAtOneAndZero() {
        ResidualNetwork net = initialised(ResNet.build(ResNet.spec("resnet18").withZeroInitResidual(true)), 3, 32, 32);
        NDArray w = net.block(4, 1).getParameters().get("conv2_weight").getArray(); // 512 x 512 x 3 x 3
        double expectedStd = Math.sqrt(2.0 / (512 * 9));
        double std = Math.sqrt(w.pow(2).mean().getFloat());
        assertEquals(expectedStd, std, expectedStd * 0.01);
        assertEquals(0, w.mean().getFloat(), expectedStd * 0.01);
        Block block = net.block(1, 0);
        assertTrue(block.getParameters().get("bn1_gamma").getArray().eq(1).all().getBoolean());
        assertTrue(block.getParameters().get("bn1_beta").getArray().eq(0).all().getBoolean());
        assertTrue(block.getParameters().get("bn2_gamma").getArray().eq(0).all().getBoolean(), "zero-init residual");
        NDArray fc = net.head().getParameters().get("weight").getArray();
        assertTrue(fc.abs().max().getFloat() <= 1 / Math.sqrt(512));
    }

    @Test
    void unknownModelNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ResNet.spec("resnet51"));
        assertTrue(e.getMessage().startsWith("unknown model 'resnet51'; known models: resnet18, resnet34"), e.getMessage());
        for (String name : ResNet.names()) {
            assertTrue(e.getMessage().contains(name), name);
        }
    }

    /** {@code NAME_wK}: K times the planes, the rest of the network as NAME; 3x3 weights grow K². */
    @ParameterizedTest
    @CsvSource({"resnet20_w1.5, resnet20, 24, 48, 96", "resnet20_w2, resnet20, 32, 64, 128",
            "Preact_ResNet32_w0.5, preact_resnet32, 8, 16, 32", "plain20_w2, plain20, 32, 64, 128"})
    void widenedNamesMultiplyThePlanesAndKeepTheRest(String name, String base, int a, int b, int c) {
        ResNetSpec wide = ResNet.spec(name);
        ResNetSpec narrow = ResNet.spec(base);
        assertEquals(List.of(a, b, c), wide.widths());
        assertEquals(narrow.withWidths(a, b, c), wide);
        ResidualNetwork net = initialised(ResNet.build(wide.withInputChannels(1)), 1, 28, 28);
        assertEquals(new Shape(2, 10), run(net, manager.randomNormal(new Shape(2, 1, 28, 28))).getShape());
        // the last stage's 3x3s are c by c, and no convolution is wider
        long widest = 0;
        boolean lastStage = false;
        for (Pair<String, Parameter> p : net.getParameters()) {
            Shape shape = p.getValue().getArray().getShape();
            if (shape.dimension() == 4) {
                widest = Math.max(widest, shape.get(0));
                lastStage |= shape.equals(new Shape(c, c, 3, 3));
            }
        }
        assertEquals(c, widest);
        assertTrue(lastStage, name);
    }

    /** The parameter count by hand: stem, three stages of three blocks, head, at 24, 48, 96 planes. */
    @Test
    void resnet20AtOneAndAHalfTimesThePlanesHasTheCountsOfItsLayers() {
        long stem = 3 * 24 * 9 + 2 * 24;
        long blocks = 0;
        int in = 24;
        for (int planes : List.of(24, 48, 96)) {
            for (int i = 0; i < 3; i++) {
                blocks += (long) in * planes * 9 + 2 * planes + (long) planes * planes * 9 + 2 * planes;
                in = planes;
            }
        }
        long head = 96 * 10 + 10;
        assertEquals(stem + blocks + head, Parameters.learnable(initialised(ResNet.build("resnet20_w1.5", 10), 3, 32, 32)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "resnet18_w2 | resnet18 is not one of them",
            "resnet20_w1.3 | 1.3 times the planes [16, 32, 64] is not whole planes; expected K with 16 K a positive",
            "resnet20_w0 | 0 times the planes",
            "resnet21_w2 | resnet21 is not one of them"})
    void widenedNamesThatDoNotMakeANetworkSayWhy(String name, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ResNet.spec(name));
        assertTrue(e.getMessage().startsWith("model '" + name + "': "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void layersOfTheWrongLengthSayExpectedAndGot() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResNet.spec("resnet50").withLayers(3, 4, 6));
        assertTrue(e.getMessage().startsWith("layers [3, 4, 6] has 3 entries, expected 4"), e.getMessage());
    }

    @Test
    void nonPositiveValuesAreRejected() {
        ResNetSpec spec = ResNet.spec("resnet50");
        assertEquals("classes must be positive, got 0",
                assertThrows(IllegalArgumentException.class, () -> spec.withClasses(0)).getMessage());
        assertEquals("inputChannels must be positive, got -1",
                assertThrows(IllegalArgumentException.class, () -> spec.withInputChannels(-1)).getMessage());
        assertEquals("layers[1] (blocks in stage 2) must be positive, got 0",
                assertThrows(IllegalArgumentException.class, () -> spec.withLayers(3, 0, 6, 3)).getMessage());
        assertEquals("widths[2] (planes of stage 3) must be positive, got 0",
                assertThrows(IllegalArgumentException.class, () -> spec.withWidths(64, 128, 0, 512)).getMessage());
        assertEquals("groups must be positive, got 0",
                assertThrows(IllegalArgumentException.class, () -> spec.withGroups(0)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ResNet.cifarSpec(21)).getMessage()
                .contains("6n + 2"));
    }

    @Test
    void groupsOnABasicBlockNetworkAreRejectedWhenTheSpecIsWritten() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResNet.spec("resnet18").withGroups(32));
        assertTrue(e.getMessage().contains("BasicBlock supports only groups=1"), e.getMessage());
    }

    @Test
    void inputWithTheWrongChannelCountSaysExpectedAndGot() {
        ResidualNetwork net = ResNet.resnet18(10);
        Shape gray = new Shape(1, 1, 224, 224);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> net.getOutputShapes(new Shape[] {gray}));
        assertTrue(e.getMessage().startsWith("the network expects 3 input channels, got 1"), e.getMessage());
        assertTrue(e.getMessage().contains("withInputChannels(1)"), e.getMessage());
        // the same check guards the forward pass, before any convolution runs
        initialised(net, 3, 32, 32);
        NDArray x = manager.zeros(gray);
        IllegalArgumentException forward = assertThrows(IllegalArgumentException.class, () -> run(net, x));
        assertEquals(e.getMessage(), forward.getMessage());
    }

    @Test
    void inputTooSmallForTheStemSaysTheMinimum() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResNet.resnet18(10).getOutputShapes(new Shape[] {new Shape(1, 3, 28, 28)}));
        assertTrue(e.getMessage().startsWith("input 28x28 is too small: the minimum is 32x32"), e.getMessage());
        assertTrue(e.getMessage().contains("CIFAR stem (minimum 8)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ResNet.resnet20(10).getOutputShapes(new Shape[] {new Shape(1, 3, 2, 2)}));
        assertTrue(e.getMessage().startsWith("input 2x2 is too small: the minimum is 4x4"), e.getMessage());
        assertFalse(e.getMessage().contains("CIFAR stem"));
    }

    /**
     * Counted by hand for a network small enough to list: CIFAR stem 1 -> 4 channels, a stage of one
     * BasicBlock at 4, a stage of one at 8 (stride 2, projection), 3 classes.
     * With BatchNorm: stem 36 + 8; block 144 + 8 + 144 + 8; block 288 + 16 + 576 + 16 + shortcut 32 + 16;
     * fc 24 + 3 = 1,319. Without: every BatchNorm's 2 · C becomes a bias of C on the conv before it:
     * 40 + 296 + 920 + 27 = 1,283.
     */
    @Test
    void withoutBatchNormEachBatchNormsGammaAndBetaBecomeOneConvolutionBias() {
        ResNetSpec small = new ResNetSpec(BlockKind.BASIC, List.of(1, 1), List.of(4, 8), Stem.CIFAR,
                BlockOptions.DEFAULTS, 3, 1);
        assertTrue(small.hasBatchNorm());
        assertFalse(small.withBatchNorm(false).hasBatchNorm());
        assertEquals(1_319, Parameters.learnable(initialised(ResNet.build(small), 1, 8, 8)));
        assertEquals(1_283, Parameters.learnable(initialised(ResNet.build(small.withBatchNorm(false)), 1, 8, 8)));
    }

    /** ResNet-20 has 688 BatchNorm channels (16 in the stem, 6 per stage at 16, 32, 64): 269,722 − 2 · 688 + 688. */
    @Test
    void resnet20WithoutBatchNormHas688FewerParameters() {
        assertEquals(269_034, Parameters.learnable(initialised(ResNet.build(ResNet.spec("resnet20").withBatchNorm(false)), 3, 32, 32)));
        assertEquals(269_034, Parameters.learnable(initialised(ResNet.build(ResNet.spec("plain20").withBatchNorm(false)), 3, 32, 32)));
    }

    private static void collect(Block block, List<Block> out) {
        out.add(block);
        for (Pair<String, Block> child : block.getChildren()) {
            collect(child.getValue(), out);
        }
    }

    @ParameterizedTest
    @CsvSource({"resnet20", "plain20", "resnet18", "resnet50"})
    void withoutBatchNormNoBatchNormIsLeftAndEveryConvolutionHasABias(String name) {
        List<Block> blocks = new ArrayList<>();
        collect(ResNet.build(ResNet.spec(name).withBatchNorm(false)), blocks);
        assertFalse(blocks.stream().anyMatch(b -> b instanceof BatchNorm), name + " still has a BatchNorm");
        List<Block> convs = blocks.stream().filter(b -> b instanceof Conv2d).toList();
        assertFalse(convs.isEmpty());
        for (Block conv : convs) {
            assertTrue(conv.getDirectParameters().keys().contains("bias"), conv + " has no bias");
        }
        List<Block> withBn = new ArrayList<>();
        collect(ResNet.build(ResNet.spec(name)), withBn);
        assertEquals(convs.size(), withBn.stream().filter(b -> b instanceof BatchNorm).count(),
                "one BatchNorm per convolution in the BatchNorm network");
    }

    @Test
    void withoutBatchNormTheOutputHasTheSameShapeAndDoesNotDependOnTheMode() {
        ResidualNetwork net = ResNet.build(ResNet.spec("resnet20").withInputChannels(1).withBatchNorm(false));
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.randomNormal(new Shape(2, 1, 28, 28));
            net.initialize(scope, DataType.FLOAT32, x.getShape());
            ParameterStore store = new ParameterStore(scope, false);
            NDArray training = net.forward(store, new NDList(x), true).singletonOrThrow();
            NDArray inference = net.forward(store, new NDList(x), false).singletonOrThrow();
            assertEquals(new Shape(2, 10), training.getShape());
            // with BatchNorm the two modes normalise with different statistics; without, nothing depends on the mode
            assertTrue(training.allClose(inference, 1e-6, 1e-6, false));
        }
    }
}
