package resnet.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.Test;
import resnet.TestData;
import resnet.blocks.Chain;
import resnet.blocks.Layers;
import resnet.blocks.NamedSequence;
import resnet.data.Normalization;
import resnet.models.ResNet;
import resnet.models.ResNetSpec;
import resnet.models.ResidualNetwork;

/** Responses of a two-stage ResNet of widths 4 and 8 (one basic block a stage) on 8x8 images. */
class LayerResponsesTest {

    private static final ResNetSpec TINY = ResNet.spec("resnet20")
            .withStages(List.of(1, 1), List.of(4, 8)).withInputChannels(1).withClasses(2);

    private static ResidualNetwork initialised(ResNetSpec spec, NDManager manager) {
        manager.getEngine().setRandomSeed(11);
        ResidualNetwork net = ResNet.build(spec);
        net.initialize(manager, DataType.FLOAT32, new Shape(6, 1, 8, 8));
        return net;
    }

    /** The population standard deviation of all numbers of an array, in doubles. */
    private static double std(NDArray a) {
        double[] v = a.toType(DataType.FLOAT64, false).toDoubleArray();
        double mean = java.util.Arrays.stream(v).average().orElseThrow();
        return Math.sqrt(java.util.Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / v.length);
    }

    @Test
    void oneResponsePerConvolutionReadAfterItsBatchNorm() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ResidualNetwork net = initialised(TINY, manager);
            NDArray images = manager.randomNormal(new Shape(6, 1, 8, 8));
            LayerResponses r = LayerResponses.of(net, images);
            assertEquals(List.of("stem.bn", "layer1.0.bn1", "layer1.0.bn2", "layer2.0.bn1", "layer2.0.bn2"),
                    r.layers().stream().map(LayerResponses.Layer::name).toList());
            assertEquals(List.of(1, 2, 3, 4, 5), r.layers().stream().map(LayerResponses.Layer::depth).toList());
            assertEquals(List.of("layer1.0.bn2", "layer2.0.bn2"),
                    r.branchEnds().stream().map(LayerResponses.Layer::name).toList());
            assertEquals(List.of("stem", "layer1.0", "layer2.0"),
                    r.carried().stream().map(LayerResponses.Layer::name).toList());

            // the stem's response by hand: its convolution, then its BatchNorm in inference mode
            NamedSequence stem = (NamedSequence) net.stem();
            ParameterStore store = new ParameterStore(manager, false);
            NDArray conv = stem.get("conv").forward(store, new NDList(images), false).singletonOrThrow();
            NDArray bn = stem.get("bn").forward(store, new NDList(conv), false).singletonOrThrow();
            assertEquals(std(bn), r.layers().get(0).std(), 1e-6);
            assertEquals(bn.mean().getFloat(), r.layers().get(0).mean(), 1e-6);
            // the signal after the stem is the ReLU of that response
            assertEquals(std(Layers.relu().forward(store, new NDList(bn), false).singletonOrThrow()),
                    r.carried().get(0).std(), 1e-6);
            assertEquals(r.layers().size(), r.stds().length);
            assertEquals(1 + r.layers().size(), r.toString().lines().count(), r.toString());
        }
    }

    @Test
    void aZeroInitialisedBranchRespondsWithExactlyZero() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray images = manager.randomNormal(new Shape(6, 1, 8, 8));
            for (ResNetSpec spec : List.of(TINY.withZeroInitResidual(true),
                    TINY.withBatchNorm(false).withZeroInitLastConv(true))) {
                LayerResponses r = LayerResponses.of(initialised(spec, manager), images);
                assertEquals(2, r.branchEnds().size(), spec.toString());
                for (LayerResponses.Layer end : r.branchEnds()) {
                    assertEquals(0, end.std(), 0, end.name());
                }
                // F(x) = 0, so the first block passes the stem's output (already past a ReLU) through
                assertEquals(r.carried().get(0).std(), r.carried().get(1).std(), 1e-6);
            }
            LayerResponses noBn = LayerResponses.of(initialised(TINY.withBatchNorm(false), manager), images);
            assertEquals("stem.conv", noBn.layers().get(0).name(), "without BatchNorm a convolution is read itself");
            assertTrue(noBn.branchEnds().stream().allMatch(l -> l.std() > 0));
        }
    }

    @Test
    void aPlainNetworkHasNoBranchEndAndImageSetsAreReadInBatches() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ResidualNetwork plain = initialised(TINY.plain(), manager);
            var images = TestData.brightness(10, 1, 8, 4);
            Normalization normalization = Normalization.of(images);
            LayerResponses inBatches = LayerResponses.of(plain, images, normalization, 3, manager);
            LayerResponses atOnce = LayerResponses.of(plain, images, normalization, 10, manager);
            assertEquals(5, inBatches.layers().size());
            assertTrue(inBatches.branchEnds().isEmpty());
            for (int i = 0; i < 5; i++) {
                assertEquals(atOnce.layers().get(i).std(), inBatches.layers().get(i).std(), 1e-5);
            }
        }
    }

    @Test
    void observersDoNotNestAndRefuseANetworkWithoutConvolutions() {
        assertThrows(IllegalStateException.class, () -> Chain.observe((c, b, o) -> {},
                () -> Chain.observe((c, b, o) -> {}, () -> {})));
        Chain.observe((c, b, o) -> {}, () -> {}); // the failed nesting left nothing behind
        Block head = new NamedSequence().add("fc", Layers.linear(4, 2));
        try (NDManager manager = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LayerResponses.of(head, manager.ones(new Shape(1, 4))));
            assertTrue(e.getMessage().contains("no convolution"), e.getMessage());
        }
    }
}
