package resnet.inspect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import resnet.blocks.BasicBlock;
import resnet.blocks.BlockOptions;
import resnet.blocks.Bottleneck;
import resnet.blocks.Layers;
import resnet.blocks.ResNeXtBlock;
import resnet.blocks.StridePlacement;
import resnet.models.ResNet;
import resnet.models.ResidualNetwork;
import tech.tablesaw.api.Table;

class SummaryTest {

    private static final Shape IMAGENET = new Shape(3, 224, 224);

    /**
     * torchvision's "GFLOPS" at 3x224x224 count multiply-accumulates: the {@code _ops} of each weights
     * entry in torchvision/models/resnet.py (3 decimals), shown to 2 decimals in the model table of
     * the torchvision.models documentation.
     */
    @ParameterizedTest(name = "{0}: {1} GMACs")
    @CsvSource({
        "resnet18, 1.814, 1.81",
        "resnet34, 3.664, 3.66",
        "resnet50, 4.089, 4.09",
        "resnet101, 7.801, 7.80",
        "resnet152, 11.514, 11.51",
        "resnext50_32x4d, 4.230, 4.23",
        "resnext101_32x8d, 16.414, 16.41",
        "resnext101_64x4d, 15.460, 15.46",
        "wide_resnet50_2, 11.398, 11.40",
        "wide_resnet101_2, 22.753, 22.75",
    })
    void multiplyAccumulatesEqualTorchvisionsGflops(String name, String ops, String docs) {
        long macs = Summary.of(ResNet.build(name, 1000), IMAGENET).macs();
        assertEquals(ops, String.format(Locale.ROOT, "%.3f", macs / 1e9));
        assertEquals(docs, String.format(Locale.ROOT, "%.2f", macs / 1e9));
    }

    @Test
    void stageRowsOfResNet18At224FollowThePapersTable() {
        Summary summary = Summary.of(ResNet.resnet18(1000), IMAGENET);
        List<String> names = summary.rows().stream().map(Summary.Row::name).toList();
        List<Shape> shapes = summary.rows().stream().map(Summary.Row::output).toList();
        assertEquals(List.of("stem", "layer1", "layer2", "layer3", "layer4", "pool", "fc"), names);
        assertEquals(List.of(new Shape(64, 56, 56), new Shape(64, 56, 56), new Shape(128, 28, 28), new Shape(256, 14, 14),
                new Shape(512, 7, 7), new Shape(512), new Shape(1000)), shapes);
        assertEquals(11_689_512, summary.parameters());
        assertEquals(summary.parameters(), summary.rows().stream().mapToLong(Summary.Row::parameters).sum());
        assertEquals(summary.macs(), summary.rows().stream().mapToLong(Summary.Row::macs).sum());
        assertEquals("2 x BasicBlock", summary.rows().get(1).type());
        // the stem's 7x7 convolution: 112 · 112 · 7 · 7 · 3 · 64
        assertEquals(118_013_952, summary.rows().get(0).macs());
    }

    @Test
    void perBlockRowsTraceEveryResidualBlock() {
        Summary summary = Summary.perBlock(ResNet.resnet50(1000), IMAGENET);
        List<String> names = summary.rows().stream().map(Summary.Row::name).toList();
        assertEquals(List.of("stem.conv", "stem.bn", "stem.relu", "stem.maxpool", "layer1.0", "layer1.1", "layer1.2"),
                names.subList(0, 7));
        assertEquals(4 + 16 + 2, names.size());
        assertEquals(new Shape(64, 112, 112), summary.rows().get(0).output());
        Summary.Row first = summary.rows().get(names.indexOf("layer2.0"));
        assertEquals("Bottleneck 256->512 /2, projection", first.type());
        assertEquals(new Shape(512, 28, 28), first.output());
        assertEquals(Summary.of(ResNet.resnet50(1000), IMAGENET).macs(), summary.macs());
    }

    @Test
    void aBottleneckCostsAFractionOfABasicBlockOfTheSameWidth() {
        Shape input = new Shape(256, 56, 56);
        Summary bottleneck = Summary.of(new Bottleneck(256, 64, 1), input);
        Summary basic = Summary.of(new BasicBlock(256, 256, 1), input);
        // 1x1 256->64, 3x3 64->64, 1x1 64->256 and BatchNorms of 64, 64, 256 channels
        assertEquals(16_384 + 36_864 + 16_384 + 2 * (64 + 64 + 256), bottleneck.parameters());
        assertEquals(56L * 56 * (16_384 + 36_864 + 16_384), bottleneck.macs());
        assertEquals(2 * 589_824 + 2 * (256 + 256), basic.parameters());
        assertEquals(List.of("conv1", "bn1", "relu1", "conv2", "bn2", "relu2", "conv3", "bn3", "shortcut"),
                bottleneck.rows().stream().map(Summary.Row::name).toList());
        assertEquals("identity", bottleneck.rows().get(8).type());
        assertEquals(input, bottleneck.output());
    }

    @Test
    void strideOnTheFirst1x1SavesTheCostOfAFullResolution1x1() {
        Shape input = new Shape(256, 56, 56);
        Summary v15 = Summary.of(new Bottleneck(256, 128, 2), input);
        Summary v1 = Summary.of(new Bottleneck(256, 128, 2,
                BlockOptions.DEFAULTS.withStridePlacement(StridePlacement.ON_FIRST_1X1)), input);
        assertEquals(v15.parameters(), v1.parameters());
        long conv2Conv3Shortcut = 28L * 28 * (9 * 128 * 128 + 128 * 512 + 256 * 512);
        assertEquals(56L * 56 * 256 * 128 + conv2Conv3Shortcut, v15.macs());
        assertEquals(28L * 28 * 256 * 128 + conv2Conv3Shortcut, v1.macs());
    }

    @Test
    void groupedThreeByThreeCountsOneGthOfTheWeightsAndMacs() {
        Shape input = new Shape(128, 28, 28);
        Summary dense = Summary.of(Layers.conv3x3(128, 128, 1), input);
        Summary grouped = Summary.of(Layers.conv3x3(128, 128, 1, 32), input);
        assertEquals(dense.parameters() / 32, grouped.parameters());
        assertEquals(dense.macs() / 32, grouped.macs());
        assertEquals("conv 3x3 g32", grouped.rows().get(0).type());
    }

    @Test
    void pathsAreTracedOnTheSameInputAndTheResNeXtFormsCostTheSame() {
        Shape input = new Shape(256, 56, 56);
        BlockOptions x32 = BlockOptions.DEFAULTS.withGroups(32).withWidthPerGroup(4);
        Summary grouped = Summary.of(new Bottleneck(256, 64, 1, x32), input);
        for (ResNeXtBlock.Form form : ResNeXtBlock.Form.values()) {
            Summary paths = Summary.of(new ResNeXtBlock(form, 256, 64, 1, x32), input);
            assertEquals(grouped.parameters(), paths.parameters(), form.name());
            assertEquals(grouped.macs(), paths.macs(), form.name());
            assertEquals(input, paths.output());
        }
        // 1x1 256->128, 3x3 128->128 in 32 groups, 1x1 128->256 at 56x56
        assertEquals(56L * 56 * (256 * 128 + 9 * 128 * 4 + 128 * 256), grouped.macs());
        Summary rows = Summary.of(new ResNeXtBlock(ResNeXtBlock.Form.SUMMED_PATHS, 256, 64, 1, x32), input, 3);
        Summary.Row pathsRow = Summary.of(new ResNeXtBlock(ResNeXtBlock.Form.SUMMED_PATHS, 256, 64, 1, x32), input)
                .rows().get(0);
        assertEquals("32 paths, summed", pathsRow.type());
        assertEquals("paths.0.conv1", rows.rows().get(0).name());
        assertEquals(new Shape(4, 56, 56), rows.rows().get(0).output());
        assertEquals(32 * 7 + 2, rows.rows().size());
    }

    @Test
    void batchNormRunningStatisticsAreNotCounted() {
        BasicBlock block = new BasicBlock(64, 64, 1);
        Summary summary = Summary.of(block, new Shape(64, 8, 8));
        try (NDManager manager = NDManager.newBaseManager()) {
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 64, 8, 8));
            long everything = block.getParameters().values().stream().mapToLong(p -> p.getShape().size()).sum();
            assertEquals(everything - 2 * (64 + 64), summary.parameters());
        }
    }

    @Test
    void plainTwinsAreSummarisedToo() {
        assertEquals(11_689_512 - 173_824, Summary.of(ResNet.plain18(1000), IMAGENET).parameters());
        assertEquals(269_722, Summary.of(ResNet.plain20(10), new Shape(3, 32, 32)).parameters());
    }

    @Test
    void summaryGivesAnUninitialisedNetworkBackUninitialised() {
        ResidualNetwork net = ResNet.resnet20(10);
        Summary.of(net, new Shape(3, 32, 32));
        assertFalse(net.isInitialized());
        assertTrue(net.getParameters().values().stream().noneMatch(Parameter::isInitialized));
        try (NDManager manager = NDManager.newBaseManager()) {
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            float[] before = net.head().getParameters().get("weight").getArray().toFloatArray();
            assertEquals(269_722, Summary.of(net, new Shape(3, 32, 32)).parameters());
            assertTrue(net.isInitialized());
            assertArrayEquals(before, net.head().getParameters().get("weight").getArray().toFloatArray());
        }
    }

    @Test
    void tableAndTextEndWithTheTotal() {
        Summary summary = Summary.of(ResNet.resnet18(1000), IMAGENET);
        Table table = summary.table();
        assertEquals(List.of("layer", "type", "output", "parameters", "MACs"), table.columnNames());
        assertEquals(summary.rows().size() + 1, table.rowCount());
        assertEquals("total", table.stringColumn("layer").get(table.rowCount() - 1));
        assertEquals(11_689_512L, table.longColumn("parameters").get(table.rowCount() - 1));
        String[] lines = summary.toString().split("\n");
        assertTrue(lines[1].startsWith("input"), lines[1]);
        assertTrue(lines[lines.length - 1].matches("total\\s+1000\\s+11,689,512\\s+1,814,073,344"), lines[lines.length - 1]);
    }

    @Test
    void inputsThatDoNotFitAreRejectedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Summary.of(ResNet.resnet18(1000), new Shape(1, 3, 224, 224)));
        assertTrue(e.getMessage().startsWith("give one image's shape as (channels, height, width)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Summary.of(ResNet.resnet18(1000), new Shape(1, 224, 224)));
        assertTrue(e.getMessage().startsWith("the network expects 3 input channels, got 1"), e.getMessage());
        Block parallel = new ParallelBlock(list -> list.get(0), List.of(Layers.relu(), Layers.relu()));
        e = assertThrows(IllegalArgumentException.class, () -> Summary.of(parallel, new Shape(1, 4, 4)));
        assertEquals("cannot trace shapes through a ParallelBlock: the summary knows sequences, residual blocks,"
                + " paths and single layers", e.getMessage());
    }
}
